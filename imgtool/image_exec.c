/*
 * imgtool image exec NAME[@VER] [--bind SRC:DST]... -- CMD...
 *
 * CMD runs chrooted in an overlay whose lower layer is the version's root/
 * (and, at /boot/firmware, its boot/), so the version itself is never
 * written. The overlay's upper dirs live in <state>/tmp/exec.XXXXXX; when
 * CMD exits 0 having changed something, they are committed as the next
 * version (lib/image_commit.h), else thrown away.
 *
 * The state lock is held only to make the exec dir and to commit, so a
 * long upgrade or an interactive shell does not block other commands. An
 * exec dir is flock()ed while in use; the next exec removes those a killed
 * exec left. All mounts live in private mount namespaces: none outlives us.
 */
#include "commands.h"
#include "image_exec.h"

#include "diskimage.h"
#include "crashpoint.h"
#include "err.h"
#include "fsutil.h"
#include "image_commit.h"
#include "kernel_update.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXEC_PREFIX "exec."
#define MiB (1024.0 * 1024.0)

/* One run: the version, its exec dir and what is mounted. */
struct run {
	struct exec_run *r;
	struct state *st;
	sqlite3 *db;
	char *name, *vdir, *dir;
	int ver, dir_fd;
	char *mnt, *boot_mnt;		/* mounted overlays; NULL when not */
	char *upper_root, *upper_boot;
};

static int usage(FILE *f)
{
	fputs("usage: imgtool image exec NAME[@VER] [--bind SRC:DST]... -- CMD [ARG...]\n\n"
	      "Run CMD chrooted in a throwaway overlay over the image version (the newest\n"
	      "when no @VER) and, if it exits 0 having changed files, store the changes as\n"
	      "the next version of NAME. Only what changed costs space: unchanged files are\n"
	      "shared with the version it came from. Removed files are gone in the new\n"
	      "version. The version itself is never changed.\n\n"
	      "CMD sees its own /proc, /sys (read-only), the host's /dev, empty /run and\n"
	      "/tmp, and the host's /etc/resolv.conf; its stdin, stdout and stderr are\n"
	      "ours; its exit status is ours when it fails (nothing is created then). The\n"
	      "environment is clean: PATH, HOME=/root, LANG=C.UTF-8, TERM and proxy\n"
	      "variables. Processes it leaves running are killed when it exits. An arm64\n"
	      "image on an x86_64 head runs through qemu-user-static's binfmt_misc handler.\n"
	      "Prints the number of changed, added and removed paths and the new version.\n"
	      "Needs root.\n\n"
	      "  --bind SRC:DST  bind-mount the host's SRC at DST inside the image for the run\n"
	      "                  (repeatable; DST is created for the run if missing)\n"
	      "  -q, --quiet     print errors only\n"
	      "  -h, --help      this text\n\n"
	      "example: imgtool image exec bookworm -- sh -c 'apt-get update && apt-get -y upgrade'\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int add_bind(struct exec_run *r, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct chroot_bind *b;

	if (!colon || colon == arg || colon[1] != '/' || colon[2] == '\0')
		return err_set("--bind %s: give SRC:DST with DST an absolute path inside the image, "
			       "not / (e.g. --bind /srv/debs:/mnt/debs)", arg);
	r->binds = xrealloc(r->binds, (r->nbinds + 1) * sizeof *r->binds);
	b = &r->binds[r->nbinds++];
	b->src = strndup(arg, (size_t)(colon - arg));
	b->dst = colon + 1;
	return 0;
}

int exec_options(struct ctx *ctx, struct exec_run *r, int argc, char **argv,
		 int (*usage)(FILE *))
{
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'b')
			return usage(stderr);
		if (add_bind(r, optarg) < 0)
			return cli_usage(ctx, "%s", err_get());
	}
	return 0;
}

/* Remove exec dirs whose exec is gone (nobody holds their flock). Under
 * the state lock no new exec dir appears meanwhile. */
static void sweep(const struct state *st)
{
	char *tmp = state_path(st, "tmp");
	DIR *d = opendir(tmp);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *p;

		if (strncmp(e->d_name, EXEC_PREFIX, strlen(EXEC_PREFIX)))
			continue;
		p = xasprintf("%s/%s", tmp, e->d_name);
		if (dir_in_use(p) == 0) {
			log_info("removing %s, left by an interrupted image exec", p);
			rm_rf(p);
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(tmp);
}

/* Under the state lock: sweep, then make and flock our exec dir. */
static int make_dir(struct run *x, struct ctx *ctx)
{
	if (!ctx_state_locked(ctx))
		return -1;
	sweep(x->st);
	x->dir = state_path(x->st, "tmp/" EXEC_PREFIX "XXXXXX");
	if (!mkdtemp(x->dir)) {
		err_errno("cannot create %s", x->dir);
		free(x->dir);
		x->dir = NULL;
	} else if ((x->dir_fd = open(x->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		   flock(x->dir_fd, LOCK_EX) < 0) {
		err_errno("cannot lock %s", x->dir);
	}
	state_unlock(x->st);
	return x->dir && x->dir_fd >= 0 ? 0 : -1;
}

/* Where the image mounts its boot partition: /boot/firmware or /boot. */
static char *boot_mountpoint(const char *mnt)
{
	static const char *const where[] = { "boot/firmware", "boot" };
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", mnt, where[i]);

		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return p;
		free(p);
	}
	return NULL;
}

/* An overlay of the version's sub (root, boot) at target; upper and work
 * dirs in the exec dir. */
static int overlay_of(struct run *x, const char *sub, const char *target, char **upper)
{
	char *lower = xasprintf("%s/%s", x->vdir, sub), *work = xasprintf("%s/%s.work", x->dir, sub);
	int rc;

	*upper = xasprintf("%s/%s.upper", x->dir, sub);
	rc = chroot_overlay(lower, *upper, work, target);
	free(lower);
	free(work);
	return rc;
}

static int mount_overlays(struct run *x)
{
	char *mnt = xasprintf("%s/mnt", x->dir), *boot;

	if (overlay_of(x, "root", mnt, &x->upper_root) < 0) {
		free(mnt);
		return -1;
	}
	x->mnt = mnt;
	if (!(boot = boot_mountpoint(x->mnt)))
		return 0;	/* the image has no place for boot files: boot/ stays as it is */
	if (overlay_of(x, "boot", boot, &x->upper_boot) < 0) {
		free(boot);
		return -1;
	}
	x->boot_mnt = boot;
	return 0;
}

static int umount_overlays(struct run *x)
{
	int rc = 0;

	if (x->boot_mnt && umount2(x->boot_mnt, 0) < 0)
		rc = err_errno("cannot unmount %s", x->boot_mnt);
	if (rc == 0 && x->mnt && umount2(x->mnt, 0) < 0)
		rc = err_errno("cannot unmount %s", x->mnt);
	if (rc == 0) {
		free(x->boot_mnt);
		free(x->mnt);
		x->boot_mnt = x->mnt = NULL;
	}
	return rc;
}

/* Run the command; *status is its exit status. */
static int run_command(struct run *x, int *status)
{
	char *prompt = xasprintf("(%s@%d) # ", x->name, x->ver);
	struct chroot_env env = {
		.root = x->mnt,
		.binds = x->r->binds,
		.nbinds = x->r->nbinds,
		.prompt = x->r->shell ? prompt : NULL,
	};
	int rc = chroot_env_prepare(&env);

	if (rc == 0)
		rc = chroot_env_run(&env, x->r->argv, status);
	if (chroot_env_cleanup(&env) < 0)
		rc = -1;
	free(prompt);
	return rc;
}

static char *describe(const struct run *x)
{
	char *s = xasprintf("image exec on %s@%d:", x->name, x->ver);

	for (char **a = x->r->argv; *a; a++) {
		char *next = xasprintf("%s %s", s, *a);

		free(s);
		s = next;
	}
	return s;
}

/* A new kernel must reach the boot files with its modules (lib/kernel_update.h). */
static void report_kernel(const struct run *x, int ver, int quiet)
{
	char *vdir = store_version_dir(x->st, x->name, ver), *line;
	int warn;

	kernel_update_check(x->vdir, vdir, &line, &warn);
	if (line && warn)
		log_warn("%s@%d: %s", x->name, ver, line);
	else if (line && !quiet)
		printf("%s\n", line);
	free(line);
	free(vdir);
}

static int commit(struct run *x, struct ctx *ctx)
{
	char *spec = xasprintf("%s@%d", x->name, x->ver), *name = NULL, *source = describe(x);
	struct progress progress;
	struct image_commit c = {
		.name = x->name,
		.parent = x->ver,
		.upper_root = x->upper_root,
		.upper_boot = x->upper_boot,
		.source = source,
	};
	int ver, rc = -1;

	/* A bar on a terminal; no log lines: the commit is short next to CMD. */
	progress_init(&progress, ctx->quiet);
	c.progress = progress.mode == PROGRESS_BAR ? &progress : NULL;
	if (!ctx_state_locked(ctx) || store_recover(x->st, x->db) < 0)
		goto out;
	if (store_resolve(x->db, spec, &name, &ver) < 0) {
		err_wrap("%s was removed while the command ran, nothing created: ", spec);
		goto out;
	}
	if (image_commit(x->st, x->db, &c) < 0)
		goto out;
	rc = 0;
	if (!c.ver) {
		if (!ctx->quiet)
			printf("no changes: nothing created\n");
		goto out;
	}
	if (!ctx->quiet)
		printf("%u changed, %u added, %u removed (%.1f MiB new data)\ncreated %s@%d\n",
		       c.changed, c.added, c.removed, c.new_bytes / MiB, x->name, c.ver);
	report_kernel(x, c.ver, ctx->quiet);
out:
	state_unlock(x->st);
	progress_free(&progress);
	free(spec);
	free(name);
	free(source);
	return rc;
}

static int prepare(struct run *x, struct ctx *ctx)
{
	char *arch = NULL;
	int rc;

	if (cli_need_root("imgtool image exec") < 0 || !(x->st = ctx_state(ctx)) ||
	    !(x->db = ctx_db(ctx)) || store_resolve(x->db, x->r->spec, &x->name, &x->ver) < 0)
		return -1;
	rc = store_image_arch(x->db, x->name, &arch);
	if (rc == 0)
		rc = chroot_can_run(arch);
	free(arch);
	if (rc != 0)
		return -1;
	x->vdir = store_version_dir(x->st, x->name, x->ver);
	return make_dir(x, ctx) < 0 || mount_private() < 0 || mount_overlays(x) < 0 ? -1 : 0;
}

static void cleanup(struct run *x)
{
	if (umount_overlays(x) < 0)
		log_warn("%s", err_get());
	if (x->dir && !x->mnt)
		rm_rf(x->dir);
	if (x->dir_fd >= 0)
		close(x->dir_fd);
	free(x->name);
	free(x->vdir);
	free(x->dir);
	free(x->upper_root);
	free(x->upper_boot);
}

int exec_run(struct ctx *ctx, struct exec_run *r)
{
	struct run x = { .r = r, .dir_fd = -1 };
	int status = 0, rc;

	rc = prepare(&x, ctx);
	crashpoint("exec-mounted");
	if (rc == 0)
		rc = run_command(&x, &status);
	crashpoint("exec-ran");
	if (rc == 0 && umount_overlays(&x) < 0)
		rc = -1;
	if (rc == 0 && status != 0)
		rc = err_set("%s exited with status %d: nothing created", r->argv[0], status);
	if (rc == 0)
		rc = commit(&x, ctx);
	cleanup(&x);
	if (rc < 0) {
		cli_fail(ctx);
		return status ? status : 1;
	}
	return 0;
}

void exec_free_binds(struct exec_run *r)
{
	for (size_t i = 0; i < r->nbinds; i++)
		free((char *)r->binds[i].src);
	free(r->binds);
}

int cmd_image_exec(struct ctx *ctx, int argc, char **argv)
{
	struct exec_run r = { 0 };
	int dash = 1, rc;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	while (dash < argc && strcmp(argv[dash], "--"))
		dash++;
	if (dash + 1 >= argc)
		return cli_usage(ctx, "image exec: give the command to run after -- "
				 "(e.g. imgtool image exec bookworm -- apt-get -y upgrade)");
	/* Options end at --: the command's own are not ours. */
	if ((rc = exec_options(ctx, &r, dash, argv, usage)) != 0)
		goto out;
	if (optind != dash - 1) {
		rc = cli_usage(ctx, "image exec: give one NAME[@VER] before -- "
			       "(see 'imgtool image exec --help')");
		goto out;
	}
	r.spec = argv[optind];
	r.argv = argv + dash + 1;
	rc = exec_run(ctx, &r);
out:
	exec_free_binds(&r);
	return rc;
}
