#include "inventory.h"

#include "db.h"
#include "err.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define COLUMNS "name, mac, serial, model, image, ver, ip, vars, created"

static void from_row(sqlite3_stmt *q, struct node *n)
{
	n->name = db_col_strdup(q, 0);
	n->mac = db_col_strdup(q, 1);
	n->serial = db_col_strdup(q, 2);
	n->model = db_col_strdup(q, 3);
	n->image = db_col_strdup(q, 4);
	n->ver = sqlite3_column_int(q, 5);
	n->ip = db_col_strdup(q, 6);
	n->vars = db_col_strdup(q, 7);
	n->created = sqlite3_column_int64(q, 8);
}

static int get_one(sqlite3 *db, const char *sql, const char *key, struct node *out)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, sql, &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		from_row(q, out);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : db_fail(db, "reading node");
}

int inventory_get(sqlite3 *db, const char *name, struct node *out)
{
	return get_one(db, "SELECT " COLUMNS " FROM nodes WHERE name = ?1", name, out);
}

int inventory_by_mac(sqlite3 *db, const char *mac, struct node *out)
{
	return get_one(db, "SELECT " COLUMNS " FROM nodes WHERE mac = ?1", mac, out);
}

int inventory_list(sqlite3 *db, struct node **out, size_t *n)
{
	sqlite3_stmt *q;
	struct node *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (db_prepare(db, "SELECT " COLUMNS " FROM nodes ORDER BY name", &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap)
			v = xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
		from_row(q, &v[len++]);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		nodes_free(v, len);
		return db_fail(db, "listing nodes");
	}
	*out = v;
	*n = len;
	return 0;
}

void node_free(struct node *n)
{
	free(n->name);
	free(n->mac);
	free(n->serial);
	free(n->model);
	free(n->image);
	free(n->ip);
	free(n->vars);
	memset(n, 0, sizeof *n);
}

void nodes_free(struct node *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		node_free(&v[i]);
	free(v);
}

void node_each_var(const struct node *n,
		   void (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	char *copy = xstrdup(n->vars ? n->vars : ""), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');

		if (!eq)
			continue;
		*eq = '\0';
		fn(l, eq + 1, arg);
	}
	free(copy);
}
