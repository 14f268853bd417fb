/*
 * Extended attributes of one inode, read and written as a set: file
 * capabilities (security.capability), ACLs (system.posix_acl_*), SELinux
 * labels and user.* attributes all travel the same way. Sorted by name so
 * two reads of equal inodes give equal sets (the object store hashes them).
 */
#ifndef BRAMBLE_XATTRS_H
#define BRAMBLE_XATTRS_H

#include <stddef.h>

struct xattr {
	char *name;
	void *value;
	size_t len;
};

struct xattrs {
	struct xattr *v;
	size_t n;
};

/*
 * Read every attribute of fd (fd >= 0) or of path without following a
 * final symlink (fd < 0). path names the inode in error messages either way.
 */
int xattrs_read(int fd, const char *path, struct xattrs *out);
/* Set every attribute on fd or path (as above). Set security.capability
 * after chown: chown clears it. */
int xattrs_apply(int fd, const char *path, const struct xattrs *xa);
void xattrs_free(struct xattrs *xa);

#endif
