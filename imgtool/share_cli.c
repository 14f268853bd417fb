#include "share_cli.h"

#include "bootsrv_ctl.h"
#include "err.h"
#include "nfsroot.h"
#include "node_edit.h"
#include "xalloc.h"

#include <stdlib.h>

struct store_arg {
	const struct state *st;
	struct share *s;
	int is_new;
};

static int store_row(sqlite3 *db, const struct config *cfg, const void *arg)
{
	const struct store_arg *a = arg;

	(void)cfg;
	return share_validate(a->st, db, a->s) < 0 ? -1 : share_write(db, a->s, a->is_new);
}

static int delete_row(sqlite3 *db, const struct config *cfg, const void *arg)
{
	(void)cfg;
	return share_delete(db, arg);
}

/* After the change: exports (the server's view) and the daemon. */
static int publish(const struct state *st, sqlite3 *db, const struct config *cfg)
{
	if (nfsroot_apply_shares(st, cfg, db) < 0)
		return -1;
	bootsrv_notify_reload(st);
	return 0;
}

int share_cli_store(const struct state *st, sqlite3 *db, const struct config *cfg,
		    struct share *s, int is_new)
{
	struct store_arg a = { st, s, is_new };

	if (node_change(st, db, cfg, store_row, &a) < 0)
		return -1;
	return publish(st, db, cfg);
}

int share_cli_remove(const struct state *st, sqlite3 *db, const struct config *cfg,
		     const char *name)
{
	if (node_change(st, db, cfg, delete_row, name) < 0)
		return -1;
	return publish(st, db, cfg);
}

int share_cli_get(sqlite3 *db, const char *name, struct share *s)
{
	int rc = share_get(db, name, s);

	if (rc > 0)
		return err_set("no share named '%s' (see 'imgtool share list')", name);
	return rc;
}

json_t *share_cli_json(sqlite3 *db, const struct config *cfg, const struct share *s)
{
	json_t *o = json_object(), *members = json_array();
	unsigned long long used = 0, avail = 0;
	struct node *nodes;
	size_t n;
	char *exp = share_export_path(cfg, s);

	if (inventory_list(db, &nodes, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (share_has_member(s, &nodes[i]))
				json_array_append_new(members, json_string(nodes[i].name));
		nodes_free(nodes, n);
	}
	if (share_usage(s->path, &used, &avail) < 0)
		err_clear();	/* a missing directory shows as 0 bytes */
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "path", json_string(s->path));
	json_object_set_new(o, "mount", json_string(s->mount));
	json_object_set_new(o, "nodes", json_string(s->nodes));
	json_object_set_new(o, "members", members);
	json_object_set_new(o, "ro", json_boolean(s->ro));
	json_object_set_new(o, "squash", json_string(s->squash));
	json_object_set_new(o, "proto", json_string(s->proto));
	json_object_set_new(o, "export", json_string(exp));
	json_object_set_new(o, "export_id", json_integer(s->export_id));
	json_object_set_new(o, "bytes_used", json_integer((json_int_t)used));
	json_object_set_new(o, "bytes_free", json_integer((json_int_t)avail));
	json_object_set_new(o, "created", json_integer(s->created));
	free(exp);
	return o;
}
