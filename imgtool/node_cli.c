#include "node_cli.h"

#include "err.h"
#include "mac.h"
#include "node_edit.h"
#include "node_parse.h"
#include "store.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

int node_cli_open(struct ctx *ctx, struct config **cfg, struct state **st, sqlite3 **db)
{
	if (!(*cfg = ctx_config(ctx)) || !(*st = ctx_state_locked(ctx)) || !(*db = ctx_db(ctx)))
		return -1;
	return node_reconcile(*st, *db, *cfg);
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = *value ? xstrdup(value) : NULL;
}

int node_cli_field(sqlite3 *db, struct node *n, const char *key, const char *value)
{
	char buf[MAC_STRLEN > SERIAL_STRLEN ? MAC_STRLEN : SERIAL_STRLEN];

	if (!strcmp(key, "mac")) {
		if (*value && mac_canonical(value, buf) < 0)
			return -1;
		set(&n->mac, *value ? buf : "");
	} else if (!strcmp(key, "serial")) {
		if (*value && node_check_serial(value, buf) < 0)
			return -1;
		set(&n->serial, *value ? buf : "");
	} else if (!strcmp(key, "model")) {
		if (node_check_model(value) < 0)
			return -1;
		set(&n->model, value);
	} else if (!strcmp(key, "image")) {
		char *name = NULL;

		if (*value && store_resolve(db, value, &name, &n->ver) < 0)
			return -1;
		free(n->image);
		n->image = name;
	} else if (!strcmp(key, "ip")) {
		set(&n->ip, value);	/* node_validate checks it against the network */
	} else {
		return err_set("'%s' is not a node field (mac, serial, model, image, ip, "
			       "var.NAME, config.KEY)", key);
	}
	return 0;
}

const char *node_cli_status(const struct node *n, const char *pending)
{
	if (pending)
		return strcmp(pending, "build") ? "removing" : "pending";
	if (!n->mac)
		return "unbound";
	return n->image ? "ready" : "no-image";
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void set_var(const char *key, const char *value, void *vars)
{
	json_object_set_new(vars, key, json_string(value));
}

json_t *node_cli_vars(const struct node *n)
{
	json_t *vars = json_object();

	node_each_var(n, set_var, vars);
	return vars;
}

json_t *node_cli_json(const struct node *n, const char *pending)
{
	json_t *o = json_object(), *vars = node_cli_vars(n);
	char *img = n->image ? xasprintf("%s@%d", n->image, n->ver) : NULL;

	json_object_set_new(o, "name", json_string(n->name));
	json_object_set_new(o, "mac", str_or_null(n->mac));
	json_object_set_new(o, "serial", str_or_null(n->serial));
	json_object_set_new(o, "model", json_string(n->model));
	json_object_set_new(o, "image", str_or_null(img));
	json_object_set_new(o, "ip", str_or_null(n->ip));
	json_object_set_new(o, "vars", vars);
	json_object_set_new(o, "created", json_integer(n->created));
	json_object_set_new(o, "status", json_string(node_cli_status(n, pending)));
	free(img);
	return o;
}
