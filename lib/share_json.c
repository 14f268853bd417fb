/* Shares as JSON: imgtool share list/show, bootsrv's status, page and metrics. */
#include "share.h"

#include "err.h"
#include "xalloc.h"

#include <stdlib.h>

json_t *share_json(sqlite3 *db, const struct config *cfg, const struct share *s)
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

json_t *share_list_json(sqlite3 *db, const struct config *cfg)
{
	struct share *v;
	json_t *arr;
	size_t n;

	if (share_list(db, &v, &n) < 0)
		return NULL;
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, share_json(db, cfg, &v[i]));
	shares_free(v, n);
	return arr;
}
