/* imgtool node build [NAME...]: rebuild nodes' files, e.g. after editing templates. */
#include "commands.h"
#include "node_cli.h"

#include "node_build.h"

#include <stdio.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node build [NAME...]\n\n"
	      "Rebuild the identity layer, boot dir and manifest of the named nodes (all\n"
	      "without names) from the inventory and the templates, e.g. after editing\n"
	      "an overlay. Files that come out the same are not touched; a running node\n"
	      "takes the new files up when it reboots ('imgtool node diff' lists them).\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_node_build(struct ctx *ctx, int argc, char **argv)
{
	struct config *cfg;
	struct state *st;
	sqlite3 *db;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0)
		return cli_fail(ctx);
	if (argc == 1 && node_build_all(st, db, cfg) < 0)
		return cli_fail(ctx);
	for (int i = 1; i < argc; i++)
		if (node_build(st, db, cfg, argv[i]) < 0)
			return cli_fail(ctx);
	return 0;
}
