/* imgtool node diff NAME: would a reboot change this node? */
#include "commands.h"

#include "node_build.h"
#include "node_conflict.h"

#include <stdio.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node diff NAME\n\n"
	      "Compare what the node last booted (or, if it never booted, what was last\n"
	      "built for it) with what it would boot now: the image version and every\n"
	      "file of its boot dir (boot/...) and identity layer (ident/...), by content\n"
	      "hash. Prints one line per difference (M changed, A added, D gone; 'M image'\n"
	      "for another image version) and exits 1 when there is any, 0 when none, 2\n"
	      "on error, like diff(1). Nothing is written: 'imgtool node build' applies\n"
	      "template changes, a reboot takes them up.\n\n"
	      "With another image version, files of the node's own state (its writes,\n"
	      "kept across versions) that shadow files the new version changed are listed\n"
	      "too, as 'C PATH (node changed it; NAME@VER changed it too)': the node would\n"
	      "keep its copy.\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_node_diff(struct ctx *ctx, int argc, char **argv)
{
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	int n, c;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc != 2)
		return usage(stderr);
	if (!(cfg = ctx_config(ctx)) || !(st = ctx_state_locked(ctx)) || !(db = ctx_db(ctx)) ||
	    (n = node_diff(st, db, cfg, argv[1], stdout)) < 0 ||
	    (c = node_update_conflicts(st, db, argv[1], stdout)) < 0) {
		cli_fail(ctx);
		return 2;
	}
	return n + c > 0;
}
