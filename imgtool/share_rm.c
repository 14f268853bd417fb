/* imgtool share rm NAME [--keep-data]: withdraw a share from its nodes, then remove it. */
#include "commands.h"
#include "node_cli.h"
#include "share_cli.h"

#include "err.h"
#include "fsutil.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool share rm NAME [--keep-data]\n\n"
	      "Remove a share: its export is withdrawn, the nodes' mounts go at their\n"
	      "next boot, and the data in its default directory (<state>/shares/NAME) is\n"
	      "deleted. A directory given with --path is never deleted. Refused while a\n"
	      "rollout is moving one of its members.\n\n"
	      "  --keep-data   keep the default directory and its files\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

/* Refuse while a running rollout moves a member: it reboots them. */
static int not_in_rollout(sqlite3 *db, const struct share *s)
{
	char *node;

	if (share_in_rollout(db, s, &node) < 0)
		return -1;
	if (!node)
		return 0;
	err_set("share %s is in use by a running rollout (member %s): wait for it "
		"('bootsrv rollout --status --wait') and remove the share then", s->name, node);
	free(node);
	return -1;
}

int cmd_share_rm(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep-data", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	struct share s;
	int c, keep = 0, rc = -1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keep = 1; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return usage(stderr);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0 || share_cli_get(db, argv[optind], &s) < 0)
		return cli_fail(ctx);
	if (not_in_rollout(db, &s) == 0 && share_cli_remove(st, db, cfg, s.name) == 0)
		rc = s.owned && !keep ? rm_rf(s.path) : 0;
	if (rc == 0 && !ctx->quiet)
		printf("removed share %s%s\n", s.name,
		       s.owned && !keep ? "" : " (its directory kept)");
	share_free(&s);
	return rc < 0 ? cli_fail(ctx) : 0;
}
