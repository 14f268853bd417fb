/*
 * The build config a Linux kernel image carries in itself
 * (CONFIG_IKCONFIG): a gzip stream between the markers "IKCFG_ST" and
 * "IKCFG_ED" (kernel/configs.c), in the image as it is or, for a
 * gzip-compressed image (a Pi's kernel8.img, vmlinuz.gz), in its
 * decompressed form. Decompressed with zlib.
 */
#ifndef BRAMBLE_IKCONFIG_H
#define BRAMBLE_IKCONFIG_H

#include <stddef.h>

/* 1 and *config (NUL-terminated, newly allocated) when the kernel in buf
 * carries its config, 0 when it does not, -1 (err set) when it is corrupt. */
int ikconfig_find(const unsigned char *buf, size_t len, char **config);

#endif
