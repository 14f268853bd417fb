/* The boot tables: per-node boot state, the boot timeline, discovered Pis. */
#include "bootsrv.h"

#include "db.h"
#include "dhcp_packet.h"
#include "err.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Events kept in the timeline; older ones are dropped as new ones come. */
#define EVENTS_KEPT 100000

const char *phase_name(enum boot_phase p)
{
	static const char *const names[] = { "offline", "dhcp", "tftp", "nfs", "up" };

	return names[p];
}

static enum boot_phase phase_parse(const char *s)
{
	for (int p = PH_OFFLINE; p <= PH_UP; p++)
		if (s && !strcmp(s, phase_name(p)))
			return p;
	return PH_OFFLINE;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

static void bind_ms(sqlite3_stmt *q, int i, long long v)
{
	if (v)
		sqlite3_bind_int64(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

static int step_done(sqlite3 *db, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(db, what);
}

int bootdb_event(sqlite3 *db, const char *node, const char *mac, const char *kind,
		 const char *fmt, ...)
{
	sqlite3_stmt *q;
	va_list ap;
	char *detail;
	long long now = now_ms();

	if (db_prepare(db, "INSERT INTO boot_events (time, node, mac, kind, detail) "
		       "VALUES (?1, ?2, ?3, ?4, ?5)", &q) < 0)
		return -1;
	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	sqlite3_bind_int64(q, 1, now);
	bind_text(q, 2, node);
	bind_text(q, 3, mac);
	sqlite3_bind_text(q, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, detail, -1, SQLITE_TRANSIENT);
	free(detail);
	if (step_done(db, q, "recording a boot event") < 0)
		return -1;
	if (sqlite3_last_insert_rowid(db) % 1000 == 0) {
		char *sql = xasprintf("DELETE FROM boot_events WHERE id <= %lld",
				      (long long)sqlite3_last_insert_rowid(db) - EVENTS_KEPT);
		int rc = db_exec(db, sql);

		free(sql);
		return rc;
	}
	return 0;
}

int bootdb_save(sqlite3 *db, const struct bnode *b)
{
	sqlite3_stmt *q;

	if (db_prepare(db, "INSERT OR REPLACE INTO boot_state (node, state, since, last_seen,"
		       " mac, ip, boot_started, last_boot_ms, boot_id, image, heartbeat_mtime)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, b->n.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, phase_name(b->phase), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, b->since);
	bind_ms(q, 4, b->last_seen);
	bind_text(q, 5, b->n.mac);
	bind_text(q, 6, b->ip);
	bind_ms(q, 7, b->boot_started);
	bind_ms(q, 8, b->last_boot_ms);
	bind_text(q, 9, b->boot_id);
	bind_text(q, 10, b->image);
	bind_ms(q, 11, b->hb_mtime);
	return step_done(db, q, "saving boot state");
}

static void copy_col(sqlite3_stmt *q, int i, char *dst, size_t len)
{
	const unsigned char *s = sqlite3_column_text(q, i);

	snprintf(dst, len, "%s", s ? (const char *)s : "");
}

int bootdb_load(sqlite3 *db, struct bnode *b)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT state, since, last_seen, ip, boot_started, last_boot_ms,"
		       " boot_id, image, heartbeat_mtime FROM boot_state WHERE node = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, b->n.name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		b->phase = phase_parse((const char *)sqlite3_column_text(q, 0));
		b->since = sqlite3_column_int64(q, 1);
		b->last_seen = sqlite3_column_int64(q, 2);
		copy_col(q, 3, b->ip, sizeof b->ip);
		b->boot_started = sqlite3_column_int64(q, 4);
		b->last_boot_ms = sqlite3_column_int64(q, 5);
		copy_col(q, 6, b->boot_id, sizeof b->boot_id);
		copy_col(q, 7, b->image, sizeof b->image);
		b->hb_mtime = sqlite3_column_int64(q, 8);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, "reading boot state");
}

int bootdb_prune(sqlite3 *db)
{
	return db_exec(db, "DELETE FROM boot_state WHERE node NOT IN (SELECT name FROM nodes);"
		       "DELETE FROM discovered WHERE mac IN (SELECT mac FROM nodes);");
}

int bootdb_discovered(sqlite3 *db, const struct dhcp_info *p)
{
	sqlite3_stmt *q;
	char model[8] = "";

	if (p->pi_model)
		snprintf(model, sizeof model, "%d", p->pi_model);
	if (db_prepare(db, "INSERT INTO discovered (mac, serial, model, revision, first_seen,"
		       " last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (mac) DO UPDATE"
		       " SET serial = coalesce(?2, serial), model = coalesce(?3, model),"
		       " revision = coalesce(?4, revision), last_seen = ?5", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, p->mac, -1, SQLITE_STATIC);
	bind_text(q, 2, p->pi_serial);
	bind_text(q, 3, model);
	bind_text(q, 4, p->pi_revision);
	sqlite3_bind_int64(q, 5, now_ms());
	return step_done(db, q, "recording a discovered Pi");
}

int bootdb_undiscover(sqlite3 *db, const char *mac)
{
	sqlite3_stmt *q;

	if (db_prepare(db, "DELETE FROM discovered WHERE mac = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, mac, -1, SQLITE_STATIC);
	return step_done(db, q, "removing a discovered Pi");
}

int bootdb_newest_discovered(sqlite3 *db, char *mac, size_t len)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT mac FROM discovered ORDER BY last_seen DESC, mac LIMIT 1",
		       &q) < 0)
		return -1;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		copy_col(q, 0, mac, len);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : db_fail(db, "reading discovered Pis");
}

/* Each row as an object of its columns (NULL columns left out). */
static json_t *rows_json(sqlite3 *db, const char *sql, const char *what)
{
	sqlite3_stmt *q;
	json_t *arr;
	int rc;

	if (db_prepare(db, sql, &q) < 0)
		return NULL;
	arr = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (int i = 0; i < sqlite3_column_count(q); i++) {
			const char *name = sqlite3_column_name(q, i);

			switch (sqlite3_column_type(q, i)) {
			case SQLITE_INTEGER:
				json_object_set_new(o, name, json_integer(sqlite3_column_int64(q, i)));
				break;
			case SQLITE_NULL:
				break;
			default:
				json_object_set_new(o, name,
					json_string((const char *)sqlite3_column_text(q, i)));
			}
		}
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		db_fail(db, what);
		return NULL;
	}
	return arr;
}

json_t *bootdb_discovered_json(sqlite3 *db)
{
	return rows_json(db, "SELECT mac, serial, model, revision, first_seen, last_seen"
			 " FROM discovered WHERE mac NOT IN (SELECT mac FROM nodes WHERE mac"
			 " IS NOT NULL) ORDER BY last_seen DESC, mac", "listing discovered Pis");
}

json_t *bootdb_nodes_json(sqlite3 *db)
{
	return rows_json(db, "SELECT n.name, n.mac, n.serial, n.model,"
			 " n.image || '@' || n.ver AS image, n.ip AS fixed_ip,"
			 " coalesce(b.state, 'offline') AS state, b.since, b.last_seen,"
			 " b.ip, b.boot_started, b.last_boot_ms, b.boot_id,"
			 " b.image AS running_image"
			 " FROM nodes n LEFT JOIN boot_state b ON b.node = n.name ORDER BY n.name",
			 "listing node states");
}

int bootdb_timelines(sqlite3 *db, json_t *nodes)
{
	sqlite3_stmt *q;
	json_t *n;
	size_t i;
	int rc = SQLITE_DONE;

	/* the first event of each step since the node's latest DHCP */
	if (db_prepare(db, "SELECT kind, min(time) FROM boot_events WHERE node = ?1"
		       " AND kind IN ('dhcp', 'tftp', 'nfs', 'up') AND time >= (SELECT max(time)"
		       " FROM boot_events WHERE node = ?1 AND kind = 'dhcp') GROUP BY kind", &q) < 0)
		return -1;
	json_array_foreach(nodes, i, n) {
		json_t *tl = json_object();

		sqlite3_bind_text(q, 1, json_string_value(json_object_get(n, "name")), -1,
				  SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW)
			json_object_set_new(tl, (const char *)sqlite3_column_text(q, 0),
					    json_integer(sqlite3_column_int64(q, 1)));
		sqlite3_reset(q);
		json_object_set_new(n, "timeline", tl);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "reading boot timelines");
}
