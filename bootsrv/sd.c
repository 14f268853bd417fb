/*
 * /sd/node_exporter: Prometheus HTTP service discovery (http_sd_configs).
 * A JSON array with one target group per node that has an address, its
 * node_exporter at ADDRESS:bootsrv.node_exporter_port, labelled with the
 * node's name, model, MAC and image. Read from the database like
 * /status.json, so an inventory change shows at the next refresh.
 */
#include "bootsrv.h"

#include "db.h"
#include "xalloc.h"

#include <stdlib.h>

/* The fixed address, else the one bootsrv last saw the node boot with (a
 * pool or proxy-mode lease: the best there is without a fixed one). */
static const char sd_sql[] =
	"SELECT n.name, n.model, n.mac, n.image, n.ver, coalesce(n.ip, nullif(b.ip, ''))"
	" FROM nodes n LEFT JOIN boot_state b ON b.node = n.name ORDER BY n.name";

/* Label "name" from column i, left out when NULL (Prometheus: empty = absent). */
static void label(json_t *labels, const char *name, sqlite3_stmt *q, int i)
{
	if (sqlite3_column_type(q, i) != SQLITE_NULL)
		json_object_set_new(labels, name,
				    json_string((const char *)sqlite3_column_text(q, i)));
}

static json_t *target_group(sqlite3_stmt *q, int port)
{
	json_t *labels = json_object();
	char *target = xasprintf("%s:%d", (const char *)sqlite3_column_text(q, 5), port);
	json_t *g = json_pack("{s:[s], s:o}", "targets", target, "labels", labels);

	label(labels, "node", q, 0);
	label(labels, "model", q, 1);
	label(labels, "mac", q, 2);
	label(labels, "image", q, 3);
	label(labels, "version", q, 4);	/* text: label values are strings */
	free(target);
	return g;
}

char *sd_render(struct daemon *d)
{
	sqlite3_stmt *q;
	json_t *groups;
	char *out;
	int rc;

	watch_flush(d);		/* the addresses of boots in the pending batch */
	if (db_prepare(d->db, sd_sql, &q) < 0)
		return NULL;
	groups = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (sqlite3_column_type(q, 5) != SQLITE_NULL)
			json_array_append_new(groups, target_group(q, d->cfg->node_exporter_port));
	if (rc != SQLITE_DONE)
		db_fail(d->db, "listing the nodes' node_exporter targets");
	sqlite3_finalize(q);
	out = rc == SQLITE_DONE ? json_dumps(groups, JSON_INDENT(2)) : NULL;
	json_decref(groups);
	return out;
}
