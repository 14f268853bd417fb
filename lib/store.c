#include "store.h"

#include "db.h"
#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <ftw.h>
#include <search.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int store_check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || !isalnum((unsigned char)name[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			goto bad;
	return 0;
bad:
	return err_set("'%s' is not a valid image name (letters, digits, '.', '_', '-'; "
		       "at most 64; no '/' or spaces)", name);
}

static int parse_ver(const char *s, int *ver)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end || v < 1 || v > 1000000)
		return -1;
	*ver = (int)v;
	return 0;
}

int store_resolve(sqlite3 *db, const char *spec, char **name, int *ver)
{
	const char *at = strchr(spec, '@');
	char *n = at ? strndup(spec, (size_t)(at - spec)) : xstrdup(spec);
	sqlite3_stmt *q;
	int want = 0, rc = -1;

	if (!n || store_check_name(n) < 0)
		goto out;
	if (at && parse_ver(at + 1, &want) < 0) {
		err_set("'%s' is not NAME@VERSION (e.g. bookworm@2)", spec);
		goto out;
	}
	if (db_prepare(db, "SELECT max(ver), count(*) FROM versions WHERE image = ?1 AND"
		       " (?2 = 0 OR ver = ?2)", &q) < 0)
		goto out;
	sqlite3_bind_text(q, 1, n, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, want);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 1) > 0) {
		*ver = sqlite3_column_int(q, 0);
		*name = n;
		n = NULL;
		rc = 0;
	} else if (want) {
		err_set("image %s has no version %d (see 'imgtool image list')", n, want);
	} else {
		err_set("unknown image '%s' (see 'imgtool image list')", n);
	}
	sqlite3_finalize(q);
out:
	free(n);
	return rc;
}

char *store_version_dir(const struct state *st, const char *name, int ver)
{
	return state_path(st, "images/%s/%d", name, ver);
}

int store_image_arch(sqlite3 *db, const char *name, char **arch)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT arch FROM images WHERE name = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*arch = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : db_fail(db, "reading the image");
}

int store_users(sqlite3 *db, const char *name, int ver, char **names)
{
	sqlite3_stmt *q;
	char *list = NULL;
	int rc;

	if (db_prepare(db, "SELECT name FROM nodes WHERE image = ?1 AND ver = ?2 ORDER BY name",
		       &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *next = xasprintf("%s%s%s", list ? list : "", list ? ", " : "",
				       (const char *)sqlite3_column_text(q, 0));
		free(list);
		list = next;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(list);
		return db_fail(db, "listing the nodes of a version");
	}
	*names = list;
	return 0;
}

/*
 * Unique bytes: a regular file is an object (one link in objects/) plus its
 * links in versions, so an inode whose links all lie in this version, but
 * for the store's own, is freed by rm + gc. Everything else in a version
 * (directories, symlinks, device nodes) is its own.
 */
struct inode_use {
	dev_t dev;
	ino_t ino;
	nlink_t nlink, seen;
	unsigned long long bytes;
};

static void *usage_tree;
static unsigned long long usage_other;

static int use_cmp(const void *a, const void *b)
{
	const struct inode_use *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int usage_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct inode_use *u, **found;

	(void)path;
	(void)ftw;
	if (type == FTW_NS)
		return 0;	/* removed under us: not ours to count */
	if (!S_ISREG(st->st_mode)) {
		usage_other += (unsigned long long)st->st_blocks * 512;
		return 0;
	}
	u = xcalloc(1, sizeof *u);
	*u = (struct inode_use){ st->st_dev, st->st_ino, st->st_nlink, 0,
				 (unsigned long long)st->st_blocks * 512 };
	found = tsearch(u, &usage_tree, use_cmp);
	if (!found)
		abort();	/* out of memory */
	if (*found != u)
		free(u);
	(*found)->seen++;
	return 0;
}

static unsigned long long usage_sum;

static void usage_add(const void *node, VISIT which, int depth)
{
	const struct inode_use *u = *(const struct inode_use *const *)node;

	(void)depth;
	if ((which == postorder || which == leaf) && u->seen + 1 >= u->nlink)
		usage_sum += u->bytes;
}

int store_unique_bytes(const char *vdir, unsigned long long *bytes)
{
	int rc;

	*bytes = 0;
	if (!path_exists(vdir))
		return 0;	/* removed while we looked (list reads unlocked) */
	usage_tree = NULL;
	usage_other = usage_sum = 0;
	rc = nftw(vdir, usage_one, 64, FTW_PHYS | FTW_MOUNT);
	twalk(usage_tree, usage_add);
	tdestroy(usage_tree, free);
	usage_tree = NULL;
	if (rc != 0)
		return err_errno("cannot read %s", vdir);
	*bytes = usage_sum + usage_other;
	return 0;
}
