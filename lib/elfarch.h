/*
 * The architecture of an installed system, from the ELF header of its
 * /sbin/init (or /bin/sh), as a Debian architecture name: arm64, armhf,
 * armel, amd64, i386, riscv64. Symlinks are resolved inside the tree
 * (openat2 RESOLVE_IN_ROOT), so /sbin/init -> /lib/systemd/systemd names
 * the image's file, never the host's.
 */
#ifndef BRAMBLE_ELFARCH_H
#define BRAMBLE_ELFARCH_H

/* *arch is a static string. */
int elfarch_detect(const char *root, const char **arch);

#endif
