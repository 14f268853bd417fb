/*
 * The node's root: an overlay of its identity layer and image version
 * under its own writable state, mounted so that an NFS server can export
 * it (reference nfs.md §4): index=on + nfs_export=on for file handles,
 * xino=on for layers on other filesystems, redirect_dir=on so clients can
 * rename directories that come from the image.
 */
#include "nfsroot_int.h"

#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static char *lower_opt(const struct nfsroot *r)
{
	return xasprintf("lowerdir=%s:%s", r->ident, r->image_root);
}

int overlay_state(const struct nfsroot *r)
{
	struct mnt m;
	char *lower;
	int rc = mountinfo_find(r->mountpoint, true, &m);

	if (rc <= 0)
		return rc < 0 ? -1 : NOT_MOUNTED;
	if (strcmp(m.fstype, "overlay")) {
		rc = err_set("%s: %s is a %s mount, not the node's overlay: unmount it",
			     r->name, r->mountpoint, m.fstype);
	} else {
		char *upper = xasprintf("upperdir=%s", r->upper);
		lower = lower_opt(r);
		rc = opts_have(m.opts, lower) && opts_have(m.opts, upper) ? MOUNTED_SAME
									: MOUNTED_OTHER;
		free(lower);
		free(upper);
	}
	mnt_free(&m);
	return rc;
}

int nfsroot_mounted(const char *mountpoint)
{
	struct mnt m;
	int rc = mountinfo_find(mountpoint, true, &m);

	if (rc > 0)
		rc = strcmp(m.fstype, "overlay") == 0;
	mnt_free(&m);
	return rc;
}

/* st_dev of path, or of its nearest existing parent (upper may not exist yet). */
static dev_t dev_of(const char *path)
{
	char *p = xstrdup(path);
	struct stat st = { 0 };

	while (stat(p, &st) < 0 && strcmp(p, "/")) {
		char *up = dir_of(p);

		free(p);
		p = up;
	}
	free(p);
	return st.st_dev;
}

static int check_layers(const struct nfsroot *r)
{
	struct stat st;

	if (stat(r->ident, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set("%s has no identity layer at %s: render it with "
			       "'imgtool node set %s' or re-add the node", r->name, r->ident, r->name);
	if (stat(r->image_root, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set("%s: image root %s is missing: is the image version still in "
			       "the store ('imgtool image list')?", r->name, r->image_root);
	if (dev_of(r->upper) != st.st_dev)
		return err_set("%s: its state dir %s is on another filesystem than the image "
			       "%s: keep nodes/ and images/ on one filesystem (the overlay "
			       "cannot be NFS-exported reliably otherwise)",
			       r->name, r->upper, r->image_root);
	return 0;
}

static int do_mount(const struct nfsroot *r)
{
	char *lower = lower_opt(r);
	char *opts = xasprintf("%s,upperdir=%s,workdir=%s,redirect_dir=on,index=on,"
			       "nfs_export=on,xino=on", lower, r->upper, r->work);
	/* The head never runs or opens what it serves: nosuid and nodev act on
	 * its own exec and open only, while NFS clients still get every mode
	 * bit and device number as they are. */
	int rc = mount("overlay", r->mountpoint, "overlay", MS_NOSUID | MS_NODEV, opts);
	int e = errno;

	free(lower);
	free(opts);
	errno = e;
	return rc;
}

/*
 * With index=on the upper root records the identity dir it was first
 * mounted over (trusted.overlay.origin). A replaced ident dir then fails
 * the mount with ESTALE; the reset of reference §4 makes it mountable.
 * Clients holding old file handles must reboot.
 */
static int reset_origin(const struct nfsroot *r)
{
	char *index = xasprintf("%s/index", r->work), *work = xasprintf("%s/work", r->work);
	int rc = -1;

	log_warn("%s: the identity layer %s was replaced rather than re-rendered in place; "
		 "resetting the overlay's origin (the node must reboot)", r->name, r->ident);
	if (removexattr(r->upper, "trusted.overlay.origin") < 0 && errno != ENODATA)
		err_errno("cannot reset trusted.overlay.origin of %s", r->upper);
	else if (rm_rf(index) == 0 && rm_rf(work) == 0)
		rc = 0;
	free(index);
	free(work);
	return rc;
}

static bool has_file_handles(const char *path)
{
	struct file_handle *fh = xmalloc(sizeof *fh + MAX_HANDLE_SZ);
	int mount_id, rc;

	fh->handle_bytes = MAX_HANDLE_SZ;
	rc = name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0);
	free(fh);
	return rc == 0 || errno != EOPNOTSUPP;
}

static bool in_user_namespace(void)
{
	char *map = NULL;
	bool userns;

	if (read_file("/proc/self/uid_map", &map, NULL) < 0) {
		err_clear();
		return false;
	}
	userns = !strstr(map, "4294967295");	/* the initial namespace maps all ids */
	free(map);
	return userns;
}

/* Why did the kernel turn nfs_export off? The overlayfs rules of §4. */
static int nfs_export_dropped(const struct nfsroot *r)
{
	const char *layers[] = { r->ident, r->image_root, r->upper };

	for (size_t i = 0; i < 3; i++)
		if (!has_file_handles(layers[i]))
			return err_set("%s: the kernel mounted its overlay without nfs_export: %s "
				       "is on a filesystem without file handles (ramfs?); not "
				       "exported", r->name, layers[i]);
	if (in_user_namespace())
		return err_set("%s: the kernel mounted its overlay without nfs_export: running "
			       "in an unprivileged user namespace; run as real root", r->name);
	if (dev_of(r->ident) != dev_of(r->upper))
		return err_set("%s: the kernel mounted its overlay without nfs_export: the "
			       "identity layer %s is on another filesystem whose UUID is null "
			       "or not unique (see dmesg); not exported", r->name, r->ident);
	return err_set("%s: the kernel mounted its overlay without nfs_export (see dmesg "
		       "for the overlayfs warning); not exported", r->name);
}

int nfsroot_mount(const struct nfsroot *r)
{
	struct mnt m;
	int state = overlay_state(r), rc;

	if (state == MOUNTED_SAME)
		return 0;
	if (state == MOUNTED_OTHER)
		return err_set("%s is mounted with other layers (a new image version?): "
			       "unpublish it first", r->name);
	if (state < 0 || check_layers(r) < 0)
		return -1;
	if (mkdir_p(r->upper, 0755) < 0 || mkdir_p(r->work, 0755) < 0 ||
	    mkdir_p(r->mountpoint, 0755) < 0 || nfsroot_share(r->state_dir) < 0 ||
	    upper_reset_if_moved(r) < 0)
		return -1;
	rc = do_mount(r);
	if (rc < 0 && errno == ESTALE) {
		if (reset_origin(r) < 0)
			return -1;
		rc = do_mount(r);
	}
	if (rc < 0 && errno == EBUSY)
		return err_set("%s: its state dir %s is in use by another overlay (a copy of the "
			       "mount in another mount namespace, e.g. a process started with "
			       "'ip netns exec' or 'unshare -m' while it was mounted): stop it",
			       r->name, r->upper);
	if (rc < 0)
		return err_errno("%s: cannot mount its overlay at %s", r->name, r->mountpoint);
	rc = mountinfo_find(r->mountpoint, true, &m);
	if (rc > 0 && opts_have(m.opts, "nfs_export=on")) {
		mnt_free(&m);
		if (upper_note_image(r) < 0)
			log_warn("%s", err_get());
		return 0;
	}
	mnt_free(&m);
	if (rc > 0)
		nfs_export_dropped(r);
	else if (rc == 0)
		err_set("%s: mounted at %s but not in /proc/self/mountinfo", r->name, r->mountpoint);
	if (umount2(r->mountpoint, UMOUNT_NOFOLLOW) < 0)
		log_warn("cannot unmount %s again: %s", r->mountpoint, strerror(errno));
	return -1;
}

int nfsroot_umount(const char *mountpoint)
{
	/* Ganesha lets go of an export's files shortly after the reload. */
	for (int waited = 0;; ) {
		int m = nfsroot_mounted(mountpoint);

		if (m <= 0)
			return m;
		if (umount2(mountpoint, UMOUNT_NOFOLLOW) == 0)
			continue;	/* stacked mounts: look again */
		if (errno != EBUSY || waited >= 5000)
			return err_errno("cannot unmount %s (still exported, or a process uses "
					 "it: fuser -vm %s)", mountpoint, mountpoint);
		usleep(50 * 1000);
		waited += 50;
	}
}

int nfsroot_share(const char *dir)
{
	char *real = realpath(dir, NULL);
	struct mnt m;
	int rc = -1;

	if (!real)
		return err_errno("cannot resolve %s", dir);
	if (mountinfo_find(real, false, &m) <= 0) {
		err_set("cannot find the mount holding %s in /proc/self/mountinfo", real);
	} else if (strstr(m.tags, "shared:")) {
		rc = 0;
	} else if (strcmp(m.point, real) &&
		   mount(real, real, NULL, MS_BIND | MS_REC, NULL) < 0) {
		/* Recursive, so roots mounted before now stay visible on top. */
		err_errno("cannot bind-mount %s on itself", real);
	} else if (mount(NULL, real, NULL, MS_SHARED, NULL) < 0) {
		err_errno("cannot make %s a shared mount", real);
	} else {
		rc = 0;
	}
	mnt_free(&m);
	free(real);
	return rc;
}
