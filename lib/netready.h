/*
 * Make an imported Raspberry Pi OS tree netboot-ready, in its staging copy
 * (never in a published version):
 *   - /etc/fstab loses its SD card entries (PARTUUID=, /dev/mmcblk*, and
 *     whatever mounts /, /boot or /boot/firmware); proc and the rest stay;
 *   - the first-boot resize and swap-file services are disabled (their
 *     rc?.d and *.wants links removed) and masked, so a later apt upgrade
 *     cannot bring them back: resize2fs_once, dphys-swapfile, rpi-resize,
 *     rpi-resize-swap-file; and regenerate_ssh_host_keys, which would
 *     replace the host keys each node keeps in its identity layer;
 *   - cmdline.txt loses the first-boot init= (raspberrypi-sys-mods
 *     firstboot, older raspi-config init_resize.sh) that resizes the SD card;
 *   - the traps of lib/netready_traps.h (NetworkManager, rpi-swap, boot
 *     partition cloud-init seeds).
 * A changed file is written as a new file (the old one is a link to a
 * shared object) and stored through os. Each change is one line of the
 * report.
 */
#ifndef BRAMBLE_NETREADY_H
#define BRAMBLE_NETREADY_H

#include "objstore.h"

/* root and boot are the staged trees; *report gets the change lines. */
int netready_apply(const char *root, const char *boot, struct objstore *os, char **report);

#endif
