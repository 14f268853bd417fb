#include "db.h"

#include "err.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * Append only: a migration that has shipped is never edited, a change is a
 * new entry at the end.
 */
static const char *const migrations[] = {
	/* 1: image store and node inventory */
	"CREATE TABLE images ("
	"  name TEXT PRIMARY KEY,"
	"  arch TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE versions ("
	"  image TEXT NOT NULL REFERENCES images(name),"
	"  ver INTEGER NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  files INTEGER NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  report TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (image, ver));"
	"CREATE TABLE nodes ("
	"  name TEXT PRIMARY KEY,"
	"  mac TEXT UNIQUE,"
	"  serial TEXT UNIQUE,"
	"  model TEXT NOT NULL DEFAULT '4',"
	"  image TEXT,"
	"  ver INTEGER,"
	"  ip TEXT UNIQUE,"
	"  vars TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL,"
	"  FOREIGN KEY (image, ver) REFERENCES versions(image, ver));",
	/* 2: bootsrv: boot state per node, boot timeline, discovered Pis.
	 * Times are milliseconds since the epoch. No foreign keys to nodes:
	 * bootsrv prunes rows of removed nodes itself, so a node verb never
	 * trips over them. */
	"CREATE TABLE boot_state ("
	"  node TEXT PRIMARY KEY,"
	"  state TEXT NOT NULL DEFAULT 'offline',"	/* offline|dhcp|tftp|nfs|up */
	"  since INTEGER NOT NULL DEFAULT 0,"
	"  last_seen INTEGER,"
	"  mac TEXT,"					/* the MAC that booted */
	"  ip TEXT,"
	"  boot_started INTEGER,"
	"  last_boot_ms INTEGER,"			/* DHCP to heartbeat */
	"  boot_id TEXT,"				/* from the heartbeat */
	"  image TEXT,"					/* image@version from the heartbeat */
	"  heartbeat_mtime INTEGER);"
	"CREATE TABLE boot_events ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  node TEXT,"					/* NULL for an unknown MAC */
	"  mac TEXT,"
	"  kind TEXT NOT NULL,"				/* dhcp|tftp|nfs|up|stalled|offline|discovered|adopted */
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX boot_events_node ON boot_events(node, time);"
	"CREATE TABLE discovered ("
	"  mac TEXT PRIMARY KEY,"
	"  serial TEXT,"
	"  model TEXT,"
	"  revision TEXT,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL);",
	/* 3: nfsroot: a stable export id per node (Ganesha Export_Id, kernel
	 * fsid=). NFS file handles embed it, so it must not change while the
	 * node lives; it goes with the node row. */
	"CREATE TABLE exports ("
	"  node TEXT PRIMARY KEY REFERENCES nodes(name)"
	"    ON DELETE CASCADE ON UPDATE CASCADE,"
	"  id INTEGER NOT NULL UNIQUE CHECK (id BETWEEN 1 AND 65535));",
	/* 4: nodes: derived files (identity layer, boot dir) lag the row.
	 * Set in the transaction that changes the inventory, cleared once the
	 * files are rebuilt, so a command killed in between leaves a mark the
	 * next one finishes: 'build' (rebuild), 'rm' or 'rm-keep' (removal
	 * half done; rm-keep keeps the node's state and keep/). */
	"ALTER TABLE nodes ADD COLUMN pending TEXT"
	"  CHECK (pending IN ('build', 'rm', 'rm-keep'));",
	/* 5: versions: the version of the same image one was made from by
	 * `image exec` (NULL for imports). No foreign key: the parent may be
	 * removed while its child stays. */
	"ALTER TABLE versions ADD COLUMN parent INTEGER;",
	/* 6: bootsrv rollouts: one row per rollout or rollback, one per node
	 * it moves (batch, versions from and to, where the node is in the
	 * switch-reboot-wait steps), and its log. The daemon resumes a
	 * rollout left running from these after a restart. Times in ms. */
	"CREATE TABLE rollouts ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('rollout', 'rollback')),"
	"  target TEXT NOT NULL,"			/* NAME@VER, 'previous versions' */
	"  batch INTEGER NOT NULL,"
	"  timeout INTEGER NOT NULL,"			/* seconds per batch */
	"  reboot_cmd TEXT,"				/* NULL: bramble.conf's or ssh */
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('running', 'reverting', 'done', 'failed')),"
	"  started INTEGER NOT NULL,"
	"  finished INTEGER,"
	"  error TEXT);"
	"CREATE TABLE rollout_nodes ("
	"  rollout INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,"
	"  node TEXT NOT NULL,"
	"  batch INTEGER NOT NULL,"
	"  from_image TEXT,"
	"  from_ver INTEGER,"
	"  to_image TEXT NOT NULL,"
	"  to_ver INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"	/* pending|rebooting|switched|done|failed|reverted|returning */
	"  old_boot_id TEXT,"
	"  reboot_at INTEGER,"
	"  deadline INTEGER,"
	"  why TEXT,"
	"  PRIMARY KEY (rollout, node));"
	"CREATE TABLE rollout_log ("
	"  rollout INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  line TEXT NOT NULL,"
	"  PRIMARY KEY (rollout, seq));",
	/* 7: SHA-256 of each regular file of a version's boot/ (path below
	 * boot/), written with the version's row (lib/boot_sums.h). */
	"CREATE TABLE boot_sums ("
	"  image TEXT NOT NULL,"
	"  ver INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  PRIMARY KEY (image, ver, path),"
	"  FOREIGN KEY (image, ver) REFERENCES versions(image, ver) ON DELETE CASCADE);",
	/* 8: cluster shares: a head-node directory exported to member nodes
	 * (nodes: 'all' or a comma list of names, ranges and KEY=VALUE
	 * selectors, resolved against the inventory when used) and mounted
	 * on them at `mount`. export_id shares the id space of the node
	 * exports (NFS file handles carry it). owned: bramble made the
	 * directory (the default <state>/shares/NAME), so rm may remove it. */
	"CREATE TABLE shares ("
	"  name TEXT PRIMARY KEY,"
	"  path TEXT NOT NULL UNIQUE,"
	"  nodes TEXT NOT NULL DEFAULT 'all',"
	"  mount TEXT NOT NULL,"
	"  ro INTEGER NOT NULL DEFAULT 0 CHECK (ro IN (0, 1)),"
	"  squash TEXT NOT NULL DEFAULT 'root' CHECK (squash IN ('root', 'all', 'none')),"
	"  proto TEXT NOT NULL DEFAULT 'v4' CHECK (proto IN ('v3', 'v4')),"
	"  export_id INTEGER NOT NULL UNIQUE CHECK (export_id BETWEEN 1 AND 65535),"
	"  owned INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL);",
	/* 9: versions: whether the version's kernel mounts an NFS root itself
	 * (lib/kconfig.h), found when the version is published, so a node
	 * build need not read its kernels again. NULL for versions from
	 * before: the first build that needs it finds and records it. */
	"ALTER TABLE versions ADD COLUMN kernel_nfsroot INTEGER"
	"  CHECK (kernel_nfsroot IN (0, 1));",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int db_fail(sqlite3 *db, const char *what)
{
	return err_set("database: %s: %s", what, sqlite3_errmsg(db));
}

int db_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set("database: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(db, sql);
	return 0;
}

int db_begin(sqlite3 *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int db_commit(sqlite3 *db)
{
	return db_exec(db, "COMMIT");
}

void db_rollback(sqlite3 *db)
{
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int db_schema_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (db_prepare(db, "SELECT version FROM schema_version", &st) < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

char *db_col_strdup(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);

	return s ? xstrdup((const char *)s) : NULL;
}

static int migrate(sqlite3 *db, const char *path)
{
	int v;

	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
		    "INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS"
		    " (SELECT 1 FROM schema_version);") < 0)
		return -1;
	v = db_schema_version(db);
	if (v > NMIGRATIONS)
		return err_set("%s has schema version %d, newer than this bramble (%d): "
			       "upgrade bramble", path, v, NMIGRATIONS);
	for (; v < NMIGRATIONS; v++) {
		char *bump = xasprintf("UPDATE schema_version SET version = %d", v + 1);
		int rc = db_begin(db) < 0 || db_exec(db, migrations[v]) < 0 ||
			 db_exec(db, bump) < 0 || db_commit(db) < 0;
		free(bump);
		if (rc) {
			db_rollback(db);
			return err_wrap("%s: migration %d: ", path, v + 1);
		}
	}
	return 0;
}

int db_open(const char *state_dir, sqlite3 **out)
{
	char *path = xasprintf("%s/bramble.db", state_dir);
	sqlite3 *db = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		err_set("cannot open database %s: %s", path,
			db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, 10000);
	if (db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    "PRAGMA foreign_keys = ON;") < 0 || migrate(db, path) < 0)
		goto out;
	*out = db;
	db = NULL;
	rc = 0;
out:
	if (db)
		sqlite3_close(db);
	free(path);
	return rc;
}

void db_close(sqlite3 *db)
{
	if (db)
		sqlite3_close(db);
}
