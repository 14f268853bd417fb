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
	struct tent *e = add(t, rel, TE_LINK, 0);

	e->data = xstrdup(src);
	e->len = strlen(src);
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

/* Directories whose entries a sync changed, to fsync at its end. */
struct dirty {
	char **v;
	size_t n;
};

static void dirty_add(struct dirty *d, const char *path)
{
	char *dir = dir_of(path);

	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i], dir)) {
			free(dir);
			return;
		}
	d->v = xrealloc(d->v, (d->n + 1) * sizeof *d->v);
	d->v[d->n++] = dir;
}

static int dirty_sync(struct dirty *d)
{
	int rc = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (rc == 0 && path_exists(d->v[i]))
			rc = fsync_dir(d->v[i]);
		free(d->v[i]);
	}
	free(d->v);
	return rc;
}

static int remove_path(const char *path, const struct stat *st, struct sync_stats *s,
		       struct dirty *d)
{
	if (S_ISDIR(st->st_mode)) {
		if (rm_rf(path) < 0)
			return -1;
	} else if (unlink(path) < 0 && errno != ENOENT) {
		return err_errno("cannot remove %s", path);
	}
	s->removed++;
	dirty_add(d, path);
	return 0;
}

/* Remove what t does not hold, or holds as another kind (dir vs not). */
static int sweep(const struct tree *t, const char *dir, const char *prefix,
		 struct sync_stats *s, struct dirty *dd)
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
			rc = remove_path(path, &st, s, dd);
		else if (S_ISDIR(st.st_mode))
			rc = sweep(t, path, rel, s, dd);
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

static int write_tmp(const char *tmp, const struct tent *e)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return err_errno("cannot create %s", tmp);
	while (off < e->len) {
		ssize_t w = write(fd, e->data + off, e->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	if (fchmod(fd, e->mode) < 0 || fsync(fd) < 0)
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
		return write_tmp(tmp, e);
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
		return lstat(e->data, &src) == 0 && src.st_ino == st->st_ino &&
		       src.st_dev == st->st_dev;
	case TE_DIR:
		break;
	}
	return 0;
}

static int sync_dir(const char *path, const struct tent *e, int exists,
		    const struct stat *st, struct sync_stats *s, struct dirty *d)
{
	if (!exists && mkdir(path, e->mode) < 0)
		return err_errno("cannot create directory %s", path);
	if (!exists)
		dirty_add(d, path);
	if (exists && (st->st_mode & 07777) == e->mode && st->st_uid == e->uid &&
	    st->st_gid == e->gid) {
		s->kept++;
		return 0;
	}
	/* chown first: it clears set-id bits the chmod then restores */
	if (lchown(path, e->uid, e->gid) < 0 || chmod(path, e->mode) < 0)
		return err_errno("cannot set the owner and mode of %s", path);
	s->written++;
	return 0;
}

static int sync_entry(const char *dir, const struct tent *e, struct sync_stats *s,
		      struct dirty *d)
{
	char *path = xasprintf("%s/%s", dir, e->rel), *tmp = NULL;
	struct stat st;
	int exists = lstat(path, &st) == 0, rc = 0;

	if (!exists && errno != ENOENT) {
		rc = err_errno("cannot stat %s", path);
	} else if (e->kind == TE_DIR) {
		rc = sync_dir(path, e, exists, &st, s, d);
	} else if (exists && up_to_date(path, &st, e)) {
		s->kept++;
	} else {
		tmp = xasprintf("%s.bramble-tmp", path);
		rc = make_tmp(tmp, e);
		crashpoint("tree-file-written");
		if (rc == 0 && rename(tmp, path) < 0) {
			rc = err_errno("cannot rename %s to %s", tmp, path);
			unlink(tmp);
		}
		s->written += rc == 0;
		dirty_add(d, path);
	}
	free(tmp);
	free(path);
	return rc;
}

int tree_sync(const struct tree *t, const char *dir, struct sync_stats *stats)
{
	struct sync_stats local = { 0 };
	struct sync_stats *s = stats ? stats : &local;
	struct dirty d = { 0 };
	int rc = 0;

	if (!path_exists(dir)) {
		if (mkdir_p(dir, 0755) < 0)
			return -1;
		dirty_add(&d, dir);
	}
	rc = sweep(t, dir, NULL, s, &d);
	for (size_t i = 0; i < t->n && rc == 0; i++)
		rc = sync_entry(dir, &t->v[i], s, &d);
	if (dirty_sync(&d) < 0)
		rc = -1;
	return rc;
}
