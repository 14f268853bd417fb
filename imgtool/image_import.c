/*
 * imgtool image import SRC --name NAME
 *
 * Turns a Raspberry Pi OS disk image (.img, .img.xz) or an installed
 * system (a directory) into the next immutable version NAME@N.
 *
 * The whole import holds the state lock. Everything is built in a staging
 * directory under <state>/tmp and renamed into place; the partitions are
 * mounted in a private mount namespace from autoclear loop devices; the
 * decompressed .xz is an unnamed temp file. So a kill -9 at any moment
 * leaves no mount and no loop device, and what it leaves in the state dir
 * is garbage the next locked command removes (store_recover).
 */
#include "commands.h"

#include "crashpoint.h"
#include "diskimage.h"
#include "elfarch.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "netready.h"
#include "node_tree.h"
#include "objstore.h"
#include "progress.h"
#include "pxe_image.h"
#include "store.h"
#include "treecopy.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define MiB (1024.0 * 1024.0)

struct import {
	const char *src, *name;
	struct state *st;
	sqlite3 *db;
	struct progress progress;
	char *stage;			/* <state>/tmp/stage.XXXXXX */
	char *mnt_root, *mnt_boot;	/* partition mount points in stage */
	char *raw_boot;			/* mtools extraction of the boot partition */
	char *vdir, *vroot, *vboot;	/* the version being built, in stage */
	struct diskimage img;
	int have_img, mounted;
	const char *root_src, *boot_src;	/* the trees to copy */
	char *dir_boot;			/* boot files of a directory source */
	const char *arch;
	struct objstore *os;
	struct treecopy boot, root;
	char *report;
	int ver;
};

static int usage(FILE *f)
{
	fputs("usage: imgtool image import SRC --name NAME\n\n"
	      "Import a Raspberry Pi OS image as the next version of NAME (NAME@1, NAME@2 ...).\n"
	      "SRC is a disk image (.img, or .img.xz streamed through xz), or a directory\n"
	      "holding an installed system (its boot files in boot/firmware or boot).\n\n"
	      "The FAT boot and ext4 root partitions are found by type (MBR or GPT), mounted\n"
	      "read-only and copied with owners, modes, times, xattrs, capabilities, hardlinks,\n"
	      "device nodes and sparse files. Files equal to stored ones are shared, so a\n"
	      "re-import costs almost no space. The copy is made netboot-ready (SD card lines\n"
	      "out of /etc/fstab, first-boot resize, swap and host key services off, init=\n"
	      "out of cmdline.txt, NetworkManager kept off the NFS root's interface, rpi-swap\n"
	      "to zram, cloud-init seeds out of boot/); the report lists every change. A\n"
	      "directory without Pi boot files is an image for PXE machines: the report names\n"
	      "the kernel and initrd they will boot and warns when those cannot mount an NFS\n"
	      "root. Needs root.\n\n"
	      "  --name NAME   image name: letters, digits, '.', '_', '-' (required)\n"
	      "  -q, --quiet   print errors only (no progress, no report)\n"
	      "  -h, --help    this text\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int make_dirs(struct import *im)
{
	im->mnt_root = xasprintf("%s/mnt-root", im->stage);
	im->mnt_boot = xasprintf("%s/mnt-boot", im->stage);
	im->raw_boot = xasprintf("%s/raw-boot", im->stage);
	im->vdir = xasprintf("%s/version", im->stage);
	im->vroot = xasprintf("%s/root", im->vdir);
	im->vboot = xasprintf("%s/boot", im->vdir);
	if (mkdir_p(im->mnt_root, 0700) < 0 || mkdir_p(im->mnt_boot, 0700) < 0 ||
	    mkdir_p(im->raw_boot, 0755) < 0 || mkdir_p(im->vdir, 0755) < 0)
		return -1;
	return 0;
}

/* An installed system keeps its boot files in /boot/firmware (bookworm)
 * or /boot (earlier releases). */
static void dir_boot(struct import *im)
{
	static const char *const where[] = { "boot/firmware", "boot" };

	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
		char *dir = xasprintf("%s/%s", im->src, where[i]);
		char *cfg = xasprintf("%s/config.txt", dir);
		int found = path_exists(cfg);

		free(cfg);
		if (found) {
			im->boot_src = im->dir_boot = dir;
			return;
		}
		free(dir);
	}
}

static int open_source(struct import *im)
{
	struct stat st;

	if (stat(im->src, &st) == 0 && S_ISDIR(st.st_mode)) {
		im->root_src = im->src;
		dir_boot(im);
		return 0;
	}
	im->have_img = 1;	/* closed on failure too */
	if (diskimage_open(&im->img, im->src, im->stage, &im->progress) < 0)
		return -1;
	if (diskimage_mount_root(&im->img, im->mnt_root) < 0)
		return -1;
	im->mounted = 1;
	im->root_src = im->mnt_root;
	if (diskimage_boot_tree(&im->img, im->mnt_boot, im->raw_boot, &im->boot_src) < 0)
		return -1;
	crashpoint("mounted");
	return 0;
}

static int check_arch(struct import *im)
{
	char *old = NULL;
	int rc;

	if (elfarch_detect(im->root_src, &im->arch) < 0)
		return -1;
	rc = store_image_arch(im->db, im->name, &old);
	if (rc == 0 && strcmp(old, im->arch))
		rc = err_set("image %s holds %s versions but %s is %s: import it under another "
			     "--name", im->name, old, im->src, im->arch);
	else if (rc > 0)
		rc = 0;
	free(old);
	return rc;
}

/*
 * Start a progress phase over what dir holds. The totals only serve the
 * progress shown, so a quiet import saves the walk over the source.
 */
static int begin_phase(struct import *im, const char *label, const char *dir,
		       struct treecopy *tc)
{
	uint64_t files = 0, bytes = 0;

	tc->store = im->os;
	tc->progress = &im->progress;
	if (im->progress.mode != PROGRESS_QUIET && treecopy_scan(dir, &files, &bytes) < 0)
		return -1;
	progress_begin(&im->progress, label, bytes, files);
	return 0;
}

static int copy_boot(struct import *im)
{
	if (!im->boot_src)
		return mkdir_p(im->vboot, 0755);
	if (im->boot_src != im->raw_boot) {
		if (begin_phase(im, "copying boot", im->boot_src, &im->boot) < 0 ||
		    treecopy(im->boot_src, im->vboot, &im->boot) < 0)
			return -1;
	} else {
		/* mtools wrote the files into staging already: store them there. */
		if (rename(im->raw_boot, im->vboot) < 0)
			return err_errno("cannot move %s to %s", im->raw_boot, im->vboot);
		if (begin_phase(im, "storing boot", im->vboot, &im->boot) < 0 ||
		    treecopy_absorb(im->vboot, &im->boot) < 0)
			return -1;
	}
	progress_end(&im->progress);
	return 0;
}

/*
 * A Pi reads its boot files from FAT, which holds no links; a link in an
 * installed system's boot dir could name any file of the head node
 * (start4.elf -> /etc/shadow) once it sits in a TFTP dir. Drop them.
 */
static int drop_link(const char *path, const char *rel, const struct stat *st, void *arg)
{
	char target[4096];
	ssize_t n;

	(void)arg;
	if (!S_ISLNK(st->st_mode))
		return 0;
	n = readlink(path, target, sizeof target - 1);
	target[n > 0 ? n : 0] = '\0';
	log_warn("boot/%s: skipped, a symlink (to %s): boot files must be regular files", rel,
		 target);
	return unlink(path) < 0 ? err_errno("cannot remove %s", path) : 0;
}

static int copy(struct import *im)
{
	char *objects = state_path(im->st, "objects");
	int rc = objstore_open(objects, &im->os);

	free(objects);
	if (rc < 0 || copy_boot(im) < 0 || tree_walk(im->vboot, drop_link, NULL) < 0)
		return -1;
	crashpoint("import-boot-copied");
	if (begin_phase(im, "copying root", im->root_src, &im->root) < 0 ||
	    treecopy(im->root_src, im->vroot, &im->root) < 0)
		return -1;
	progress_end(&im->progress);
	crashpoint("copied");
	return 0;
}

/*
 * An image without Pi boot files is for plain PXE machines: the report
 * names the kernel and initrd they will boot (lib/pxe_image.h, as the node
 * build finds them) and warns when those cannot mount an NFS root.
 */
static int pxe_report(struct import *im)
{
	struct pxe_kernel k;
	char *found = NULL, *why = NULL, *all;
	int rc = pxe_kernel_find(im->vroot, &k), nfs = 0;

	if (rc < 0)
		return -1;
	/* an initrd we cannot read is the image's problem, not the import's */
	if (rc == 0 && (nfs = pxe_nfsroot_check(im->vroot, &k, &why)) < 0)
		why = xasprintf("cannot check the initrd: %s", err_get());
	if (rc == 1)
		why = xstrdup("no kernel (/vmlinuz, /boot/vmlinuz-*): PXE nodes cannot boot it");
	else
		found = xasprintf("pxe: kernel /%s, initrd %s%s%s\n", k.kernel, k.initrd ? "/" : "",
				  k.initrd ? k.initrd : "none", nfs > 0 ? " (NFS root: yes)" : "");
	if (why)
		log_warn("%s: %s", im->src, why);
	all = xasprintf("%s%s%s%s%s", im->report ? im->report : "", found ? found : "",
			why ? "pxe: WARNING: " : "", why ? why : "", why ? "\n" : "");
	free(im->report);
	im->report = all;
	free(found);
	free(why);
	pxe_kernel_free(&k);
	return 0;
}

static int publish(struct import *im)
{
	char *src = realpath(im->src, NULL), *report;
	struct store_version v = {
		.name = im->name,
		.arch = im->arch,
		.source = src ? src : im->src,
		.files = (long long)(im->boot.files + im->root.files),
		.bytes = (long long)(im->boot.bytes + im->root.bytes),
	};
	int rc;

	if (im->boot_src)
		report = xasprintf("boot/: %llu files from %s%s",
				   (unsigned long long)im->boot.files,
				   im->have_img ? "the FAT boot partition" : im->boot_src,
				   im->report[0] ? "\n" : "");
	else
		report = xasprintf("boot/: empty, %s has no boot files%s", im->src,
				   im->report[0] ? "\n" : "");
	v.report = xasprintf("%s%s", report, im->report);
	free(im->report);
	im->report = (char *)v.report;
	rc = store_publish(im->st, im->db, im->vdir, &v, &im->ver);
	if (rc == 0)
		objstore_commit(im->os);
	crashpoint("import-done");	/* the staging dir is left */
	free(report);
	free(src);
	return rc;
}

static void print_result(struct import *im, int quiet)
{
	const struct objstore_stats *s = objstore_stats(im->os);

	if (quiet)
		return;
	printf("netboot-ready report:\n");
	for (char *line = im->report, *nl; *line; line = nl + (*nl == '\n')) {
		nl = line + strcspn(line, "\n");
		printf("  %.*s\n", (int)(nl - line), line);
	}
	printf("imported %s@%d (%llu files, %.1f MiB, %.1f MiB new)\n", im->name, im->ver,
	       (unsigned long long)(im->boot.files + im->root.files),
	       (im->boot.bytes + im->root.bytes) / MiB, s->new_bytes / MiB);
}

static void cleanup(struct import *im)
{
	if (im->mounted) {
		umount2(im->mnt_boot, MNT_DETACH);
		umount2(im->mnt_root, MNT_DETACH);
	}
	if (im->have_img)
		diskimage_close(&im->img);
	/* Staging first: then objects only it linked have one link left. */
	if (im->stage)
		rm_rf(im->stage);
	objstore_close(im->os);
	progress_free(&im->progress);
	free(im->stage);
	free(im->mnt_root);
	free(im->mnt_boot);
	free(im->raw_boot);
	free(im->vdir);
	free(im->vroot);
	free(im->vboot);
	free(im->dir_boot);
	free(im->report);
}

static int run(struct import *im, struct ctx *ctx)
{
	struct stat st;

	if (cli_need_root("imgtool image import") < 0 || store_check_name(im->name) < 0)
		return -1;
	if (stat(im->src, &st) < 0)
		return errno == ENOENT ? err_set("%s does not exist (give a .img, .img.xz or a "
						 "directory)", im->src)
				       : err_errno("cannot import %s", im->src);
	if (!(im->st = ctx_state_locked(ctx)) || !(im->db = ctx_db(ctx)) ||
	    store_recover(im->st, im->db) < 0)
		return -1;
	crashpoint("import-recovered");
	if (!(im->stage = store_stage(im->st)) || make_dirs(im) < 0 || mount_private() < 0)
		return -1;
	crashpoint("import-staged");
	if (open_source(im) < 0 || check_arch(im) < 0 || copy(im) < 0)
		return -1;
	if (netready_apply(im->vroot, im->vboot, im->os, &im->report) < 0)
		return err_wrap("making %s netboot-ready: ", im->src);
	crashpoint("import-netready");
	if (!im->boot_src && pxe_report(im) < 0)
		return err_wrap("looking for the kernel of %s: ", im->src);
	return publish(im);
}

int cmd_image_import(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import im = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': im.name = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc - 1 || !im.name)
		return cli_usage(ctx, "image import: give one SRC and --name NAME "
				 "(see 'imgtool image import --help')");
	im.src = argv[optind];
	progress_init(&im.progress, ctx->quiet);
	rc = run(&im, ctx);
	if (rc == 0)
		print_result(&im, ctx->quiet);
	cleanup(&im);
	return rc < 0 ? cli_fail(ctx) : 0;
}
