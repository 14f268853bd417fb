#include "treediff.h"

#include "err.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OVL_XATTR "trusted.overlay."

static int not_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

/* Byte order, the same as treecopy's and the object store's. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int list_dir(int fd, const char *path, struct dirent ***ents)
{
	int n;

	*ents = NULL;
	if (fd < 0)
		return 0;
	n = scandirat(fd, ".", ents, not_dots, by_name);
	return n < 0 ? err_errno("cannot read directory %s", path) : n;
}

static void free_ents(struct dirent **ents, int n)
{
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

static int stat_at(int fd, const char *dir, const char *name, struct stat *st)
{
	if (fstatat(fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_errno("cannot stat %s/%s", dir, name);
	return 0;
}

int tree_merge(int fd_a, int fd_b, const char *path, tree_merge_fn fn, void *arg)
{
	struct dirent **a, **b;
	int na = list_dir(fd_a, path, &a), nb = na < 0 ? -1 : list_dir(fd_b, path, &b);
	int i = 0, j = 0, rc = 0;

	if (na < 0 || nb < 0) {
		if (na >= 0)
			free_ents(a, na);
		return -1;
	}
	while (rc == 0 && (i < na || j < nb)) {
		int cmp = i == na ? 1 : j == nb ? -1 : strcmp(a[i]->d_name, b[j]->d_name);
		const char *name = cmp <= 0 ? a[i]->d_name : b[j]->d_name;
		struct stat sa, sb;

		if ((cmp <= 0 && stat_at(fd_a, path, name, &sa) < 0) ||
		    (cmp >= 0 && stat_at(fd_b, path, name, &sb) < 0))
			rc = -1;
		else
			rc = fn(arg, path, name, cmp <= 0 ? &sa : NULL, cmp >= 0 ? &sb : NULL);
		i += cmp <= 0;
		j += cmp >= 0;
	}
	free_ents(a, na);
	free_ents(b, nb);
	return rc;
}

int tree_xattrs(int fd, const char *path, struct xattrs *xa)
{
	size_t keep = 0;

	if (xattrs_read(fd, path, xa) < 0)
		return -1;
	for (size_t i = 0; i < xa->n; i++) {
		if (strncmp(xa->v[i].name, OVL_XATTR, strlen(OVL_XATTR)) == 0) {
			free(xa->v[i].name);
			free(xa->v[i].value);
		} else {
			xa->v[keep++] = xa->v[i];
		}
	}
	xa->n = keep;
	return 0;
}

static int same_xattrs(const char *a, const char *b)
{
	struct xattrs xa, xb;
	int same;

	if (tree_xattrs(-1, a, &xa) < 0)
		return -1;
	if (tree_xattrs(-1, b, &xb) < 0) {
		xattrs_free(&xa);
		return -1;
	}
	same = xa.n == xb.n;
	for (size_t i = 0; same && i < xa.n; i++)
		same = !strcmp(xa.v[i].name, xb.v[i].name) && xa.v[i].len == xb.v[i].len &&
		       !memcmp(xa.v[i].value, xb.v[i].value, xa.v[i].len);
	xattrs_free(&xa);
	xattrs_free(&xb);
	return same;
}

static int same_target(const char *a, const char *b)
{
	char ta[PATH_MAX + 1], tb[PATH_MAX + 1];
	ssize_t na = readlink(a, ta, sizeof ta), nb = readlink(b, tb, sizeof tb);

	if (na < 0 || nb < 0)
		return err_errno("cannot read link %s", na < 0 ? a : b);
	return na == nb && !memcmp(ta, tb, (size_t)na);
}

static int same_data(const char *a, const char *b)
{
	enum { CHUNK = 1 << 16 };
	int fa = open(a, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), fb = -1, same = -1;
	char *ba = xmalloc(CHUNK), *bb = xmalloc(CHUNK);

	if (fa < 0 || (fb = open(b, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err_errno("cannot open %s", fa < 0 ? a : b);
		goto out;
	}
	for (;;) {
		ssize_t na = read(fa, ba, CHUNK), nb = na < 0 ? 0 : read(fb, bb, (size_t)na);

		if (na < 0 || nb < 0) {
			err_errno("cannot read %s", na < 0 ? a : b);
			goto out;
		}
		/* Equal sizes were checked: a short read of b is a change under us. */
		if (na != nb || memcmp(ba, bb, (size_t)na)) {
			same = 0;
			goto out;
		}
		if (na == 0)
			break;
	}
	same = 1;
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	free(ba);
	free(bb);
	return same;
}

/* Everything but xattrs and content, from the stat alone. */
static int same_stat(const struct stat *a, const struct stat *b)
{
	if ((a->st_mode & S_IFMT) != (b->st_mode & S_IFMT) ||
	    (a->st_mode & 07777) != (b->st_mode & 07777) || a->st_uid != b->st_uid ||
	    a->st_gid != b->st_gid)
		return 0;
	if (S_ISDIR(a->st_mode))
		return 1;
	if (a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec)
		return 0;
	if ((S_ISREG(a->st_mode) || S_ISLNK(a->st_mode)) && a->st_size != b->st_size)
		return 0;
	if ((S_ISCHR(a->st_mode) || S_ISBLK(a->st_mode)) && a->st_rdev != b->st_rdev)
		return 0;
	return 1;
}

int tree_same(const char *a, const struct stat *st_a, const char *b, const struct stat *st_b)
{
	int same;

	if (st_a->st_dev == st_b->st_dev && st_a->st_ino == st_b->st_ino)
		return 1;
	if (!same_stat(st_a, st_b))
		return 0;
	if ((same = same_xattrs(a, b)) != 1)
		return same;
	if (S_ISLNK(st_a->st_mode))
		return same_target(a, b);
	if (S_ISREG(st_a->st_mode))
		return same_data(a, b);
	return 1;
}

struct diffwalk {
	treediff_fn fn;
	void *arg;
};

/* One directory pair of the walk; a or b NULL: that side has none. */
struct level {
	struct diffwalk *w;
	const char *a, *b;
};

static int diff_dirs(struct diffwalk *w, const char *a, const char *b, const char *rel);

static int diff_one(void *arg, const char *rel, const char *name, const struct stat *sa,
		    const struct stat *sb)
{
	struct level *l = arg;
	char *path = rel[0] ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	char *a = sa ? xasprintf("%s/%s", l->a, name) : NULL;
	char *b = sb ? xasprintf("%s/%s", l->b, name) : NULL;
	int rc = 0, same = sa && sb ? tree_same(a, sa, b, sb) : 0;

	if (same < 0)
		rc = -1;
	else if (!same)
		rc = l->w->fn(l->w->arg, !sa ? '+' : !sb ? '-' : 'M', path);
	/* A directory's entries: compared on both sides, or all gone or new. */
	if (rc == 0 && ((sa && S_ISDIR(sa->st_mode)) || (sb && S_ISDIR(sb->st_mode))))
		rc = diff_dirs(l->w, sa && S_ISDIR(sa->st_mode) ? a : NULL,
			       sb && S_ISDIR(sb->st_mode) ? b : NULL, path);
	free(path);
	free(a);
	free(b);
	return rc;
}

/* *fd: dir opened, or -1 when dir is NULL. */
static int open_dir(const char *dir, int *fd)
{
	*fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	return dir && *fd < 0 ? err_errno("cannot open directory %s", dir) : 0;
}

static int diff_dirs(struct diffwalk *w, const char *a, const char *b, const char *rel)
{
	struct level l = { w, a, b };
	int fa = -1, fb = -1, rc = -1;

	if (open_dir(a, &fa) == 0 && open_dir(b, &fb) == 0)
		rc = tree_merge(fa, fb, rel, diff_one, &l);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return rc;
}

/* Does the tree exist? 1 yes, 0 no (NULL or missing), -1 error. */
static int have_tree(const char *dir, struct stat *st)
{
	if (!dir)
		return 0;
	if (lstat(dir, st) < 0)
		return errno == ENOENT ? 0 : err_errno("cannot read %s", dir);
	return S_ISDIR(st->st_mode) ? 1 : err_set("%s is not a directory", dir);
}

int treediff(const char *a, const char *b, const char *prefix, treediff_fn fn, void *arg)
{
	struct diffwalk w = { fn, arg };
	struct stat sa, sb;
	int have_a = have_tree(a, &sa), have_b = have_a < 0 ? -1 : have_tree(b, &sb), same;

	if (have_a < 0 || have_b < 0)
		return -1;
	if (have_a && have_b) {
		if ((same = tree_same(a, &sa, b, &sb)) < 0 || (!same && fn(arg, 'M', prefix) < 0))
			return -1;
	}
	return diff_dirs(&w, have_a ? a : NULL, have_b ? b : NULL, prefix);
}
