/* Share rows, membership and the facts derived from a share. */
#include "share.h"

#include "db.h"
#include "err.h"
#include "node_parse.h"
#include "xalloc.h"

#include <fts.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#define COLS "name, path, nodes, mount, squash, proto, ro, owned, export_id, created"

static void read_row(sqlite3_stmt *q, struct share *s)
{
	s->name = db_col_strdup(q, 0);
	s->path = db_col_strdup(q, 1);
	s->nodes = db_col_strdup(q, 2);
	s->mount = db_col_strdup(q, 3);
	s->squash = db_col_strdup(q, 4);
	s->proto = db_col_strdup(q, 5);
	s->ro = sqlite3_column_int(q, 6);
	s->owned = sqlite3_column_int(q, 7);
	s->export_id = (unsigned)sqlite3_column_int(q, 8);
	s->created = sqlite3_column_int64(q, 9);
}

int share_get(sqlite3 *db, const char *name, struct share *out)
{
	sqlite3_stmt *q;
	int rc;

	memset(out, 0, sizeof *out);
	if (db_prepare(db, "SELECT " COLS " FROM shares WHERE name = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_row(q, out);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : db_fail(db, "reading share");
}

int share_list(sqlite3 *db, struct share **out, size_t *n)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT " COLS " FROM shares ORDER BY name", &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap)
			*out = xrealloc(*out, (cap = cap ? cap * 2 : 8) * sizeof **out);
		read_row(q, &(*out)[(*n)++]);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		shares_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(db, "listing shares");
	}
	return 0;
}

void share_free(struct share *s)
{
	free(s->name);
	free(s->path);
	free(s->nodes);
	free(s->mount);
	free(s->squash);
	free(s->proto);
	memset(s, 0, sizeof *s);
}

void shares_free(struct share *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		share_free(&v[i]);
	free(v);
}

int share_write(sqlite3 *db, struct share *s, int is_new)
{
	static const char *const insert =
		"INSERT INTO shares (name, path, nodes, mount, squash, proto, ro, owned,"
		" export_id, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		" (" EXPORT_ID_FREE_SQL "), ?9)";
	static const char *const update =
		"UPDATE shares SET path = ?2, nodes = ?3, mount = ?4, squash = ?5, proto = ?6,"
		" ro = ?7, owned = ?8 WHERE name = ?1";
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, is_new ? insert : update, &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, s->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, s->nodes, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, s->mount, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, s->squash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, s->proto, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, s->ro);
	sqlite3_bind_int(q, 8, s->owned);
	if (is_new)
		sqlite3_bind_int64(q, 9, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(db, "writing share");
	sqlite3_finalize(q);
	return rc;
}

int share_delete(sqlite3 *db, const char *name)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "DELETE FROM shares WHERE name = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(db, "removing share");
	sqlite3_finalize(q);
	return rc;
}

struct var_match {
	const char *key, *value;
	bool found;
};

static void match_var(const char *key, const char *value, void *arg)
{
	struct var_match *m = arg;

	if (!strcmp(key, m->key))
		m->found = !strcmp(value, m->value);	/* the last setting counts */
}

/* One KEY=VALUE selector against n. */
static bool selects(const char *key, const char *value, const struct node *n)
{
	if (!strcmp(key, "image"))
		return n->image && !strcmp(n->image, value);
	if (!strcmp(key, "model"))
		return n->model && !strcmp(n->model, value);
	if (!strncmp(key, "var.", 4)) {
		struct var_match m = { key + 4, value, false };

		node_each_var(n, match_var, &m);
		return m.found;
	}
	return false;
}

static bool item_has(const char *item, const struct node *n)
{
	const char *eq = strchr(item, '=');
	char **names;
	size_t count;
	bool found = false;

	if (!strcmp(item, "all"))
		return true;
	if (eq) {
		char *key = xasprintf("%.*s", (int)(eq - item), item);

		found = selects(key, eq + 1, n);
		free(key);
		return found;
	}
	if (node_range(item, &names, &count) < 0) {
		err_clear();
		return false;
	}
	for (size_t i = 0; i < count && !found; i++)
		found = !strcmp(names[i], n->name);
	node_names_free(names, count);
	return found;
}

bool share_has_member(const struct share *s, const struct node *n)
{
	char *spec = xstrdup(s->nodes), *save = NULL;
	bool found = false;

	for (char *it = strtok_r(spec, ",", &save); it && !found; it = strtok_r(NULL, ",", &save))
		found = item_has(it, n);
	free(spec);
	return found;
}

char *share_export_path(const struct config *cfg, const struct share *s)
{
	return cfg->nfs_backend == NFS_KERNEL ? xstrdup(s->path)
					      : xasprintf(SHARE_EXPORT_FMT, s->name);
}

char *share_mount_options(const struct share *s)
{
	/* NLM is off in Ganesha (nfsroot/ganesha_conf.c): v3 clients lock locally */
	return xasprintf("%s,%s", s->ro ? "ro" : "rw",
			 strcmp(s->proto, "v3") ? "vers=4.1" : "vers=3,nolock");
}

int share_in_rollout(sqlite3 *db, const struct share *s, char **node)
{
	sqlite3_stmt *q;
	int rc = SQLITE_DONE;

	*node = NULL;
	if (db_prepare(db, "SELECT n.name, n.mac, n.serial, n.model, n.image, n.ver, n.ip,"
		       " n.vars FROM rollout_nodes rn JOIN rollouts r ON r.id = rn.rollout"
		       " JOIN nodes n ON n.name = rn.node"
		       " WHERE r.state IN ('running', 'reverting') ORDER BY n.name", &q) < 0)
		return -1;
	while (!*node && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct node n = {
			.name = (char *)sqlite3_column_text(q, 0),
			.mac = (char *)sqlite3_column_text(q, 1),
			.serial = (char *)sqlite3_column_text(q, 2),
			.model = (char *)sqlite3_column_text(q, 3),
			.image = (char *)sqlite3_column_text(q, 4),
			.ver = sqlite3_column_int(q, 5),
			.ip = (char *)sqlite3_column_text(q, 6),
			.vars = (char *)sqlite3_column_text(q, 7),
		};

		if (share_has_member(s, &n))
			*node = xstrdup(n.name);
	}
	if (!*node && rc != SQLITE_DONE)
		rc = db_fail(db, "reading running rollouts");
	else
		rc = 0;
	sqlite3_finalize(q);
	return rc;
}

int share_usage(const char *path, unsigned long long *used, unsigned long long *avail)
{
	char *const roots[] = { (char *)path, NULL };
	struct statvfs vfs;
	FTSENT *e;
	FTS *fts;

	*used = 0;
	if (statvfs(path, &vfs) < 0)
		return err_errno("cannot read the filesystem of share path %s", path);
	*avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	if (!(fts = fts_open(roots, FTS_PHYSICAL | FTS_XDEV | FTS_NOCHDIR, NULL)))
		return err_errno("cannot walk share path %s", path);
	while ((e = fts_read(fts)))
		if (e->fts_info != FTS_DP && e->fts_statp && e->fts_info != FTS_NS &&
		    e->fts_info != FTS_ERR && e->fts_info != FTS_DNR)
			*used += (unsigned long long)e->fts_statp->st_blocks * 512;
	fts_close(fts);
	return 0;
}
