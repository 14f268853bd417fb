/* imgtool node rm NAME [--keep-state]: withdraw a node's root, then remove the node. */
#include "commands.h"
#include "bootsrv_ctl.h"
#include "node_cli.h"

#include "err.h"
#include "node_edit.h"
#include "nfsroot.h"

#include <getopt.h>
#include <stdio.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node rm NAME [--keep-state]\n\n"
	      "Remove a node: its NFS export is withdrawn and its root unmounted first,\n"
	      "then its boot dir, identity layer and inventory row go, and (unless\n"
	      "--keep-state) its kept identity and its own files.\n\n"
	      "  --keep-state   keep nodes/NAME/state (the node's files) and keep/\n"
	      "                 (machine-id, ssh host keys): adding NAME again brings\n"
	      "                 them back\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_node_rm(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep-state", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	struct node n;
	int c, rc, keep = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keep = 1; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return usage(stderr);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0)
		return cli_fail(ctx);
	if ((rc = inventory_get(db, argv[optind], &n)) != 0) {
		if (rc > 0)
			err_set("no node named '%s' (see 'imgtool node list')", argv[optind]);
		return cli_fail(ctx);
	}
	node_free(&n);
	if (nfsroot_unpublish_node(st, cfg, db, argv[optind]) < 0 ||
	    node_remove(st, db, cfg, argv[optind], keep) < 0)
		return cli_fail(ctx);
	if (!ctx->quiet)
		printf("removed %s%s\n", argv[optind], keep ? " (its state and identity kept)" : "");
	bootsrv_notify_reload(st);
	return 0;
}
