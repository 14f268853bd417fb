/*
 * A node's writable layer across image versions.
 *
 * With index=on and nfs_export=on the upper dir remembers, in
 * trusted.overlay.origin, the lower inode each copied-up entry came from
 * (directories are copied up merely by encoding their NFS handles). On
 * lookup the kernel does not merge a directory whose origin is not the
 * lower directory found by name, and fails a file whose origin does not
 * match (ESTALE). A new image version brings new directories, and new
 * inodes for the files it changed: over it, an upper written over the old
 * version would hide the new version's files (its copied-up usr/sbin
 * showing empty: no /sbin/init).
 *
 * So when the image layer changed since the last mount, every origin is
 * dropped and the index cleared (reference nfs.md §4's reset, over the
 * whole tree); the kernel records them afresh from the new layers. The
 * node's files, whiteouts and opaque directories stay: its state is kept
 * across versions. Clients must reboot, which an image switch asks anyway.
 *
 * The image layer of the last mount is kept beside the upper dir, in
 * nodes/<n>/state/upper.image.
 */
#include "nfsroot_int.h"

#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define ORIGIN "trusted.overlay.origin"

static char *image_file(const struct nfsroot *r)
{
	return xasprintf("%s.image", r->upper);
}

static int drop_origin(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (lremovexattr(path, ORIGIN) < 0 && errno != ENODATA && errno != ENOTSUP) {
		err_errno("cannot remove %s of %s", ORIGIN, path);
		return 1;
	}
	return 0;
}

int upper_reset_if_moved(const struct nfsroot *r)
{
	char *path = image_file(r), *last = NULL;
	char *index = xasprintf("%s/index", r->work), *work = xasprintf("%s/work", r->work);
	int rc = 0;

	/* no record (never mounted, or mounted by an older bramble): nothing known */
	if (!path_exists(path))
		goto out;
	if (read_file(path, &last, NULL) < 0) {
		rc = -1;
		goto out;
	}
	if (!strcmp(last, r->image_root))
		goto out;
	log_info("%s: image layer changed (%s -> %s): dropping the overlay origins its state "
		 "recorded", r->name, last, r->image_root);
	if (nftw(r->upper, drop_origin, 32, FTW_PHYS | FTW_MOUNT) != 0 ||
	    rm_rf(index) < 0 || rm_rf(work) < 0)
		rc = err_wrap("%s: resetting its state over the new image: ", r->name);
out:
	free(path);
	free(last);
	free(index);
	free(work);
	return rc;
}

int upper_note_image(const struct nfsroot *r)
{
	char *path = image_file(r);
	int rc = write_if_changed(path, r->image_root) < 0 ? -1 : 0;

	free(path);
	return rc;
}
