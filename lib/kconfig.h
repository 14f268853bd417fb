/*
 * Does an image's kernel mount an NFS root by itself, without an initramfs?
 * Read from the kernel configs its packages install (/boot/config-*, or
 * config-* among the boot files where the boot partition is /boot; without
 * any, the config each kernel*.img of the boot files carries, lib/ikconfig.h): it
 * does when every one of them has the NFS root and IP autoconfiguration
 * with DHCP built in (CONFIG_ROOT_NFS, CONFIG_IP_PNP, CONFIG_IP_PNP_DHCP
 * =y). Then a Pi need not fetch the initramfs (12.7 MiB for Pi OS), and
 * its config.txt says so (overlays/boot/config.txt.tmpl).
 */
#ifndef BRAMBLE_KCONFIG_H
#define BRAMBLE_KCONFIG_H

/*
 * 1: it does (*why: the configs read), 0: it may not (*why: the reason),
 * -1: error (a config that cannot be read). *why is newly allocated.
 */
int kconfig_nfsroot(const char *root, const char *boot, char **why);

#endif
