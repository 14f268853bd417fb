/* imgtool share set NAME key=value...: change a share; members get it at their next boot. */
#include "commands.h"
#include "node_cli.h"
#include "share_cli.h"

#include "err.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool share set NAME KEY=VALUE...\n\n"
	      "Change a share. The export changes at once (a running bootsrv applies it),\n"
	      "the nodes' mounts at their next boot ('imgtool node diff' shows them).\n"
	      "Keys, as the options of 'imgtool share add':\n"
	      "  nodes=LIST         all, names, ranges, image=NAME, model=M, var.KEY=VALUE\n"
	      "  mount=PATH         where the nodes mount it\n"
	      "  ro=yes|no          read-only for the nodes\n"
	      "  squash=root|all|none\n"
	      "  proto=v4|v3\n"
	      "  path=DIR           another directory (the data is not moved)\n"
	      "All changes apply together, or none when one is wrong.\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int apply(sqlite3 *db, struct share *s, const char *kv)
{
	const char *eq = strchr(kv, '='), *v = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - kv) : 0;

	if (!eq || !klen)
		return err_set("'%s' is not KEY=VALUE (see 'imgtool share set --help')", kv);
	if (klen == 5 && !strncmp(kv, "nodes", 5)) {
		if (share_check_nodes(db, v) < 0)
			return -1;
		replace(&s->nodes, v);
	}
	else if (klen == 5 && !strncmp(kv, "mount", 5))
		replace(&s->mount, v);
	else if (klen == 6 && !strncmp(kv, "squash", 6))
		replace(&s->squash, v);
	else if (klen == 5 && !strncmp(kv, "proto", 5))
		replace(&s->proto, v);
	else if (klen == 2 && !strncmp(kv, "ro", 2))
		return share_parse_bool(v, &s->ro) < 0 ? err_wrap("ro: ") : 0;
	else if (klen == 4 && !strncmp(kv, "path", 4)) {
		replace(&s->path, v);
		s->owned = 0;	/* the admin's directory now: never removed by rm */
	} else
		return err_set("'%.*s' is not a share setting (nodes, mount, ro, squash, proto, "
			       "path)", (int)klen, kv);
	return 0;
}

int cmd_share_set(struct ctx *ctx, int argc, char **argv)
{
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	struct share s;
	int rc = 0;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc < 3)
		return usage(stderr);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0 || share_cli_get(db, argv[1], &s) < 0)
		return cli_fail(ctx);
	for (int i = 2; i < argc && rc == 0; i++)
		rc = apply(db, &s, argv[i]);
	if (rc == 0)
		rc = share_cli_store(st, db, cfg, &s, 0);
	if (rc == 0 && !ctx->quiet)
		printf("share %s: updated\n", s.name);
	share_free(&s);
	return rc < 0 ? cli_fail(ctx) : 0;
}
