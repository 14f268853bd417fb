/*
 * The file names inside an initramfs, read the way the kernel unpacks it
 * (Documentation/driver-api/early-userspace/buffer-format.rst): newc cpio
 * archives one after another, uncompressed ones first (early microcode),
 * then a compressed stream (gzip, zstd, xz, lzma, lz4, bzip2, lzo) that
 * holds more of them; zero padding may sit between archives.
 *
 * Compressed streams go through the decompressor program (gzip -dc ...,
 * killed if we die); a missing program is an error naming its package.
 */
#ifndef BRAMBLE_INITRD_LIST_H
#define BRAMBLE_INITRD_LIST_H

/* Called for every member (directories too), name without a leading "./". */
typedef void (*initrd_fn)(const char *name, void *arg);

/* 0 when the whole initramfs was read; -1 with the error set. */
int initrd_list(const char *path, initrd_fn fn, void *arg);

#endif
