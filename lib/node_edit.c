#include "node_edit.h"

#include "crashpoint.h"
#include "db.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "mac.h"
#include "nfsroot.h"
#include "node_build.h"
#include "node_parse.h"
#include "node_vars.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The other node (not `self`) whose column col equals value; NULL if none. */
static int owner_of(sqlite3 *db, const char *col, const char *value, const char *self,
		    char **owner)
{
	char *sql = xasprintf("SELECT name FROM nodes WHERE %s = ?1 AND name != ?2", col);
	sqlite3_stmt *q;
	int rc;

	*owner = NULL;
	rc = db_prepare(db, sql, &q);
	free(sql);
	if (rc < 0)
		return -1;
	sqlite3_bind_text(q, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, self, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*owner = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, "checking for duplicates");
}

static int unique(sqlite3 *db, const struct node *n, const char *col, const char *what,
		  const char *value)
{
	char *owner;

	if (!value)
		return 0;
	if (owner_of(db, col, value, n->name, &owner) < 0)
		return -1;
	if (!owner)
		return 0;
	err_set("%s %s already belongs to node %s (free it with 'imgtool node set %s %s=' "
		"or 'imgtool node rm %s')", what, value, owner, owner, col, owner);
	free(owner);
	return -1;
}

static int exists(sqlite3 *db, const char *sql, const char *a, int b, int *out)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, sql, &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, b);
	rc = sqlite3_step(q);
	*out = rc == SQLITE_ROW;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, sql);
}

static int check_vars(const char *vars)
{
	char *copy = xstrdup(vars ? vars : ""), *save = NULL, *k, *v;
	int rc = 0;

	for (char *l = strtok_r(copy, "\n", &save); l && rc == 0; l = strtok_r(NULL, "\n", &save)) {
		if ((rc = node_parse_var(l, &k, &v)) < 0)
			break;
		if (node_var_builtin(k))
			rc = err_set("'%s' is a built-in template variable; pick another name", k);
		free(k);
		free(v);
	}
	free(copy);
	return rc;
}

int node_validate(sqlite3 *db, const struct config *cfg, const struct node *n, int is_new)
{
	char canon[MAC_STRLEN], serial[SERIAL_STRLEN];
	int found;

	if (node_check_name(n->name) < 0 || node_check_model(n->model) < 0 ||
	    (n->mac && mac_canonical(n->mac, canon) < 0) ||
	    (n->serial && node_check_serial(n->serial, serial) < 0) ||
	    (n->ip && node_check_ip(cfg, n->ip) < 0) || check_vars(n->vars) < 0)
		return -1;
	if ((n->mac && strcmp(canon, n->mac)) || (n->serial && strcmp(serial, n->serial)))
		return err_set("internal: node %s: MAC or serial not in canonical form", n->name);
	if (n->image) {
		if (exists(db, "SELECT 1 FROM versions WHERE image = ?1 AND ver = ?2", n->image,
			   n->ver, &found) < 0)
			return -1;
		if (!found)
			return err_set("image %s@%d does not exist (see 'imgtool image list')",
				       n->image, n->ver);
	}
	if (exists(db, "SELECT 1 FROM nodes WHERE name = ?1", n->name, 0, &found) < 0)
		return -1;
	if (is_new && found)
		return err_set("node %s already exists (change it with 'imgtool node set %s ...')",
			       n->name, n->name);
	if (!is_new && !found)
		return err_set("no node named '%s' (see 'imgtool node list')", n->name);
	return unique(db, n, "mac", "MAC", n->mac) < 0 ||
	       unique(db, n, "serial", "serial", n->serial) < 0 ||
	       unique(db, n, "ip", "IP", n->ip) < 0 ? -1 : 0;
}

/* ---- one change: transaction, plan, commit, build --------------------------- */

int node_change(const struct state *st, sqlite3 *db, const struct config *cfg,
		node_edit_fn fn, const void *arg)
{
	struct builder *b = NULL;
	int rc;

	if (db_begin(db) < 0)
		return -1;
	if (fn(db, cfg, arg) < 0 ||
	    db_exec(db, "UPDATE nodes SET pending = 'build' WHERE pending IS NULL") < 0 ||
	    builder_open(&b, st, db, cfg) < 0)
		goto fail;
	/* the other nodes' files are as last built: a killed build is
	 * finished by node_reconcile, which checks every file */
	builder_trust_built(b);
	if (builder_plan(b, NULL) < 0 || (crashpoint("node-planned"), db_commit(db) < 0))
		goto fail;
	crashpoint("node-committed");
	rc = builder_apply(b);
	builder_close(b);
	if (rc < 0)
		err_wrap("the inventory is changed but the node files are not all rebuilt "
			 "(the next imgtool node command retries): ");
	return rc;
fail:
	db_rollback(db);
	builder_close(b);
	return -1;
}

static int bind_node(sqlite3_stmt *q, const struct node *n)
{
	sqlite3_bind_text(q, 1, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, n->mac, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, n->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, n->model, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, n->image, -1, SQLITE_STATIC);
	if (n->image)
		sqlite3_bind_int(q, 6, n->ver);
	else
		sqlite3_bind_null(q, 6);
	sqlite3_bind_text(q, 7, n->ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, n->vars ? n->vars : "", -1, SQLITE_STATIC);
	return 0;
}

static int write_row(sqlite3 *db, const struct node *n, int is_new)
{
	static const char *const insert =
		"INSERT INTO nodes (name, mac, serial, model, image, ver, ip, vars, created,"
		" pending) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'build')";
	static const char *const update =
		"UPDATE nodes SET mac = ?2, serial = ?3, model = ?4, image = ?5, ver = ?6,"
		" ip = ?7, vars = ?8 WHERE name = ?1";
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, is_new ? insert : update, &q) < 0)
		return -1;
	bind_node(q, n);
	if (is_new)
		sqlite3_bind_int64(q, 9, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(db, "writing node");
	sqlite3_finalize(q);
	return rc;
}

struct nodes_arg {
	const struct node *v;
	size_t n;
	int is_new;
};

static int edit_rows(sqlite3 *db, const struct config *cfg, const void *arg)
{
	const struct nodes_arg *a = arg;

	for (size_t i = 0; i < a->n; i++)
		if (node_validate(db, cfg, &a->v[i], a->is_new) < 0 ||
		    write_row(db, &a->v[i], a->is_new) < 0)
			return -1;
	return 0;
}

int node_create(const struct state *st, sqlite3 *db, const struct config *cfg,
		const struct node *v, size_t n)
{
	struct nodes_arg a = { v, n, 1 };

	return node_change(st, db, cfg, edit_rows, &a);
}

int node_update(const struct state *st, sqlite3 *db, const struct config *cfg,
		const struct node *n)
{
	struct nodes_arg a = { n, 1, 0 };

	return node_change(st, db, cfg, edit_rows, &a);
}

int node_rebind(const struct state *st, sqlite3 *db, const struct config *cfg,
		const char *name, const char *mac, const char *serial)
{
	char canon[MAC_STRLEN], ser[SERIAL_STRLEN];
	struct node n;
	int rc;

	if (mac_canonical(mac, canon) < 0 || (serial && node_check_serial(serial, ser) < 0))
		return -1;
	if ((rc = inventory_get(db, name, &n)))
		return rc < 0 ? -1 : err_set("no node named '%s' (see 'imgtool node list')", name);
	free(n.mac);
	free(n.serial);
	n.mac = xstrdup(canon);
	n.serial = serial ? xstrdup(ser) : NULL;
	rc = node_update(st, db, cfg, &n);
	node_free(&n);
	return rc;
}

/* ---- removal ---------------------------------------------------------------- */

/* 1 when the node's root is mounted (it may be exported), 0 not, -1 error. */
static int root_mounted(const struct state *st, const char *name)
{
	char *root = node_path(st, name, "root"), *real = realpath(root, NULL);
	int m = real ? nfsroot_mounted(real) : 0;

	free(root);
	free(real);
	return m;
}

struct removal {
	const char *name;
	const char *pending;	/* 'rm' or 'rm-keep' */
};

static int mark_removed(sqlite3 *db, const struct config *cfg, const void *arg)
{
	const struct removal *r = arg;
	sqlite3_stmt *q;
	int rc;

	(void)cfg;
	if (db_prepare(db, "UPDATE nodes SET pending = ?2 WHERE name = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r->pending, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(db, "marking node for removal");
	sqlite3_finalize(q);
	return rc;
}

static int rm_node_path(const struct state *st, const char *name, const char *sub)
{
	char *p = node_path(st, name, sub);
	int rc = rm_rf(p);

	free(p);
	return rc;
}

/* Delete what a node marked 'rm'/'rm-keep' has on disk, then its row. Idempotent. */
static int finish_removal(const struct state *st, sqlite3 *db, const char *name,
			  const char *mac, int keep_state)
{
	static const char *const derived[] = { "ident", "root", "built.manifest",
					       "booted.manifest" };
	sqlite3_stmt *q;
	int rc = 0;

	if (mac) {
		char *boot = node_boot_path(st, mac);
		rc = rm_rf(boot);
		free(boot);
	}
	crashpoint("node-rm-boot");
	if (keep_state)
		for (size_t i = 0; i < sizeof derived / sizeof derived[0] && rc == 0; i++)
			rc = rm_node_path(st, name, derived[i]);
	else if (rc == 0)
		rc = rm_node_path(st, name, NULL);
	if (rc < 0)
		return err_wrap("removing node %s: ", name);
	crashpoint("node-rm-files");
	if (db_prepare(db, "DELETE FROM nodes WHERE name = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(db, "removing node");
	sqlite3_finalize(q);
	return rc;
}

int node_remove(const struct state *st, sqlite3 *db, const struct config *cfg,
		const char *name, int keep_state)
{
	struct removal r = { name, keep_state ? "rm-keep" : "rm" };
	struct node n;
	int rc = inventory_get(db, name, &n);

	if (rc)
		return rc < 0 ? -1 : err_set("no node named '%s' (see 'imgtool node list')", name);
	if ((rc = root_mounted(st, name)) > 0)
		rc = err_set("node %s: its NFS root is mounted: unpublish it first "
			     "('imgtool node unpublish %s')", name, name);
	else if (rc == 0 && (rc = node_change(st, db, cfg, mark_removed, &r)) == 0)
		rc = finish_removal(st, db, name, n.mac, keep_state);
	node_free(&n);
	return rc;
}

/* A removal a killed command left half done. */
struct left {
	char *name, *mac;
	int keep_state;
};

int node_reconcile(const struct state *st, sqlite3 *db, const struct config *cfg)
{
	sqlite3_stmt *q;
	struct left *rm = NULL;
	size_t nrm = 0;
	int rc, builds = 0;

	if (db_prepare(db, "SELECT name, mac, pending FROM nodes WHERE pending IS NOT NULL"
		       " ORDER BY name", &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *mac = (const char *)sqlite3_column_text(q, 1);
		const char *pending = (const char *)sqlite3_column_text(q, 2);

		if (!strcmp(pending, "build")) {
			builds++;
			continue;
		}
		rm = xrealloc(rm, (nrm + 1) * sizeof *rm);
		rm[nrm].name = xstrdup((const char *)sqlite3_column_text(q, 0));
		rm[nrm].mac = mac ? xstrdup(mac) : NULL;
		rm[nrm++].keep_state = !strcmp(pending, "rm-keep");
	}
	sqlite3_finalize(q);
	rc = rc == SQLITE_DONE ? 0 : db_fail(db, "reading pending nodes");
	for (size_t i = 0; i < nrm; i++) {
		if (rc == 0) {
			log_info("node %s: finishing its interrupted removal", rm[i].name);
			rc = finish_removal(st, db, rm[i].name, rm[i].mac, rm[i].keep_state);
		}
		free(rm[i].name);
		free(rm[i].mac);
	}
	free(rm);
	crashpoint("reconciled-removals");
	if (rc < 0 || builds == 0)
		return rc;
	log_info("finishing an interrupted change: rebuilding the files of %d node%s", builds,
		 builds == 1 ? "" : "s");
	return node_build_all(st, db, cfg);
}
