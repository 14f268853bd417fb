/*
 * fsck of what the kernel holds in the state dir: mounts no node needs
 * (a node removed while mounted, a killed helper) and loop devices backed
 * by a file in it (an import killed in a way its autoclear did not catch).
 */
#include "fsck.h"

#include "err.h"
#include "inventory.h"
#include "nfsroot.h"
#include "xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

/* The state dir itself (bound on itself, nfsroot_share) and the root of
 * every node with an image that is not being removed. */
static int needed(struct fsck *f, const char *real, const char *point, int *yes)
{
	struct node *v;
	size_t n;

	*yes = strcmp(point, real) == 0;
	if (*yes)
		return 0;
	if (inventory_list(f->db, &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && !*yes; i++) {
		char *root = xasprintf("%s/nodes/%s/root", real, v[i].name);

		*yes = v[i].image && strcmp(root, point) == 0;
		free(root);
	}
	nodes_free(v, n);
	return 0;
}

static int unmount(struct fsck *f, const void *arg)
{
	(void)f;
	if (umount2(arg, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return err_errno("cannot unmount %s", (const char *)arg);
	return 0;
}

int fsck_mounts(struct fsck *f)
{
	char *real = realpath(f->st->dir, NULL), **points = NULL;
	size_t n = 0;
	int rc = real ? nfsroot_mounts_under(real, &points, &n) : err_errno("cannot resolve %s",
									      f->st->dir);

	for (size_t i = 0; i < n; i++) {
		int yes = 0;

		if (rc == 0 && (rc = needed(f, real, points[i], &yes)) == 0 && !yes)
			fsck_fixable(f, &FSCK_UNMOUNT, unmount, points[i],
				     "mount %s: no node needs it (left by an interrupted command)",
				     points[i]);
		free(points[i]);
	}
	free(points);
	free(real);
	return rc;
}

static int detach(struct fsck *f, const void *arg)
{
	int fd = open(arg, O_RDWR | O_CLOEXEC), rc = 0;

	(void)f;
	if (fd < 0 || ioctl(fd, LOOP_CLR_FD, 0) < 0)
		rc = err_errno("cannot detach %s", (const char *)arg);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The file backing /sys/block/<name>, NULL when it has none. */
static char *backing_file(const char *name)
{
	char *path = xasprintf("/sys/block/%s/loop/backing_file", name), *text = NULL;
	FILE *in = fopen(path, "re");
	size_t cap = 0;

	free(path);
	if (!in)
		return NULL;
	if (getline(&text, &cap, in) > 0)
		text[strcspn(text, "\n")] = '\0';
	fclose(in);
	return text;
}

int fsck_loops(struct fsck *f)
{
	char *real = realpath(f->st->dir, NULL);
	DIR *d = opendir("/sys/block");
	struct dirent *e;

	if (!d || !real) {
		free(real);
		if (d)
			closedir(d);
		return err_errno("cannot list loop devices (/sys/block) for %s", f->st->dir);
	}
	while ((e = readdir(d))) {
		size_t len = strlen(real);
		char *file, *dev;

		if (strncmp(e->d_name, "loop", 4) || !(file = backing_file(e->d_name)))
			continue;
		if (!strncmp(file, real, len) && file[len] == '/') {
			dev = xasprintf("/dev/%s", e->d_name);
			fsck_fixable(f, &FSCK_DETACH, detach, dev,
				     "loop device %s: backed by %s in the state dir (left by an "
				     "interrupted import)", dev, file);
			free(dev);
		}
		free(file);
	}
	closedir(d);
	free(real);
	return 0;
}
