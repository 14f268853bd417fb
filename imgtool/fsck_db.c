/*
 * fsck of bramble.db: SQLite's own integrity check and the foreign keys.
 * Neither is repairable from the state dir: the database is the record
 * everything else is checked against.
 */
#include "fsck.h"

#include "db.h"

#include <stdio.h>
#include <string.h>

#define RESTORE "restore bramble.db from a backup (fsck cannot repair the database)"

static int integrity(struct fsck *f)
{
	sqlite3_stmt *q;
	int rc, bad = 0;

	if (sqlite3_prepare_v2(f->db, "PRAGMA integrity_check", -1, &q, NULL) != SQLITE_OK) {
		fsck_unfixable(f, "bramble.db: damaged database (%s): " RESTORE,
			       sqlite3_errmsg(f->db));
		return 1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(q, 0);

		if (msg && strcmp(msg, "ok"))
			bad++;
		if (bad == 1 && msg && strcmp(msg, "ok"))
			fsck_unfixable(f, "bramble.db: damaged database (%s): " RESTORE, msg);
	}
	if (rc != SQLITE_DONE && !bad)
		fsck_unfixable(f, "bramble.db: damaged database (%s): " RESTORE,
			       sqlite3_errmsg(f->db));
	sqlite3_finalize(q);
	return bad || rc != SQLITE_DONE;
}

static int foreign_keys(struct fsck *f)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(f->db, "PRAGMA foreign_key_check", &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fsck_unfixable(f, "bramble.db: row %lld of table %s refers to a missing row of %s: "
			       "correct or remove that row with sqlite3, or " RESTORE,
			       (long long)sqlite3_column_int64(q, 1), sqlite3_column_text(q, 0),
			       sqlite3_column_text(q, 2));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(f->db, "checking foreign keys");
}

int fsck_db(struct fsck *f)
{
	int rc = integrity(f);

	return rc ? rc : foreign_keys(f);
}
