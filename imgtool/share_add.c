/* imgtool share add NAME [--path DIR] [--nodes LIST] [--mount PATH] [--ro] ...: a new share. */
#include "commands.h"
#include "node_cli.h"
#include "share_cli.h"

#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool share add NAME [--path DIR] [--nodes LIST|all] [--mount PATH]\n"
	      "                         [--ro] [--squash root|all|none] [--proto v3|v4]\n\n"
	      "Share a head-node directory with nodes: it is exported to them over NFS\n"
	      "(only their addresses) and each member mounts it at boot.\n\n"
	      "  --path DIR     the directory (default <state>/shares/NAME, made here)\n"
	      "  --nodes LIST   members: all (default), or comma-separated node names,\n"
	      "                 ranges like node[01-08], image=NAME, model=M, var.KEY=VALUE\n"
	      "  --mount PATH   where the nodes mount it (default /srv/NAME)\n"
	      "  --ro           read-only for the nodes\n"
	      "  --squash MODE  root (default): root on a node is nobody; all; none\n"
	      "  --proto P      v4 (default: NFSv4.1) or v3\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

/* What can be checked before anything is made (the default directory). */
static int precheck(sqlite3 *db, const struct share *s)
{
	struct share old;
	int rc;

	if (share_check_name(s->name) < 0 || share_check_mount(s->mount) < 0 ||
	    share_check_squash(s->squash) < 0 || share_check_proto(s->proto) < 0 ||
	    share_check_nodes(db, s->nodes) < 0)
		return -1;
	if ((rc = share_get(db, s->name, &old)) < 0)
		return -1;
	if (rc == 0) {
		share_free(&old);
		return err_set("share %s exists already (change it with 'imgtool share set %s "
			       "KEY=VALUE')", s->name, s->name);
	}
	return 0;
}

/* The default directory, made for the share; removed again if it is refused. */
static int make_default(const struct state *st, struct share *s)
{
	s->path = state_path(st, "shares/%s", s->name);
	s->owned = 1;
	return mkdir_p(s->path, 0755);
}

static void unmake_default(const struct state *st, const struct share *s)
{
	char *parent = state_path(st, "shares");

	rmdir(s->path);
	rmdir(parent);	/* only when empty: the first share's */
	free(parent);
}

/* 1 if the share's row is in the database, 0 if not (refused), -1 on error. */
static int stored(sqlite3 *db, const char *name)
{
	struct share s;
	int rc = share_get(db, name, &s);

	share_free(&s);
	return rc < 0 ? -1 : rc == 0;
}

int cmd_share_add(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "mount", required_argument, NULL, 'm' },
		{ "ro", no_argument, NULL, 'r' },
		{ "squash", required_argument, NULL, 's' },
		{ "proto", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *nodes = "all", *mount = NULL, *squash = "root", *proto = "v4";
	struct share s = { 0 };
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	int c, ro = 0, rc = -1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 'n': nodes = optarg; break;
		case 'm': mount = optarg; break;
		case 'r': ro = 1; break;
		case 's': squash = optarg; break;
		case 'P': proto = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return usage(stderr);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0)
		return cli_fail(ctx);
	s.name = xstrdup(argv[optind]);
	s.nodes = xstrdup(nodes);
	s.mount = mount ? xstrdup(mount) : xasprintf("/srv/%s", s.name);
	s.squash = xstrdup(squash);
	s.proto = xstrdup(proto);
	s.ro = ro;
	if (precheck(db, &s) < 0)
		goto out;
	if (path)
		s.path = xstrdup(path);
	else if (make_default(st, &s) < 0)
		goto out;
	if ((rc = share_cli_store(st, db, cfg, &s, 1)) < 0 && s.owned && stored(db, s.name) == 0)
		unmake_default(st, &s);
	if (rc == 0 && !ctx->quiet)
		printf("share %s: %s, mounted at %s by %s\n", s.name, s.path, s.mount, s.nodes);
out:
	share_free(&s);
	return rc < 0 ? cli_fail(ctx) : 0;
}
