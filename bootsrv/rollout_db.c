/* Rollout state in the database (db.c migration 6); see rollout.h. */
#include "rollout.h"

#include "db.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const rn_names[] = { "pending", "rebooting", "switched", "done", "failed",
					"reverted", "returning" };
static const char *const ro_names[] = { "running", "reverting", "done", "failed" };

const char *rn_state_name(enum rn_state s)
{
	return rn_names[s];
}

const char *ro_state_name(enum ro_state s)
{
	return ro_names[s];
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (s && !strcmp(names[i], s))
			return (int)i;
	return 0;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

/* Run a prepared statement that returns no row. */
static int step_done(sqlite3 *db, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(db, what);

	sqlite3_finalize(q);
	return rc;
}

struct rnode *rollout_add(struct rollout *r, const char *name)
{
	struct rnode *n;

	r->nodes = xrealloc(r->nodes, (r->n + 1) * sizeof *r->nodes);
	n = &r->nodes[r->n++];
	*n = (struct rnode){ .name = xstrdup(name), .hook = { .name = "reboot hook", .out = -1 } };
	return n;
}

static int insert_node(sqlite3 *db, long long id, const struct rnode *n)
{
	sqlite3_stmt *q;

	if (db_prepare(db, "INSERT INTO rollout_nodes (rollout, node, batch, from_image, from_ver,"
		       " to_image, to_ver, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')",
		       &q) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, n->batch);
	bind_text(q, 4, n->from_image);
	sqlite3_bind_int(q, 5, n->from_ver);
	sqlite3_bind_text(q, 6, n->to_image, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, n->to_ver);
	return step_done(db, q, "adding a rollout node");
}

int rollout_db_create(sqlite3 *db, struct rollout *r)
{
	sqlite3_stmt *q;

	if (db_begin(db) < 0)
		return -1;
	if (db_prepare(db, "INSERT INTO rollouts (kind, target, batch, timeout, reboot_cmd, state,"
		       " started) VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)", &q) < 0)
		goto fail;
	sqlite3_bind_text(q, 1, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r->target, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, r->batch);
	sqlite3_bind_int(q, 4, r->timeout);
	bind_text(q, 5, r->reboot_cmd);
	sqlite3_bind_int64(q, 6, now_ms());
	if (step_done(db, q, "adding a rollout") < 0)
		goto fail;
	r->id = sqlite3_last_insert_rowid(db);
	for (size_t i = 0; i < r->n; i++)
		if (insert_node(db, r->id, &r->nodes[i]) < 0)
			goto fail;
	if (db_commit(db) == 0)
		return 0;
fail:
	db_rollback(db);
	return -1;
}

int rollout_db_save(sqlite3 *db, const struct rollout *r)
{
	sqlite3_stmt *q;
	int over = r->state == RO_DONE || r->state == RO_FAILED;

	if (db_prepare(db, "UPDATE rollouts SET state = ?2, error = ?3, finished = ?4 WHERE id = ?1",
		       &q) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	sqlite3_bind_text(q, 2, ro_state_name(r->state), -1, SQLITE_STATIC);
	bind_text(q, 3, r->error);
	if (over)
		sqlite3_bind_int64(q, 4, now_ms());
	else
		sqlite3_bind_null(q, 4);
	return step_done(db, q, "saving the rollout");
}

int rollout_db_save_node(sqlite3 *db, const struct rollout *r, const struct rnode *n)
{
	sqlite3_stmt *q;

	if (db_prepare(db, "UPDATE rollout_nodes SET state = ?3, old_boot_id = ?4, reboot_at = ?5,"
		       " deadline = ?6, why = ?7 WHERE rollout = ?1 AND node = ?2", &q) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	sqlite3_bind_text(q, 2, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, rn_state_name(n->state), -1, SQLITE_STATIC);
	bind_text(q, 4, n->old_boot_id);
	sqlite3_bind_int64(q, 5, n->reboot_at);
	sqlite3_bind_int64(q, 6, n->deadline);
	bind_text(q, 7, n->why);
	return step_done(db, q, "saving a rollout node");
}

void rollout_log(sqlite3 *db, struct rollout *r, const char *fmt, ...)
{
	sqlite3_stmt *q;
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	log_info("%s %lld: %s", r->kind, r->id, line);
	if (db_prepare(db, "INSERT INTO rollout_log (rollout, seq, time, line) VALUES (?1, ?2, ?3, ?4)",
		       &q) == 0) {
		sqlite3_bind_int64(q, 1, r->id);
		sqlite3_bind_int(q, 2, ++r->seq);
		sqlite3_bind_int64(q, 3, now_ms());
		sqlite3_bind_text(q, 4, line, -1, SQLITE_STATIC);
		if (step_done(db, q, "writing the rollout log") < 0)
			log_warn("%s", err_get());
	}
	free(line);
}

static int load_nodes(sqlite3 *db, struct rollout *r)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT node, batch, from_image, from_ver, to_image, to_ver, state,"
		       " old_boot_id, reboot_at, deadline, why FROM rollout_nodes WHERE rollout = ?1"
		       " ORDER BY batch, node", &q) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct rnode *n = rollout_add(r, (const char *)sqlite3_column_text(q, 0));

		n->batch = sqlite3_column_int(q, 1);
		n->from_image = db_col_strdup(q, 2);
		n->from_ver = sqlite3_column_int(q, 3);
		n->to_image = db_col_strdup(q, 4);
		n->to_ver = sqlite3_column_int(q, 5);
		n->state = (enum rn_state)lookup(rn_names, sizeof rn_names / sizeof *rn_names,
						 (const char *)sqlite3_column_text(q, 6));
		n->old_boot_id = db_col_strdup(q, 7);
		n->reboot_at = sqlite3_column_int64(q, 8);
		n->deadline = sqlite3_column_int64(q, 9);
		n->why = db_col_strdup(q, 10);
		if (n->batch + 1 > r->nbatches)
			r->nbatches = n->batch + 1;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "reading rollout nodes");
}

int rollout_db_active(sqlite3 *db, struct rollout **out)
{
	sqlite3_stmt *q;
	struct rollout *r;
	int rc;

	*out = NULL;
	if (db_prepare(db, "SELECT id, kind, target, batch, timeout, reboot_cmd, state,"
		       " (SELECT coalesce(max(seq), 0) FROM rollout_log WHERE rollout = id)"
		       " FROM rollouts WHERE state IN ('running', 'reverting') ORDER BY id DESC LIMIT 1",
		       &q) < 0)
		return -1;
	if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return rc == SQLITE_DONE ? 0 : db_fail(db, "reading the rollout");
	}
	r = xcalloc(1, sizeof *r);
	r->id = sqlite3_column_int64(q, 0);
	r->kind = strcmp((const char *)sqlite3_column_text(q, 1), "rollback") ? "rollout"
									      : "rollback";
	r->target = db_col_strdup(q, 2);
	r->batch = sqlite3_column_int(q, 3);
	r->timeout = sqlite3_column_int(q, 4);
	r->reboot_cmd = db_col_strdup(q, 5);
	r->state = (enum ro_state)lookup(ro_names, sizeof ro_names / sizeof *ro_names,
					 (const char *)sqlite3_column_text(q, 6));
	r->seq = sqlite3_column_int(q, 7);
	sqlite3_finalize(q);
	if (load_nodes(db, r) < 0) {
		rollout_free(r);
		return -1;
	}
	/* the batch in progress: the first with a node not done */
	r->cur = r->nbatches;
	for (size_t i = r->n; i-- > 0;)
		if (r->nodes[i].state != RN_DONE)
			r->cur = r->nodes[i].batch;
	*out = r;
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *version_json(const char *image, int ver)
{
	return image ? json_sprintf("%s@%d", image, ver) : json_null();
}

static json_t *nodes_json(sqlite3 *db, long long id)
{
	json_t *a = json_array();
	sqlite3_stmt *q;

	if (db_prepare(db, "SELECT node, batch, from_image, from_ver, to_image, to_ver, state, why"
		       " FROM rollout_nodes WHERE rollout = ?1 ORDER BY batch, node", &q) < 0) {
		json_decref(a);
		return NULL;
	}
	sqlite3_bind_int64(q, 1, id);
	while (sqlite3_step(q) == SQLITE_ROW)
		json_array_append_new(a, json_pack(
			"{s:s, s:i, s:o, s:o, s:s, s:o}",
			"name", (const char *)sqlite3_column_text(q, 0),
			"batch", sqlite3_column_int(q, 1) + 1,
			"from", version_json((const char *)sqlite3_column_text(q, 2),
					     sqlite3_column_int(q, 3)),
			"to", version_json((const char *)sqlite3_column_text(q, 4),
					   sqlite3_column_int(q, 5)),
			"state", (const char *)sqlite3_column_text(q, 6),
			"why", str_or_null((const char *)sqlite3_column_text(q, 7))));
	sqlite3_finalize(q);
	return a;
}

static json_t *log_json(sqlite3 *db, long long id, long long since)
{
	json_t *a = json_array();
	sqlite3_stmt *q;

	if (db_prepare(db, "SELECT seq, time, line FROM rollout_log WHERE rollout = ?1 AND seq > ?2"
		       " ORDER BY seq", &q) < 0) {
		json_decref(a);
		return NULL;
	}
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, since);
	while (sqlite3_step(q) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I, s:I, s:s}", "seq",
						   (json_int_t)sqlite3_column_int64(q, 0), "time",
						   (json_int_t)sqlite3_column_int64(q, 1), "line",
						   (const char *)sqlite3_column_text(q, 2)));
	sqlite3_finalize(q);
	return a;
}

json_t *rollout_db_json(sqlite3 *db, long long id, long long since)
{
	sqlite3_stmt *q;
	json_t *o = NULL, *nodes, *log;

	if (db_prepare(db, "SELECT id, kind, target, batch, timeout, state, started, finished, error"
		       " FROM rollouts WHERE ?1 = 0 OR id = ?1 ORDER BY id DESC LIMIT 1", &q) < 0)
		return NULL;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		err_set(id ? "no rollout %lld" : "no rollout yet: start one with 'bootsrv rollout "
			"NAME@VER'", id);
		return NULL;
	}
	id = sqlite3_column_int64(q, 0);
	if ((nodes = nodes_json(db, id)) && (log = log_json(db, id, since)))
		o = json_pack("{s:b, s:I, s:s, s:s, s:i, s:i, s:s, s:I, s:o, s:o, s:o, s:o}",
			      "ok", 1, "id", (json_int_t)id,
			      "kind", (const char *)sqlite3_column_text(q, 1),
			      "target", (const char *)sqlite3_column_text(q, 2),
			      "batch", sqlite3_column_int(q, 3), "timeout", sqlite3_column_int(q, 4),
			      "state", (const char *)sqlite3_column_text(q, 5),
			      "started", (json_int_t)sqlite3_column_int64(q, 6),
			      "finished", sqlite3_column_type(q, 7) == SQLITE_NULL ? json_null() :
					  json_integer(sqlite3_column_int64(q, 7)),
			      "error", str_or_null((const char *)sqlite3_column_text(q, 8)),
			      "nodes", nodes, "log", log);
	else
		json_decref(nodes);
	sqlite3_finalize(q);
	return o;
}

void rollout_free(struct rollout *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct rnode *n = &r->nodes[i];

		if (n->hook.out >= 0)
			close(n->hook.out);
		free(n->name);
		free(n->from_image);
		free(n->to_image);
		free(n->old_boot_id);
		free(n->why);
	}
	free(r->nodes);
	free(r->target);
	free(r->reboot_cmd);
	free(r->error);
	free(r);
}
