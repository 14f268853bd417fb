/*
 * The traps stock Raspberry Pi OS sets for a diskless boot beyond the SD
 * card (lib/netready.h does those), handled in the staged copy of an import:
 *   - NetworkManager (bookworm and newer) would make its own DHCP profile
 *     for the interface the kernel configured for the NFS root (ip=dhcp) and
 *     re-address it under the mounted root: a drop-in turns that off;
 *   - rpi-swap (trixie) would put a swap file on the root, which is NFS: a
 *     drop-in keeps it to zram;
 *   - cloud-init seeds on the boot partition (trixie, Raspberry Pi Imager)
 *     are never read (a netbooted node does not mount it) and would be
 *     served over TFTP with their password hash: they are dropped;
 *   - the initramfs the firmware loads by default (auto_initramfs=1): the
 *     report says whether the nodes will skip it (lib/kconfig.h).
 * What every node gets instead from its identity layer (the login user, ssh
 * on, the first-boot wizard masked, a NoCloud seed) and what stays as it is
 * (fake-hwclock) are noted too, so the report names every trap.
 */
#ifndef BRAMBLE_NETREADY_TRAPS_H
#define BRAMBLE_NETREADY_TRAPS_H

#include "objstore.h"

int netready_traps(const char *root, const char *boot, struct objstore *os, char **report);

/* Append one printf-formatted line to *report. */
void netready_note(char **report, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
