#include "chroot_env.h"

#include "err.h"
#include "filecopy.h"
#include "fsutil.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define RESOLV "etc/resolv.conf"

/* Debian architectures a machine (uname -m) runs without emulation. */
static const struct {
	const char *machine, *arch;
} native[] = {
	{ "x86_64", "amd64" }, { "x86_64", "i386" }, { "i686", "i386" },
	{ "aarch64", "arm64" }, { "aarch64", "armhf" }, { "aarch64", "armel" },
	{ "armv7l", "armhf" }, { "armv7l", "armel" }, { "riscv64", "riscv64" },
};

/* The qemu-user name of a Debian architecture. */
static const struct {
	const char *arch, *qemu;
} qemu[] = {
	{ "arm64", "aarch64" }, { "armhf", "arm" }, { "armel", "arm" },
	{ "amd64", "x86_64" }, { "i386", "i386" }, { "riscv64", "riscv64" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* binfmt_misc shows "enabled" and "flags: ..." lines per handler. */
static int binfmt_ok(const char *text, const char *path, const char *arch,
		     const char *machine, const char *q)
{
	const char *flags = strstr(text, "\nflags: ");
	size_t n = flags ? strcspn(flags + 8, "\n") : 0;

	if (strncmp(text, "enabled", 7))
		return err_set("image is %s and the qemu-%s handler in binfmt_misc is disabled "
			       "(%s): enable it with 'update-binfmts --enable qemu-%s'",
			       arch, q, path, q);
	if (!flags || !memchr(flags + 8, 'F', n))
		return err_set("image is %s and the qemu-%s handler in binfmt_misc lacks the F flag, "
			       "so it cannot run inside a chroot on this %s head (%s): re-register it "
			       "with flags F, as Debian's qemu-user-static package does",
			       arch, q, machine, path);
	return 0;
}

int chroot_can_run(const char *arch)
{
	const char *dir = getenv("BRAMBLE_BINFMT_DIR"), *q = NULL;
	struct utsname u;
	char *path, *text;
	int rc;

	if (uname(&u) < 0)
		return err_errno("uname");
	for (size_t i = 0; i < N(native); i++)
		if (!strcmp(native[i].machine, u.machine) && !strcmp(native[i].arch, arch))
			return 0;
	for (size_t i = 0; i < N(qemu); i++)
		if (!strcmp(qemu[i].arch, arch))
			q = qemu[i].qemu;
	if (!q)
		return err_set("image is %s: this %s head cannot run its programs, and qemu-user "
			       "has no emulator bramble knows for it", arch, u.machine);
	path = xasprintf("%s/qemu-%s", dir && *dir ? dir : BINFMT_DIR, q);
	if (read_file(path, &text, NULL) < 0) {
		rc = err_set("image is %s: running its programs on this %s head needs qemu-%s "
			     "registered in binfmt_misc (%s is missing): apt-get install "
			     "qemu-user-static binfmt-support, then 'update-binfmts --enable qemu-%s'",
			     arch, u.machine, q, path, q);
	} else {
		rc = binfmt_ok(text, path, arch, u.machine, q);
		free(text);
	}
	free(path);
	return rc;
}

/* Give upper lower's owner, mode and xattrs: the merged root's are upper's. */
static int like_lower(const char *lower, const char *upper)
{
	struct xattrs xa;
	struct stat st;
	int rc;

	if (lstat(lower, &st) < 0)
		return err_errno("cannot read %s", lower);
	if (xattrs_read(-1, lower, &xa) < 0)
		return -1;
	rc = inode_set_meta(-1, upper, &st, &xa);
	xattrs_free(&xa);
	return rc;
}

int chroot_overlay(const char *lower, const char *upper, const char *work, const char *target)
{
	char *opts;
	int rc;

	/* No redirects, no metacopy, no index: the upper dir then holds
	 * whole files, whiteouts and opaque dirs only. */
	opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,"
			 "redirect_dir=off,metacopy=off,index=off", lower, upper, work);
	if (strpbrk(lower, ",:") || strpbrk(upper, ",:") || strpbrk(work, ",:")) {
		rc = err_set("overlay paths cannot hold ',' or ':' (%s)", opts);
	} else if (mkdir_p(upper, 0755) < 0 || mkdir_p(work, 0700) < 0 ||
		   mkdir_p(target, 0755) < 0 || like_lower(lower, upper) < 0) {
		rc = -1;
	} else {
		rc = mount("overlay", target, "overlay", 0, opts);
		if (rc < 0)
			err_errno("cannot mount an overlay of %s at %s", lower, target);
	}
	free(opts);
	return rc;
}

static int in_root(int rootfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, rel[0] ? rel : ".", &how, sizeof how);
}

static void made(struct chroot_env *e, const char *rel)
{
	e->made = xrealloc(e->made, (e->nmade + 1) * sizeof *e->made);
	e->made[e->nmade++] = xstrdup(rel);
}

/*
 * Make rel (a directory, or a file when !dir) inside the tree if it is
 * missing, and its missing parents, remembering what was made.
 */
static int ensure(struct chroot_env *e, int rootfd, const char *rel, int dir)
{
	char *p = xstrdup(rel), *slash = p;
	int parent = dup(rootfd), rc = 0;

	while (rc == 0 && slash) {
		int last, fd;

		slash = strchr(slash + (slash != p), '/');
		last = !slash;
		if (slash)
			*slash = '\0';
		fd = in_root(rootfd, p, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			const char *name = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
			int r = dir || !last ? mkdirat(parent, name, 0755)
					     : openat(parent, name, O_CREAT | O_EXCL | O_WRONLY |
						      O_CLOEXEC, 0644);

			if (r < 0) {
				rc = err_errno("cannot create mount point /%s in %s", p, e->root);
				break;
			}
			if (!dir && last)
				close(r);	/* the file's fd */
			made(e, p);
			fd = in_root(rootfd, p, O_PATH);
		}
		if (fd < 0)
			rc = err_errno("cannot open /%s in %s", p, e->root);
		close(parent);
		parent = fd;
		if (slash)
			*slash = '/';
	}
	if (parent >= 0)
		close(parent);
	free(p);
	return rc;
}

/* Is the image's resolv.conf a file (or missing)? Not a symlink to bind over. */
static int resolv_bindable(int rootfd)
{
	int fd = in_root(rootfd, RESOLV, O_PATH | O_NOFOLLOW);
	struct stat st;
	int ok;

	if (fd < 0)
		return errno == ENOENT;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	return ok;
}

/* The API filesystems, mounted in this order. */
static const struct {
	const char *dir, *src, *type;
	unsigned long flags;
	const char *data;
} api[] = {
	{ "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "dev", "/dev", NULL, MS_BIND | MS_REC, NULL },
	{ "run", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
	{ "tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
};

/* A bind's mount point: a directory or a file, as its source is. */
static int ensure_bind(struct chroot_env *e, int rootfd, const struct chroot_bind *b)
{
	struct stat st;

	if (stat(b->src, &st) < 0)
		return err_errno("--bind %s:%s: cannot use %s", b->src, b->dst, b->src);
	return ensure(e, rootfd, b->dst + 1, S_ISDIR(st.st_mode));
}

int chroot_env_prepare(struct chroot_env *e)
{
	int rootfd = open(e->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (rootfd < 0)
		return err_errno("cannot open %s", e->root);
	for (size_t i = 0; rc == 0 && i < e->nbinds; i++)
		rc = ensure_bind(e, rootfd, &e->binds[i]);
	for (size_t i = 0; rc == 0 && i < N(api); i++)
		rc = ensure(e, rootfd, api[i].dir, 1);
	if (rc == 0 && path_exists("/etc/resolv.conf") && resolv_bindable(rootfd))
		rc = ensure(e, rootfd, RESOLV, 0);
	close(rootfd);
	return rc;
}

int chroot_env_cleanup(struct chroot_env *e)
{
	int rootfd = open(e->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	/* Last made first: children before their parents. Not empty any
	 * more means the command put something there: that stays. */
	for (size_t i = e->nmade; i-- > 0;) {
		char *slash = strrchr(e->made[i], '/');
		const char *name = slash ? slash + 1 : e->made[i];
		int parent = -1;
		struct stat st;

		if (slash)
			*slash = '\0';
		parent = rootfd < 0 ? -1 : slash ? in_root(rootfd, e->made[i], O_PATH) : dup(rootfd);
		if (parent >= 0 && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (S_ISDIR(st.st_mode) || st.st_size == 0) &&
		    unlinkat(parent, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0 &&
		    errno != ENOTEMPTY && rc == 0)
			rc = err_errno("cannot remove mount point %s/%s", e->root, name);
		if (parent >= 0)
			close(parent);
		free(e->made[i]);
	}
	free(e->made);
	e->made = NULL;
	e->nmade = 0;
	if (rootfd >= 0)
		close(rootfd);
	return rc;
}

/* Mount onto rel inside the tree, resolved inside it. */
static int mount_in(int rootfd, const char *rel, const char *src, const char *type,
		    unsigned long flags, const char *data)
{
	int fd = in_root(rootfd, rel, O_PATH);
	char at[64];
	int rc;

	if (fd < 0)
		return err_errno("cannot open mount point /%s", rel);
	snprintf(at, sizeof at, "/proc/self/fd/%d", fd);
	rc = mount(src, at, type, flags, data);
	close(fd);
	if (rc < 0)
		return err_errno("cannot mount %s on /%s", src, rel);
	return 0;
}

static int bind_ro(int rootfd, const char *rel, const char *src)
{
	if (mount_in(rootfd, rel, src, NULL, MS_BIND, NULL) < 0)
		return -1;
	/* Resolved again: the new mount is on top now. */
	return mount_in(rootfd, rel, "none", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
}

/* In the command's namespace: its own /proc, the API filesystems, binds. */
static int mount_all(const struct chroot_env *e)
{
	struct chroot_env scratch = { .root = e->root };
	int rootfd, rc = 0;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_errno("cannot make a private mount namespace");
	rootfd = open(e->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_errno("cannot open %s", e->root);
	for (size_t i = 0; rc == 0 && i < N(api); i++)
		rc = mount_in(rootfd, api[i].dir, api[i].src, api[i].type, api[i].flags,
			      api[i].data);
	if (rc == 0 && path_exists("/etc/resolv.conf") && resolv_bindable(rootfd))
		rc = bind_ro(rootfd, RESOLV, "/etc/resolv.conf");
	/* A bind into /tmp or /run needs its mount point in the tmpfs, made
	 * again here; it goes with the tmpfs (scratch's list is dropped). */
	for (size_t i = 0; rc == 0 && i < e->nbinds; i++)
		if ((rc = ensure_bind(&scratch, rootfd, &e->binds[i])) == 0)
			rc = mount_in(rootfd, e->binds[i].dst + 1, e->binds[i].src, NULL,
				      MS_BIND | MS_REC, NULL);
	close(rootfd);
	return rc;
}

static void env_add(char ***env, size_t *n, const char *name, const char *value)
{
	if (!value)
		return;
	*env = xrealloc(*env, (*n + 2) * sizeof **env);
	(*env)[(*n)++] = xasprintf("%s=%s", name, value);
	(*env)[*n] = NULL;
}

static char **command_env(const struct chroot_env *e)
{
	static const char *const passed[] = { "TERM", "http_proxy", "https_proxy", "no_proxy",
					      "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY" };
	char **env = NULL;
	size_t n = 0;

	env_add(&env, &n, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(&env, &n, "HOME", "/root");
	env_add(&env, &n, "LANG", "C.UTF-8");
	env_add(&env, &n, "PS1", e->prompt);
	for (size_t i = 0; i < N(passed); i++)
		env_add(&env, &n, passed[i], getenv(passed[i]));
	return env;
}

/* The command itself: chrooted, default signals, clean environment. */
static void command(const struct chroot_env *e, char *const argv[], int errfd)
{
	extern char **environ;

	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	environ = command_env(e);
	if (chroot(e->root) < 0 || chdir("/") < 0) {
		dprintf(errfd, "cannot chroot into %s: %s", e->root, strerror(errno));
		_exit(127);
	}
	execvp(argv[0], argv);
	dprintf(errfd, "cannot run %s in the image: %s", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Fork fn, wait for it, and exit with its exit status (128 + signal when
 * killed). As PID 1 this also reaps whatever the command left; exiting
 * then kills all of it.
 */
static _Noreturn void run_and_exit(void (*fn)(const struct chroot_env *, char *const[], int),
				   const struct chroot_env *e, char *const argv[], int errfd)
{
	int status;
	pid_t pid = fork(), p;

	if (pid == 0)
		fn(e, argv, errfd);
	if (pid < 0) {
		dprintf(errfd, "cannot start %s: %s", argv[0], strerror(errno));
		_exit(255);
	}
	while ((p = wait(&status)) != pid)
		if (p < 0 && errno != EINTR)
			_exit(255);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* PID 1 of the command's namespace: mounts, then runs the command. */
static void ns_init(const struct chroot_env *e, char *const argv[], int errfd)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || mount_all(e) < 0) {
		dprintf(errfd, "%s", err_get());
		_exit(255);
	}
	run_and_exit(command, e, argv, errfd);
}

/*
 * Between us and PID 1: makes the PID namespace (so ours stays usable for
 * forks) and passes PID 1's exit status on. Dies with us, PID 1 with it.
 */
static void ns_parent(const struct chroot_env *e, char *const argv[], int errfd, pid_t us)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != us)
		_exit(255);
	if (unshare(CLONE_NEWPID) < 0) {
		dprintf(errfd, "cannot make a PID namespace: %s", strerror(errno));
		_exit(255);
	}
	run_and_exit(ns_init, e, argv, errfd);
}

int chroot_env_run(const struct chroot_env *e, char *const argv[], int *status)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	char msg[1024];
	int errp[2], st;
	ssize_t n;
	pid_t pid, us = getpid();

	if (pipe2(errp, O_CLOEXEC) < 0)
		return err_errno("cannot run %s", argv[0]);
	/* Like system(): the terminal's ^C is the command's. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		close(errp[0]);
		ns_parent(e, argv, errp[1], us);
	}
	close(errp[1]);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	n = read(errp[0], msg, sizeof msg - 1);
	close(errp[0]);
	if (pid < 0)
		return err_errno("cannot run %s", argv[0]);
	if (n > 0) {
		msg[n] = '\0';
		return err_set("%s", msg);
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
