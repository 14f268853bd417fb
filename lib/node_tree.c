#include "node_tree.h"

#include "crashpoint.h"
#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct tent *add(struct tree *t, const char *rel, enum tent_kind kind, mode_t mode)
{
	struct tent *e;

	if (t->n == t->cap)
		t->v = xrealloc(t->v, (t->cap = t->cap ? t->cap * 2 : 64) * sizeof *t->v);
	e = &t->v[t->n];
	memset(e, 0, sizeof *e);
	e->rel = xstrdup(rel);
	e->kind = kind;
	e->mode = mode & 07777;
	e->seq = ++t->n;	/* from 1: 0 marks implied parent directories */
	return e;
}

void tree_file(struct tree *t, const char *rel, mode_t mode, char *data, size_t len)
{
	struct tent *e = add(t, rel, TE_FILE, mode);

	e->data = data;
	e->len = len;
}

void tree_symlink(struct tree *t, const char *rel, const char *target)
{
	struct tent *e = add(t, rel, TE_SYMLINK, 0777);

	e->data = xstrdup(target);
	e->len = strlen(target);
}

void tree_link(struct tree *t, const char *rel, const char *src)
{
	tree_link_inode(t, rel, src, 0, 0);
}

void tree_link_inode(struct tree *t, const char *rel, const char *src, dev_t dev, ino_t ino)
{
	struct tent *e = add(t, rel, TE_LINK, 0);

	e->data = xstrdup(src);
	e->len = strlen(src);
	e->src_dev = dev;
	e->src_ino = ino;
}

void tree_dir(struct tree *t, const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	struct tent *e = add(t, rel, TE_DIR, mode);

	e->uid = uid;
	e->gid = gid;
}

static void free_entry(struct tent *e)
{
	free(e->rel);
	free(e->data);
}

void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free_entry(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof *t);
}

static int by_path_then_seq(const void *a, const void *b)
{
	const struct tent *x = a, *y = b;
	int c = strcmp(x->rel, y->rel);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tent *)elem)->rel);
}

const struct tent *tree_find(const struct tree *t, const char *rel)
{
	return t->n ? bsearch(rel, t->v, t->n, sizeof *t->v, by_path) : NULL;
}

/* Sort and keep the last entry of each path. */
static void dedup(struct tree *t)
{
	size_t out = 0;

	qsort(t->v, t->n, sizeof *t->v, by_path_then_seq);
	for (size_t i = 0; i < t->n; i++) {
		if (i + 1 < t->n && !strcmp(t->v[i].rel, t->v[i + 1].rel)) {
			free_entry(&t->v[i]);
			continue;
		}
		t->v[out++] = t->v[i];
	}
	t->n = out;
}

int tree_finish(struct tree *t, const char *what)
{
	size_t n;

	dedup(t);
	n = t->n;
	for (size_t i = 0; i < n; i++) {
		char *p = xstrdup(t->v[i].rel);

		for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
			*s = '\0';
			add(t, p, TE_DIR, 0755)->seq = 0;	/* explicit dirs win */
		}
		free(p);
	}
	dedup(t);
	for (size_t i = 0; i + 1 < t->n; i++) {
		size_t l = strlen(t->v[i].rel);

		if (t->v[i].kind != TE_DIR && !strncmp(t->v[i].rel, t->v[i + 1].rel, l) &&
		    t->v[i + 1].rel[l] == '/')
			return err_set("%s: '%s' is both a file and a directory", what,
				       t->v[i].rel);
	}
	return 0;
}

static int walk(const char *dir, const char *prefix, tree_walk_fn fn, void *arg)
{
	char *path = prefix ? xasprintf("%s/%s", dir, prefix) : xstrdup(dir);
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort), rc = 0;

	if (n < 0) {
		rc = errno == ENOENT && !prefix ? 0 : err_errno("cannot read %s", path);
		free(path);
		return rc;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *rel, *full;
		struct stat st;

		if (rc || !strcmp(name, ".") || !strcmp(name, "..")) {
			free(ents[i]);
			continue;
		}
		rel = prefix ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
		full = xasprintf("%s/%s", dir, rel);
		if (strchr(name, '\n'))
			rc = err_set("%s: a newline in a file name is not allowed", full);
		else if (lstat(full, &st) < 0)
			rc = err_errno("cannot stat %s", full);
		else if ((rc = fn(full, rel, &st, arg)) == 0 && S_ISDIR(st.st_mode))
			rc = walk(dir, rel, fn, arg);
		free(rel);
		free(full);
		free(ents[i]);
	}
	free(ents);
	free(path);
	return rc;
}

int tree_walk(const char *dir, tree_walk_fn fn, void *arg)
{
	return walk(dir, NULL, fn, arg);
}

/* ---- syncing a live directory --------------------------------------------- */

static int remove_path(const char *path, const struct stat *st, struct sync_stats *s,
		       struct sync_batch *b)
{
	if (S_ISDIR(st->st_mode)) {
		if (rm_rf(path) < 0)
			return -1;
	} else if (unlink(path) < 0 && errno != ENOENT) {
		return err_errno("cannot remove %s", path);
	}
	s->removed++;
	b->changed = 1;
	return 0;
}

/* Remove what t does not hold, or holds as another kind (dir vs not). */
static int sweep(const struct tree *t, const char *dir, const char *prefix,
		 struct sync_stats *s, struct sync_batch *b)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return err_errno("cannot read directory %s", dir);
	while (rc == 0 && (errno = 0, de = readdir(d))) {
		char *rel, *path;
		const struct tent *want;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		rel = prefix ? xasprintf("%s/%s", prefix, de->d_name) : xstrdup(de->d_name);
		path = xasprintf("%s/%s", dir, de->d_name);
		want = tree_find(t, rel);
		if (lstat(path, &st) < 0)
			rc = errno == ENOENT ? 0 : err_errno("cannot stat %s", path);
		else if (!want || (want->kind == TE_DIR) != !!S_ISDIR(st.st_mode))
			rc = remove_path(path, &st, s, b);
		else if (S_ISDIR(st.st_mode))
			rc = sweep(t, path, rel, s, b);
		free(rel);
		free(path);
	}
	if (rc == 0 && errno)
		rc = err_errno("cannot read directory %s", dir);
	closedir(d);
	return rc;
}

static int same_content(const char *path, const struct stat *st, const struct tent *e)
{
	char *buf;
	size_t len;
	int same;

	if (!S_ISREG(st->st_mode) || (size_t)st->st_size != e->len ||
	    (st->st_mode & 07777) != e->mode)
		return 0;
	if (read_file(path, &buf, &len) < 0)
		return 0;
	same = len == e->len && !memcmp(buf, e->data, len);
	free(buf);
	return same;
}

/* Not fsynced: the batch's commit flushes every temp file at once. */
static int write_tmp(const char *tmp, const char *data, size_t len, mode_t mode)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return err_errno("cannot create %s", tmp);
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	return close(fd) < 0 ? err_errno("cannot write %s", tmp) : 0;
fail:
	err_errno("cannot write %s", tmp);
	close(fd);
	return -1;
}

/* Create the entry at tmp; then it is renamed over the live path. */
static int make_tmp(const char *tmp, const struct tent *e)
{
	unlink(tmp);	/* a leftover of a killed build */
	switch (e->kind) {
	case TE_FILE:
		return write_tmp(tmp, e->data, e->len, e->mode);
	case TE_SYMLINK:
		return symlink(e->data, tmp) < 0 ? err_errno("cannot create symlink %s", tmp) : 0;
	case TE_LINK:
		if (link(e->data, tmp) == 0)
			return 0;
		if (errno == EXDEV)
			return err_set("cannot link %s to %s: they are on different filesystems; "
				       "keep the whole state directory on one filesystem", tmp,
				       e->data);
		return err_errno("cannot link %s to %s", tmp, e->data);
	case TE_DIR:
		break;
	}
	return err_set("internal: make_tmp on a directory");
}

/* Is the live entry (st) already what e describes? */
static int up_to_date(const char *path, const struct stat *st, const struct tent *e)
{
	struct stat src;
	char *target;
	int same;

	switch (e->kind) {
	case TE_FILE:
		return same_content(path, st, e);
	case TE_SYMLINK:
		if (!S_ISLNK(st->st_mode) || (size_t)st->st_size != e->len)
			return 0;
		target = xmalloc(e->len + 1);
		same = readlink(path, target, e->len + 1) == (ssize_t)e->len &&
		       !memcmp(target, e->data, e->len);
		free(target);
		return same;
	case TE_LINK:
		if (e->src_ino)
			return e->src_ino == st->st_ino && e->src_dev == st->st_dev;
		return lstat(e->data, &src) == 0 && src.st_ino == st->st_ino &&
		       src.st_dev == st->st_dev;
	case TE_DIR:
		break;
	}
	return 0;
}

static int sync_dir(const char *path, const struct tent *e, int exists,
		    const struct stat *st, struct sync_stats *s, struct sync_batch *b)
{
	if (!exists && mkdir(path, e->mode) < 0)
		return err_errno("cannot create directory %s", path);
	b->changed |= !exists;
	if (exists && (st->st_mode & 07777) == e->mode && st->st_uid == e->uid &&
	    st->st_gid == e->gid) {
		s->kept++;
		return 0;
	}
	/* chown first: it clears set-id bits the chmod then restores */
	if (lchown(path, e->uid, e->gid) < 0 || chmod(path, e->mode) < 0)
		return err_errno("cannot set the owner and mode of %s", path);
	b->changed = 1;
	s->written++;
	return 0;
}

static void stage_rename(struct sync_batch *b, char *tmp, const char *path)
{
	b->tmp = xrealloc(b->tmp, (b->n + 1) * sizeof *b->tmp);
	b->path = xrealloc(b->path, (b->n + 1) * sizeof *b->path);
	b->tmp[b->n] = tmp;
	b->path[b->n++] = xstrdup(path);
}

static int sync_entry(const char *dir, const struct tent *e, struct sync_stats *s,
		      struct sync_batch *b)
{
	char *path = xasprintf("%s/%s", dir, e->rel), *tmp;
	struct stat st;
	int exists = lstat(path, &st) == 0, rc = 0;

	if (!exists && errno != ENOENT) {
		rc = err_errno("cannot stat %s", path);
	} else if (e->kind == TE_DIR) {
		rc = sync_dir(path, e, exists, &st, s, b);
	} else if (exists && up_to_date(path, &st, e)) {
		s->kept++;
	} else {
		tmp = xasprintf("%s.bramble-tmp", path);
		rc = make_tmp(tmp, e);
		crashpoint("tree-file-written");
		if (rc == 0) {
			stage_rename(b, tmp, path);
			s->written++;
		} else {
			free(tmp);
		}
	}
	free(path);
	return rc;
}

int tree_stage(const struct tree *t, const char *dir, struct sync_batch *b,
	       struct sync_stats *stats)
{
	struct sync_stats local = { 0 };
	struct sync_stats *s = stats ? stats : &local;
	int rc = 0;

	if (!path_exists(dir)) {
		if (mkdir_p(dir, 0755) < 0)
			return -1;
		b->changed = 1;
	}
	rc = sweep(t, dir, NULL, s, b);
	for (size_t i = 0; i < t->n && rc == 0; i++)
		rc = sync_entry(dir, &t->v[i], s, b);
	return rc;
}

int sync_batch_file(struct sync_batch *b, const char *path, const void *data, size_t len,
		    mode_t mode)
{
	/* write_file_atomic's temp name: fsck knows its leftovers */
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());

	unlink(tmp);
	if (write_tmp(tmp, data, len, mode) < 0) {
		free(tmp);
		return -1;
	}
	stage_rename(b, tmp, path);
	return 0;
}

int sync_batch_commit(struct sync_batch *b, const char *fsdir)
{
	int rc = 0;

	if (b->n == 0 && !b->changed)
		return 0;
	if (b->n && sync_fs(fsdir) < 0)
		rc = -1;
	crashpoint("batch-synced");	/* the temp files durable, none live yet */
	for (size_t i = 0; i < b->n && rc == 0; i++) {
		if (rename(b->tmp[i], b->path[i]) < 0) {
			rc = err_errno("cannot rename %s to %s", b->tmp[i], b->path[i]);
			break;
		}
		free(b->tmp[i]);
		b->tmp[i] = NULL;
	}
	sync_batch_free(b);
	return rc;
}

int sync_batch_dirty(const struct sync_batch *b)
{
	return b->n || b->changed;
}

void sync_batch_free(struct sync_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->tmp[i])
			unlink(b->tmp[i]);	/* staged, never made live */
		free(b->tmp[i]);
		free(b->path[i]);
	}
	free(b->tmp);
	free(b->path);
	memset(b, 0, sizeof *b);
}

int tree_sync(const struct tree *t, const char *dir, struct sync_stats *stats)
{
	struct sync_batch b = { 0 };
	int rc = tree_stage(t, dir, &b, stats), dirty = sync_batch_dirty(&b);

	if (rc < 0) {
		sync_batch_free(&b);
		return rc;
	}
	return sync_batch_commit(&b, dir) < 0 || (dirty && sync_fs(dir) < 0) ? -1 : 0;
}
