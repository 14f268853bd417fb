/*
 * Running a command chrooted into an image's tree, the way `imgtool image
 * exec` does, with the API filesystems a package manager needs:
 *
 *   /proc            a proc of the command's own PID namespace
 *   /sys             sysfs, read-only
 *   /dev             the host's /dev (recursive bind)
 *   /run, /tmp       empty tmpfs: what a command leaves there is not the image's
 *   /etc/resolv.conf the host's, read-only (when the image's is a file or missing)
 *   --bind SRC:DST   the caller's binds
 *
 * The command runs in a new PID namespace and mount namespace of its own:
 * when it exits (or we are killed), every process it left behind is
 * killed and every mount above vanishes with the namespace. Mount points
 * the image lacks are created for the run and removed afterwards, so they
 * are no change of the image. Paths inside the tree are resolved inside it
 * (an absolute symlink in the image never leads to the host's files).
 *
 * Programs of another architecture run through binfmt_misc's qemu-user
 * handler, which needs the F flag (the interpreter opened at registration,
 * so it works inside the chroot).
 */
#ifndef BRAMBLE_CHROOT_ENV_H
#define BRAMBLE_CHROOT_ENV_H

#include <stddef.h>

struct chroot_bind {
	const char *src;	/* host path, a directory or a file */
	const char *dst;	/* absolute path inside the tree */
};

struct chroot_env {
	const char *root;
	const struct chroot_bind *binds;
	size_t nbinds;
	const char *prompt;	/* PS1 for an interactive shell; NULL: none */
	/* mount points made for the run, removed by chroot_env_cleanup() */
	char **made;
	size_t nmade;
};

/*
 * Can this machine run programs of the Debian architecture arch (the
 * image's)? Natively, or through binfmt_misc's qemu handler with the F
 * flag (looked up in $BRAMBLE_BINFMT_DIR, default /proc/sys/fs/binfmt_misc).
 * Otherwise one error line saying how to enable it.
 */
int chroot_can_run(const char *arch);

/*
 * Mount an overlay of lower (read-only) under upper and work (created) at
 * target (created). The upper dir starts with lower's owner, mode and
 * xattrs, so the merged root looks like lower's.
 */
int chroot_overlay(const char *lower, const char *upper, const char *work, const char *target);

/* Check the binds and create the mount points e->root lacks. */
int chroot_env_prepare(struct chroot_env *e);
/*
 * Run argv (PATH searched inside the tree) chrooted in e->root, with
 * stdin, stdout and stderr passed through and a clean environment (PATH,
 * HOME, TERM, LANG, proxies). *status is its exit status, 128 + signal
 * when killed. -1 only when it could not be started (err set).
 */
int chroot_env_run(const struct chroot_env *e, char *const argv[], int *status);
/* Remove the mount points prepare made (after the run). */
int chroot_env_cleanup(struct chroot_env *e);

#endif
