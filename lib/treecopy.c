#include "treecopy.h"

#include "diskfull.h"
#include "err.h"
#include "filecopy.h"
#include "inodemap.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct walk {
	struct treecopy *tc;
	struct inodemap links;	/* source inodes with several names: their first copy */
	dev_t dev;
};

/* The store reports the bytes of the files it reads itself, as it goes. */
static void count(struct treecopy *tc, const struct stat *st, int first)
{
	uint64_t size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;

	tc->files++;
	if (first)
		tc->bytes += size;
	if (tc->progress)
		progress_add(tc->progress, tc->store && first ? 0 : size, 1);
}

static int copy_file(struct walk *w, int sfd, const char *sp, int dfd, const char *dp,
		     const char *name, const struct stat *st)
{
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1;
	struct xattrs xa = { 0 };
	struct extent *ex = NULL;
	size_t n;
	int rc = -1;

	if (in < 0)
		return err_errno("cannot open %s", sp);
	if (xattrs_read(in, sp, &xa) < 0)
		goto out;
	if (w->tc->store) {
		rc = objstore_link(w->tc->store, in, sp, st, &xa, dfd, name);
		goto out;
	}
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		err_write("cannot create %s", dp);
		goto out;
	}
	if (file_extents(in, sp, st, &ex, &n) < 0 ||
	    file_copy_data(in, sp, out, dp, ex, n, st->st_size) < 0 ||
	    inode_set_meta(out, dp, st, &xa) < 0)
		goto out;
	rc = 0;
out:
	if (out >= 0)
		close(out);
	close(in);
	free(ex);
	xattrs_free(&xa);
	return rc;
}

static int copy_symlink(int sfd, const char *sp, int dfd, const char *dp, const char *name)
{
	char target[PATH_MAX + 1];
	ssize_t n = readlinkat(sfd, name, target, sizeof target);

	if (n < 0 || n > PATH_MAX)
		return n < 0 ? err_errno("cannot read link %s", sp) : err_set("link %s too long", sp);
	target[n] = '\0';
	if (symlinkat(target, dfd, name) < 0)
		return err_write("cannot create link %s", dp);
	return 0;
}

/* Device nodes, fifos, sockets: the inode is all there is. */
static int copy_special(const char *dp, int dfd, const char *name, const struct stat *st)
{
	if (mknodat(dfd, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0)
		return err_write("cannot create %s", dp);
	return 0;
}

static int path_meta(const char *sp, const char *dp, const struct stat *st)
{
	struct xattrs xa;
	int rc;

	if (xattrs_read(-1, sp, &xa) < 0)
		return -1;
	rc = inode_set_meta(-1, dp, st, &xa);
	xattrs_free(&xa);
	return rc;
}

static int copy_nondir(struct walk *w, int sfd, const char *sp, int dfd, const char *dp,
		       const char *name, const struct stat *st)
{
	const char *first;
	int rc;

	if (st->st_nlink > 1 && (first = inodemap_find(&w->links, st))) {
		if (linkat(AT_FDCWD, first, dfd, name, 0) < 0)
			return err_write("cannot link %s to %s", dp, first);
		count(w->tc, st, 0);
		return 0;
	}
	if (S_ISREG(st->st_mode))
		rc = copy_file(w, sfd, sp, dfd, dp, name, st);
	else if (S_ISLNK(st->st_mode))
		rc = copy_symlink(sfd, sp, dfd, dp, name) < 0 ? -1 : path_meta(sp, dp, st);
	else
		rc = copy_special(dp, dfd, name, st) < 0 ? -1 : path_meta(sp, dp, st);
	if (rc < 0)
		return -1;
	if (st->st_nlink > 1)
		inodemap_add(&w->links, st, dp);
	count(w->tc, st, 1);
	return 0;
}

static int not_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

/* Byte order, not the locale's collation: the same order everywhere. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

typedef int (*entry_fn)(void *arg, int dirfd, const char *path, const char *name,
			const struct stat *st);

/*
 * Reading ahead: while one file is copied, the data of the next regular
 * files of its dir (up to AHEAD bytes) is already being read, so the
 * source's disk (for an image, a loop device) works while this thread
 * hashes and writes instead of each file waiting for its read. Bigger
 * files are left to the kernel's own readahead.
 */
#define AHEAD (8 << 20)

struct ahead {
	int fd, n;
	struct dirent **ents;
	struct stat *st;
	int *err;		/* errno of each entry's stat, 0 if it has one */
	int next;		/* the first entry not asked for yet */
	off_t bytes;		/* asked for and not copied yet */
};

/* A regular file small enough to be read ahead whole. */
static int ahead_worth(const struct ahead *a, int i)
{
	return !a->err[i] && S_ISREG(a->st[i].st_mode) && a->st[i].st_size <= AHEAD;
}

/* A hint only: a file that fails here is named by its copy. */
static void read_ahead(struct ahead *a)
{
	for (; a->next < a->n && a->bytes < AHEAD; a->next++) {
		int f;

		if (!ahead_worth(a, a->next) || a->st[a->next].st_size == 0)
			continue;
		f = openat(a->fd, a->ents[a->next]->d_name,
			   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (f < 0)
			continue;
		posix_fadvise(f, 0, 0, POSIX_FADV_WILLNEED);
		close(f);
		a->bytes += a->st[a->next].st_size;
	}
}

/* Call fn for each entry of the open dir fd (named dir) in byte order. */
static int each_entry(int fd, const char *dir, entry_fn fn, void *arg)
{
	struct ahead a = { .fd = fd };
	int rc = 0;

	a.n = scandirat(fd, ".", &a.ents, not_dots, by_name);
	if (a.n < 0)
		return err_errno("cannot read directory %s", dir);
	a.st = xcalloc((size_t)a.n + 1, sizeof *a.st);
	a.err = xcalloc((size_t)a.n + 1, sizeof *a.err);
	for (int i = 0; i < a.n; i++)
		if (fstatat(fd, a.ents[i]->d_name, &a.st[i], AT_SYMLINK_NOFOLLOW) < 0)
			a.err[i] = errno;
	for (int i = 0; i < a.n; i++) {
		const char *name = a.ents[i]->d_name;
		char *path = xasprintf("%s/%s", dir, name);

		if (i < a.next && ahead_worth(&a, i))
			a.bytes -= a.st[i].st_size;
		read_ahead(&a);
		if (rc == 0 && a.err[i]) {
			errno = a.err[i];
			rc = err_errno("cannot stat %s", path);
		}
		if (rc == 0)
			rc = fn(arg, fd, path, name, &a.st[i]);
		free(path);
		free(a.ents[i]);
	}
	free(a.ents);
	free(a.st);
	free(a.err);
	return rc;
}

/* One directory level of a copy: where its entries go. */
struct level {
	struct walk *w;
	int dfd;
	const char *dp;
};

static int copy_dir(struct walk *w, int sfd, const char *sp, int dfd, const char *dp,
		    const char *name, const struct stat *st);

static int copy_one(void *arg, int sfd, const char *s, const char *name, const struct stat *st)
{
	struct level *l = arg;
	char *d = xasprintf("%s/%s", l->dp, name);
	int rc = S_ISDIR(st->st_mode) ? copy_dir(l->w, sfd, s, l->dfd, d, name, st)
				      : copy_nondir(l->w, sfd, s, l->dfd, d, name, st);

	free(d);
	return rc;
}

/* Copy the entries of the open source dir sfd into the open dir dfd. */
static int copy_entries(struct walk *w, int sfd, const char *sp, int dfd, const char *dp)
{
	struct level l = { w, dfd, dp };

	return each_entry(sfd, sp, copy_one, &l);
}

/* Contents first, then owner, mode, xattrs and times of the dir itself. */
static int fill_dir(struct walk *w, int sfd, const char *sp, int dfd, const char *dp,
		    const struct stat *st)
{
	struct xattrs xa;
	int rc;

	/* Another filesystem mounted here: copy the mount point only. */
	if (st->st_dev == w->dev && copy_entries(w, sfd, sp, dfd, dp) < 0)
		return -1;
	if (xattrs_read(sfd, sp, &xa) < 0)
		return -1;
	rc = inode_set_meta(dfd, dp, st, &xa);
	xattrs_free(&xa);
	w->tc->dirs++;
	return rc;
}

static int copy_dir(struct walk *w, int sfd, const char *sp, int dfd, const char *dp,
		    const char *name, const struct stat *st)
{
	int cs = -1, cd = -1, rc = -1;

	if (mkdirat(dfd, name, 0700) < 0)
		return err_write("cannot create directory %s", dp);
	cs = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cs < 0) {
		err_errno("cannot open directory %s", sp);
		goto out;
	}
	cd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cd < 0) {
		err_errno("cannot open directory %s", dp);
		goto out;
	}
	rc = fill_dir(w, cs, sp, cd, dp, st);
out:
	if (cs >= 0)
		close(cs);
	if (cd >= 0)
		close(cd);
	return rc;
}

int treecopy(const char *src, const char *dst, struct treecopy *tc)
{
	struct walk w = { .tc = tc };
	int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dfd = -1, rc = -1;
	struct stat st;

	if (sfd < 0 || fstat(sfd, &st) < 0) {
		err_errno("cannot open directory %s", src);
		goto out;
	}
	if (mkdir(dst, 0700) < 0) {
		err_write("cannot create directory %s", dst);
		goto out;
	}
	dfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		err_errno("cannot open directory %s", dst);
		goto out;
	}
	w.dev = st.st_dev;
	if (tc->store)
		objstore_progress(tc->store, tc->progress);
	rc = fill_dir(&w, sfd, src, dfd, dst, &st);
out:
	inodemap_free(&w.links);
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

static int absorb_one(void *arg, int fd, const char *path, const char *name,
		      const struct stat *st)
{
	struct treecopy *tc = arg;
	int sub, rc;

	if (S_ISDIR(st->st_mode)) {
		if ((sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return err_errno("cannot open directory %s", path);
		rc = each_entry(sub, path, absorb_one, tc);
		close(sub);
		tc->dirs++;
		return rc;
	}
	if (S_ISREG(st->st_mode)) {
		if (st->st_nlink > 1)
			return err_set("%s has hardlinks: cannot store it in place", path);
		if (objstore_absorb(tc->store, path) < 0)
			return -1;
	}
	count(tc, st, 1);
	return 0;
}

int treecopy_absorb(const char *dir, struct treecopy *tc)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	objstore_progress(tc->store, tc->progress);
	if (fd < 0)
		return err_errno("cannot open directory %s", dir);
	rc = each_entry(fd, dir, absorb_one, tc);
	close(fd);
	tc->dirs++;
	return rc;
}

static uint64_t scan_files, scan_bytes;

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_NS || type == FTW_DNR)
		return 0;	/* the copy will name the problem */
	if (!S_ISDIR(st->st_mode)) {
		scan_files++;
		if (S_ISREG(st->st_mode))
			scan_bytes += (uint64_t)st->st_size;
	}
	return 0;
}

int treecopy_scan(const char *src, uint64_t *files, uint64_t *bytes)
{
	scan_files = scan_bytes = 0;
	if (nftw(src, scan_one, 64, FTW_PHYS | FTW_MOUNT) != 0)
		return err_errno("cannot read %s", src);
	*files = scan_files;
	*bytes = scan_bytes;
	return 0;
}
