/*
 * One regular file's data and one inode's metadata, copied exactly: holes
 * stay holes (SEEK_DATA/SEEK_HOLE), and metadata is set in the only order
 * that keeps it: owner, then mode (chown clears set-id bits), then xattrs
 * (chown clears security.capability), then times (anything else moves them).
 */
#ifndef BRAMBLE_FILECOPY_H
#define BRAMBLE_FILECOPY_H

#include "xattrs.h"

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* A run of data; the bytes between extents are holes. */
struct extent {
	off_t off, len;
};

/*
 * The data extents of fd. A file whose blocks cover its size is one extent
 * without asking the filesystem, so only sparse files pay for the lookups.
 */
int file_extents(int fd, const char *path, const struct stat *st,
		 struct extent **out, size_t *n);
/* Copy the extents from src to dst and set dst's size; dst starts empty. */
int file_copy_data(int src, const char *spath, int dst, const char *dpath,
		   const struct extent *ex, size_t n, off_t size);
/* pread/pwrite until done; -1 with errno on failure, short read is EIO. */
int file_pread(int fd, void *buf, size_t len, off_t off);
int file_pwrite(int fd, const void *buf, size_t len, off_t off);
/*
 * Owner, mode, xattrs and times of st/xa onto fd, or onto path (without
 * following a symlink) when fd < 0.
 */
int inode_set_meta(int fd, const char *path, const struct stat *st, const struct xattrs *xa);

#endif
