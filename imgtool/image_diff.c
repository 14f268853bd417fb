/*
 * imgtool image diff A[@VER] [B[@VER]]: the paths added (+), removed (-)
 * and changed (M) from version A to version B, sorted, as lib/treediff.h
 * compares them. Files the two versions share are one object, so only
 * what really changed is read. Reads without the lock.
 */
#include "commands.h"

#include "db.h"
#include "err.h"
#include "store.h"
#include "treediff.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct change {
	char kind;
	char *path;
};

struct changes {
	struct change *v;
	size_t n, cap;
};

static int usage(FILE *f)
{
	fputs("usage: imgtool image diff A[@VER] [B[@VER]]\n\n"
	      "List what differs from image version A to version B (newest versions when no\n"
	      "@VER; the two may be versions of different images), one path per line,\n"
	      "sorted: '+' only in B, '-' only in A, 'M' in both but changed (content, type,\n"
	      "mode, owner, mtime, xattrs, link target). Paths start with root/ or boot/.\n"
	      "Directory times are not compared: the entries that moved them are listed.\n"
	      "With only A: compare the version A was made from by 'imgtool image exec'\n"
	      "with A.\n\n"
	      "  -h, --help  this text\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int collect(void *arg, char kind, const char *path)
{
	struct changes *c = arg;

	if (c->n == c->cap)
		c->v = xrealloc(c->v, (c->cap = c->cap ? c->cap * 2 : 64) * sizeof *c->v);
	c->v[c->n++] = (struct change){ kind, xstrdup(path) };
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

/* The version name@ver was made from; err when it has none. */
static int parent_of(sqlite3 *db, const char *name, int ver, int *parent)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT parent FROM versions WHERE image = ?1 AND ver = ?2", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	rc = sqlite3_step(q);
	*parent = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return db_fail(db, "reading the version");
	if (!*parent)
		return err_set("%s@%d was imported, not made by 'imgtool image exec': give the "
			       "version to compare it with (imgtool image diff %s@N %s@%d)",
			       name, ver, name, name, ver);
	return 0;
}

static int diff_versions(const struct state *st, const char *a, int va, const char *b, int vb,
			 struct changes *c)
{
	static const char *const subs[] = { "boot", "root" };
	char *da = store_version_dir(st, a, va), *db = store_version_dir(st, b, vb);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < 2; i++) {
		char *ta = xasprintf("%s/%s", da, subs[i]), *tb = xasprintf("%s/%s", db, subs[i]);

		rc = treediff(ta, tb, subs[i], collect, c);
		free(ta);
		free(tb);
	}
	free(da);
	free(db);
	return rc;
}

/* spec_b NULL: from the version spec_a was made from to spec_a. */
static int run(struct ctx *ctx, const char *spec_a, const char *spec_b)
{
	struct changes c = { 0 };
	struct state *st;
	sqlite3 *db;
	char *a = NULL, *b = NULL;
	int va, vb, rc = -1;

	if (!(st = ctx_state(ctx)) || !(db = ctx_db(ctx)) || store_resolve(db, spec_a, &a, &va) < 0)
		goto out;
	if (!spec_b) {
		b = xstrdup(a);
		vb = va;
		if (parent_of(db, b, vb, &va) < 0)
			goto out;
	} else if (store_resolve(db, spec_b, &b, &vb) < 0) {
		goto out;
	}
	if (diff_versions(st, a, va, b, vb, &c) < 0)
		goto out;
	if (c.n)
		qsort(c.v, c.n, sizeof *c.v, by_path);
	for (size_t i = 0; i < c.n; i++)
		printf("%c %s\n", c.v[i].kind, c.v[i].path);
	rc = 0;
out:
	for (size_t i = 0; i < c.n; i++)
		free(c.v[i].path);
	free(c.v);
	free(a);
	free(b);
	return rc;
}

int cmd_image_diff(struct ctx *ctx, int argc, char **argv)
{
	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && argv[2][0] == '-'))
		return cli_usage(ctx, "image diff: give two versions, A[@VER] B[@VER], or one made "
				 "by image exec (see 'imgtool image diff --help')");
	return run(ctx, argv[1], argc == 3 ? argv[2] : NULL) < 0 ? cli_fail(ctx) : 0;
}
