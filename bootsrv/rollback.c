/*
 * What `bootsrv rollback [--nodes LIST]` moves: each node back to the
 * version it ran before its last completed move (a rollout or rollback),
 * provided it still runs the version that move gave it. Without a list,
 * the nodes the latest rollout moved.
 */
#include "rollout.h"

#include "db.h"
#include "err.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The nodes the latest rollout with a completed node moved. */
static int latest_moved(sqlite3 *db, char ***names, size_t *n)
{
	sqlite3_stmt *q;
	int rc;

	*names = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT node FROM rollout_nodes WHERE state = 'done' AND rollout ="
		       " (SELECT max(rollout) FROM rollout_nodes WHERE state = 'done') ORDER BY node",
		       &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = xstrdup((const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return db_fail(db, "reading rollouts");
	return *n ? 0 : err_set("nothing to roll back: no rollout has moved a node yet");
}

/* n->name's last completed move, turned around; 1 when it has none. */
static int last_move(sqlite3 *db, struct rnode *n)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT r.from_image, r.from_ver, r.to_image, r.to_ver,"
		       " n.image, n.ver FROM rollout_nodes r LEFT JOIN nodes n ON n.name = r.node"
		       " WHERE r.node = ?1 AND r.state = 'done' ORDER BY r.rollout DESC LIMIT 1",
		       &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, n->name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return rc == SQLITE_DONE ? 1 : db_fail(db, "reading rollouts");
	}
	rc = 0;
	if (!sqlite3_column_text(q, 4) ||
	    strcmp((const char *)sqlite3_column_text(q, 4), (const char *)sqlite3_column_text(q, 2)) ||
	    sqlite3_column_int(q, 5) != sqlite3_column_int(q, 3))
		rc = err_set("%s no longer runs %s@%d, the version its last rollout gave it: "
			     "move it with 'bootsrv rollout NAME@VER --nodes %s'", n->name,
			     (const char *)sqlite3_column_text(q, 2), sqlite3_column_int(q, 3),
			     n->name);
	else {
		n->to_image = xstrdup((const char *)sqlite3_column_text(q, 0));
		n->to_ver = sqlite3_column_int(q, 1);
		n->from_image = xstrdup((const char *)sqlite3_column_text(q, 2));
		n->from_ver = sqlite3_column_int(q, 3);
	}
	sqlite3_finalize(q);
	return rc;
}

int rollback_plan(sqlite3 *db, char *const *names, size_t n, struct rollout *r)
{
	char **latest = NULL;
	size_t nlatest = 0;
	int rc = 0;

	if (n == 0) {
		if (latest_moved(db, &latest, &nlatest) < 0)
			return -1;
		names = latest;
		n = nlatest;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct rnode *x = rollout_add(r, names[i]);

		if ((rc = last_move(db, x)) > 0)
			rc = err_set("%s has no earlier version to return to: no rollout has moved "
				     "it", names[i]);
	}
	for (size_t i = 0; i < nlatest; i++)
		free(latest[i]);
	free(latest);
	return rc;
}
