#include "image_commit.h"

#include "crashpoint.h"
#include "diskfull.h"
#include "err.h"
#include "filecopy.h"
#include "fsutil.h"
#include "inodemap.h"
#include "objstore.h"
#include "store.h"
#include "treediff.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

struct build {
	struct objstore *os;
	struct progress *progress;
	struct inodemap used;	/* parent inodes the new version links */
	struct inodemap links;	/* new inodes with several names: the first one's stage path */
	char **todo;		/* new regular files, pairs of upper and stage path */
	size_t ntodo, cap;
	uint64_t files, bytes;
};

/* One directory of the walk: its lower and upper side (either may be
 * NULL) and where it is staged. */
struct trio {
	struct build *b;
	const char *lower, *upper, *stage;
};

/* One more entry staged; copied says whether its data was copied. */
static void counted(struct build *b, const struct stat *st, int first, int copied)
{
	uint64_t size = first && S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;

	b->files++;
	b->bytes += size;
	if (b->progress)
		progress_add(b->progress, copied ? size : 0, 1);
}

static int is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == 0;
}

static int is_opaque(const char *dir)
{
	char v;

	return lgetxattr(dir, "trusted.overlay.opaque", &v, 1) == 1 && v == 'y';
}

/* Owner, mode, xattrs and times of src (stat st) onto dst. */
static int copy_meta(const char *src, const struct stat *st, int dfd, const char *dst)
{
	struct xattrs xa;
	int rc;

	if (tree_xattrs(-1, src, &xa) < 0)
		return -1;
	rc = inode_set_meta(dfd, dst, st, &xa);
	xattrs_free(&xa);
	return rc;
}

/* A symlink, device node, fifo or socket: the inode is all there is. */
static int make_special(const char *src, const struct stat *st, const char *dst)
{
	char target[PATH_MAX + 1];
	ssize_t n;

	if (S_ISLNK(st->st_mode)) {
		if ((n = readlink(src, target, PATH_MAX)) < 0)
			return err_errno("cannot read link %s", src);
		target[n] = '\0';
		if (symlink(target, dst) < 0)
			return err_write("cannot create link %s", dst);
	} else if (mknod(dst, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0) {
		return err_write("cannot create %s", dst);
	}
	return copy_meta(src, st, -1, dst);
}

static int build_dir(struct build *b, const char *lower, const char *upper, const char *stage,
		     const char *meta, const struct stat *st);

/* The parent's entry, unchanged. */
static int keep(struct build *b, const char *l, const struct stat *sl, const char *s)
{
	if (S_ISDIR(sl->st_mode))
		return build_dir(b, l, NULL, s, l, sl);
	if (!S_ISREG(sl->st_mode)) {
		if (make_special(l, sl, s) < 0)
			return -1;
		counted(b, sl, 1, 0);
		return 0;
	}
	if (link(l, s) < 0)
		return err_write("cannot link %s to %s", s, l);
	counted(b, sl, inodemap_add(&b->used, sl, s), 0);
	return 0;
}

/*
 * A new or changed entry of the upper dir; regular files wait for the end.
 * (A copy-up with several names is taken too, even if unchanged: the
 * command made it a hardlink group, which the parent's inode is not.)
 */
static int take(struct build *b, const char *u, const struct stat *su, const char *s)
{
	if (!S_ISREG(su->st_mode)) {
		if (make_special(u, su, s) < 0)
			return -1;
		counted(b, su, 1, 0);
		return 0;
	}
	if (b->ntodo + 2 > b->cap)
		b->todo = xrealloc(b->todo, (b->cap = b->cap ? b->cap * 2 : 64) * sizeof *b->todo);
	b->todo[b->ntodo++] = xstrdup(u);
	b->todo[b->ntodo++] = xstrdup(s);
	return 0;
}

static int build_one(void *arg, const char *path, const char *name, const struct stat *sl,
		     const struct stat *su)
{
	const struct trio *t = arg;
	char *l = sl ? xasprintf("%s/%s", t->lower, name) : NULL;
	char *u = su ? xasprintf("%s/%s", t->upper, name) : NULL;
	char *s = xasprintf("%s/%s", t->stage, name);
	int rc = 0, same;

	(void)path;
	if (!su)
		rc = keep(t->b, l, sl, s);
	else if (is_whiteout(su))
		rc = 0;		/* removed */
	else if (S_ISDIR(su->st_mode))
		rc = build_dir(t->b, sl && S_ISDIR(sl->st_mode) && !is_opaque(u) ? l : NULL, u, s,
			       u, su);
	else if (sl && su->st_nlink == 1 && (same = tree_same(l, sl, u, su)) != 0)
		rc = same < 0 ? -1 : keep(t->b, l, sl, s);	/* copied up, unchanged */
	else
		rc = take(t->b, u, su, s);
	free(l);
	free(u);
	free(s);
	return rc;
}

static int open_dir(const char *dir)
{
	return dir ? open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
}

/* Stage the merge of lower and upper at stage; its metadata is meta's. */
static int build_dir(struct build *b, const char *lower, const char *upper, const char *stage,
		     const char *meta, const struct stat *st)
{
	struct trio t = { b, lower, upper, stage };
	int lfd = open_dir(lower), ufd = open_dir(upper), sfd = -1, rc = -1;

	if ((lower && lfd < 0) || (upper && ufd < 0)) {
		err_errno("cannot open directory %s", lower && lfd < 0 ? lower : upper);
		goto out;
	}
	if (mkdir(stage, 0700) < 0 || (sfd = open_dir(stage)) < 0) {
		err_write("cannot create directory %s", stage);
		goto out;
	}
	if (tree_merge(lfd, ufd, upper ? upper : lower, build_one, &t) < 0)
		goto out;
	/* After the entries: they would move the times. */
	rc = copy_meta(meta, st, sfd, stage);
out:
	if (lfd >= 0)
		close(lfd);
	if (ufd >= 0)
		close(ufd);
	if (sfd >= 0)
		close(sfd);
	return rc;
}

/* Store a new regular file as an object (or link it to its first name). */
static int store_new(struct build *b, const char *u, const char *s)
{
	int fd = open(u, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;
	const char *first;
	struct xattrs xa = { 0 };
	struct stat st, got;

	if (fd < 0 || fstat(fd, &st) < 0) {
		err_errno("cannot open %s", u);
		goto out;
	}
	if (st.st_nlink > 1 && (first = inodemap_find(&b->links, &st))) {
		if (link(first, s) < 0) {
			err_write("cannot link %s to %s", s, first);
			goto out;
		}
		counted(b, &st, 0, 0);
		rc = 0;
		goto out;
	}
	if (tree_xattrs(fd, u, &xa) < 0)
		goto out;
	for (;;) {
		if (objstore_link(b->os, fd, u, &st, &xa, AT_FDCWD, s) < 0)
			goto out;
		if (lstat(s, &got) < 0) {
			err_errno("cannot stat %s", s);
			goto out;
		}
		if (!inodemap_find(&b->used, &got))
			break;
		/* Equal to a file the version keeps: the next slot's object. */
		if (unlink(s) < 0) {
			err_errno("cannot remove %s", s);
			goto out;
		}
	}
	if (st.st_nlink > 1)
		inodemap_add(&b->links, &st, s);
	counted(b, &st, 1, 1);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	xattrs_free(&xa);
	return rc;
}

static int build_tree(struct build *b, const char *pdir, const char *sub, const char *upper,
		      const char *vdir)
{
	char *lower = xasprintf("%s/%s", pdir, sub), *stage = xasprintf("%s/%s", vdir, sub);
	const char *meta = upper ? upper : lower;
	struct stat st;
	int rc = lstat(meta, &st) < 0 ? err_errno("cannot read %s", meta)
				      : build_dir(b, lower, upper, stage, meta, &st);

	free(lower);
	free(stage);
	return rc;
}

static int count_change(void *arg, char kind, const char *path)
{
	struct image_commit *c = arg;

	(void)path;
	if (kind == '+')
		c->added++;
	else if (kind == '-')
		c->removed++;
	else
		c->changed++;
	return 0;
}

static int count_changes(const char *pdir, const char *vdir, struct image_commit *c)
{
	static const char *const subs[] = { "boot", "root" };

	for (size_t i = 0; i < 2; i++) {
		char *a = xasprintf("%s/%s", pdir, subs[i]), *b = xasprintf("%s/%s", vdir, subs[i]);
		int rc = treediff(a, b, subs[i], count_change, c);

		free(a);
		free(b);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int stage_version(struct build *b, const struct image_commit *c, const char *pdir,
			 const char *vdir)
{
	if (mkdir(vdir, 0755) < 0)
		return err_write("cannot create %s", vdir);
	if (b->progress)
		progress_begin(b->progress, "committing", 0, 0);
	if (build_tree(b, pdir, "boot", c->upper_boot, vdir) < 0 ||
	    build_tree(b, pdir, "root", c->upper_root, vdir) < 0)
		return -1;
	crashpoint("exec-tree-built");	/* before the new files become objects */
	for (size_t i = 0; i < b->ntodo; i += 2)
		if (store_new(b, b->todo[i], b->todo[i + 1]) < 0)
			return -1;
	if (b->progress)
		progress_end(b->progress);
	return 0;
}

static int publish(const struct state *st, sqlite3 *db, struct build *b, const char *vdir,
		   struct image_commit *c)
{
	char *arch = NULL, *report;
	int rc = store_image_arch(db, c->name, &arch);
	struct store_version v = {
		.name = c->name,
		.arch = arch,
		.source = c->source,
		.files = (long long)b->files,
		.bytes = (long long)b->bytes,
		.parent = c->parent,
	};

	if (rc != 0)
		return rc < 0 ? -1 : err_set("image %s was removed meanwhile", c->name);
	report = xasprintf("made from %s@%d: %u changed, %u added, %u removed", c->name,
			   c->parent, c->changed, c->added, c->removed);
	v.report = report;
	rc = store_publish(st, db, vdir, &v, &c->ver);
	if (rc == 0) {
		c->new_bytes = objstore_stats(b->os)->new_bytes;
		objstore_commit(b->os);
	}
	free(report);
	free(arch);
	return rc;
}

int image_commit(const struct state *st, sqlite3 *db, struct image_commit *c)
{
	char *pdir = store_version_dir(st, c->name, c->parent), *stage = NULL, *vdir = NULL;
	char *objects = state_path(st, "objects");
	struct build b = { .progress = c->progress };
	int rc = -1;

	c->ver = 0;
	c->changed = c->added = c->removed = 0;
	c->new_bytes = 0;
	if (!(stage = store_stage(st)) || objstore_open(objects, &b.os) < 0)
		goto out;
	crashpoint("exec-stage-made");
	vdir = xasprintf("%s/version", stage);
	if (stage_version(&b, c, pdir, vdir) < 0 || count_changes(pdir, vdir, c) < 0)
		goto out;
	if (c->changed + c->added + c->removed == 0) {
		rc = 0;
		goto out;
	}
	crashpoint("exec-staged");
	rc = publish(st, db, &b, vdir, c);
	crashpoint("exec-committed");
out:
	/* Staging first: then objects only it linked have one link left. */
	if (stage)
		rm_rf(stage);
	objstore_close(b.os);
	inodemap_free(&b.used);
	inodemap_free(&b.links);
	for (size_t i = 0; i < b.ntodo; i++)
		free(b.todo[i]);
	free(b.todo);
	free(pdir);
	free(stage);
	free(vdir);
	free(objects);
	return rc;
}
