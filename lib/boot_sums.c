#include "boot_sums.h"

#include "db.h"
#include "err.h"
#include "node_tree.h"
#include "xalloc.h"

#include <stdlib.h>
#include <sys/stat.h>

static int add_sum(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct boot_sums *s = arg;
	char hex[65];

	if (!S_ISREG(st->st_mode))
		return 0;
	if (file_sha256(path, hex) < 0)
		return -1;
	s->rel = xrealloc(s->rel, (s->n + 1) * sizeof *s->rel);
	s->hex = xrealloc(s->hex, (s->n + 1) * sizeof *s->hex);
	s->rel[s->n] = xstrdup(rel);
	s->hex[s->n++] = xstrdup(hex);
	return 0;
}

int boot_sums_make(const char *boot_dir, struct boot_sums *s)
{
	s->rel = s->hex = NULL;
	s->n = 0;
	if (tree_walk(boot_dir, add_sum, s) == 0)
		return 0;
	boot_sums_free(s);
	return -1;
}

void boot_sums_free(struct boot_sums *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->rel[i]);
		free(s->hex[i]);
	}
	free(s->rel);
	free(s->hex);
	s->n = 0;
}

int boot_sums_insert(sqlite3 *db, const char *image, int ver, const struct boot_sums *s)
{
	sqlite3_stmt *q;
	int rc = 0;

	if (db_prepare(db, "INSERT INTO boot_sums (image, ver, path, sha256)"
		       " VALUES (?1, ?2, ?3, ?4)", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, image, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		sqlite3_bind_text(q, 3, s->rel[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, s->hex[i], -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = db_fail(db, "recording the boot file sums");
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rc;
}

int boot_sums_load(sqlite3 *db, const char *image, int ver, const char *boot_dir,
		   struct hcache *hc)
{
	sqlite3_stmt *q;
	int rc = 0, r = SQLITE_DONE;

	if (db_prepare(db, "SELECT path, sha256 FROM boot_sums WHERE image = ?1 AND ver = ?2",
		       &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, image, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	while (rc == 0 && (r = sqlite3_step(q)) == SQLITE_ROW) {
		char *path = xasprintf("%s/%s", boot_dir, (const char *)sqlite3_column_text(q, 0));

		rc = hcache_put(hc, path, (const char *)sqlite3_column_text(q, 1));
		free(path);
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_fail(db, "reading the boot file sums");
	sqlite3_finalize(q);
	return rc;
}
