/*
 * Comparing directory trees: two image versions (`imgtool image diff`), or
 * an overlay's upper dir against its lower one (committing `image exec`).
 *
 * Two entries are the same when type, permission bits, owner, size,
 * device number, symlink target, xattrs and content are equal, and for
 * non-directories the mtime too. A directory's times are not compared:
 * adding or removing an entry changes them, and that entry is listed
 * itself. Two names of one inode are the same without reading a byte
 * (versions share unchanged files as one object), so comparing two
 * versions costs a stat per entry plus reading what really changed.
 *
 * overlayfs keeps its bookkeeping in trusted.overlay.* xattrs of the upper
 * dir; those are never part of an entry.
 */
#ifndef BRAMBLE_TREEDIFF_H
#define BRAMBLE_TREEDIFF_H

#include "xattrs.h"

#include <sys/stat.h>

/*
 * Visit the names of two open directories in byte order, each once: st_a
 * or st_b is NULL where that side has no such name. A side may be -1 (an
 * empty directory). path names the directory pair in messages and is
 * passed on.
 */
typedef int (*tree_merge_fn)(void *arg, const char *path, const char *name,
			     const struct stat *st_a, const struct stat *st_b);
int tree_merge(int fd_a, int fd_b, const char *path, tree_merge_fn fn, void *arg);

/* xattrs_read() without overlayfs' trusted.overlay.* attributes. */
int tree_xattrs(int fd, const char *path, struct xattrs *xa);

/* Is a (whose lstat is st_a) the same as b? 1 yes, 0 no, -1 error. */
int tree_same(const char *a, const struct stat *st_a, const char *b, const struct stat *st_b);

/*
 * Report every difference from tree a to tree b: '+' only in b, '-' only
 * in a, 'M' in both but not the same (a changed type is 'M' and the old
 * or new directory's entries are '-' or '+'). Paths are prefix/relative
 * path. a or b may be NULL or missing: an empty tree.
 */
typedef int (*treediff_fn)(void *arg, char kind, const char *path);
int treediff(const char *a, const char *b, const char *prefix, treediff_fn fn, void *arg);

#endif
