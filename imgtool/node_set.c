/* imgtool node set NAME key=value...: change a node and rebuild what depends on it. */
#include "commands.h"
#include "bootsrv_ctl.h"
#include "node_cli.h"

#include "err.h"
#include "node_edit.h"
#include "node_parse.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node set NAME KEY=VALUE...\n\n"
	      "Change a node, then rebuild its files (and every node's /etc/hosts when an\n"
	      "address changes). An empty VALUE clears the field. Keys:\n"
	      "  image=NAME[@VER]   boot this image version (rolls the node on next boot)\n"
	      "  ip=ADDR            fixed address in the cluster network\n"
	      "  model=3|4|5|pxe    board model\n"
	      "  mac=MAC, serial=HEX  the board ('imgtool node replace' says it better)\n"
	      "  var.NAME=VALUE     template variable\n"
	      "  config.KEY=VALUE   KEY=VALUE line in the node's config.txt\n"
	      "  login.KEY=VALUE    the node's login user: login.user, login.password_hash,\n"
	      "                     login.authorized_keys (override bramble.conf [login])\n"
	      "All changes apply together, or none when one is wrong.\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int apply(sqlite3 *db, struct node *n, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *key, *k, *v, *vars;
	int rc;

	if (!eq || eq == kv)
		return err_set("'%s' is not KEY=VALUE (see 'imgtool node set --help')", kv);
	key = xasprintf("%.*s", (int)(eq - kv), kv);
	if (strncmp(key, "var.", 4) && strncmp(key, "config.", 7) && strncmp(key, "login.", 6)) {
		rc = node_cli_field(db, n, key, eq + 1);
		free(key);
		return rc;
	}
	free(key);
	/* var.NAME=V is the variable NAME; config.KEY=V and login.KEY=V keep their prefix. */
	if (node_parse_var(strncmp(kv, "var.", 4) ? kv : kv + 4, &k, &v) < 0)
		return -1;
	vars = node_vars_set(n->vars, k, v);
	free(n->vars);
	n->vars = vars;
	free(k);
	free(v);
	return 0;
}

int cmd_node_set(struct ctx *ctx, int argc, char **argv)
{
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	struct node n = { 0 };
	int rc;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc < 3)
		return usage(stderr);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0)
		return cli_fail(ctx);
	if ((rc = inventory_get(db, argv[1], &n)) != 0) {
		if (rc > 0)
			err_set("no node named '%s' (see 'imgtool node list')", argv[1]);
		return cli_fail(ctx);
	}
	rc = 0;
	for (int i = 2; i < argc && rc == 0; i++)
		rc = apply(db, &n, argv[i]);
	if (rc == 0)
		rc = node_update(st, db, cfg, &n);
	if (rc == 0) {
		if (!ctx->quiet)
			printf("%s: updated\n", n.name);
		bootsrv_notify_reload(st);
	}
	node_free(&n);
	return rc < 0 ? cli_fail(ctx) : 0;
}
