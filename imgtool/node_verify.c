/*
 * imgtool node verify NAME [--server ADDR]: mount the node's published root
 * with libnfs as the node would and say what is wrong (nfsroot_verify).
 * Run it under `ip netns exec` in a namespace holding the node's address
 * to check the export admits the node and nobody else.
 */
#include "commands.h"

#include "err.h"
#include "inventory.h"
#include "nfsroot.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node verify NAME [--server ADDR]\n\n"
	      "Mount the node's NFS root from ADDR (default: server_ip of bramble.conf)\n"
	      "the way the node does (NFSv3 over TCP, as root) and check that /sbin/init\n"
	      "resolves to an executable, /etc/hostname is the node's name, /etc/machine-id\n"
	      "is its identity layer's, and a file written over NFS lands in the node's\n"
	      "own state and nowhere else (then it is removed). Prints one line per\n"
	      "problem; exit status 1 if there is any.\n\n"
	      "  --server ADDR   the NFS server's address\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_node_verify(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL;
	struct node n = { 0 };
	struct nfsroot r;
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	char *export;
	int c, rc;

	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return usage(stderr);
	if (!(cfg = ctx_config(ctx)) || !(st = ctx_state(ctx)) || !(db = ctx_db(ctx)))
		return cli_fail(ctx);
	rc = inventory_get(db, argv[optind], &n);
	if (rc == 1)
		err_set("no node named '%s' (see 'imgtool node list')", argv[optind]);
	if (rc || nfsroot_paths(st, &n, &r) < 0) {
		node_free(&n);
		return cli_fail(ctx);
	}
	export = nfsroot_export_path(cfg, &r);
	if (!server)
		server = cfg->server_ip;
	rc = nfsroot_verify(&r, server, export, stdout);
	if (rc == 0)
		printf("%s: NFS root %s:%s is fine\n", r.name, server, export);
	free(export);
	nfsroot_free(&r);
	node_free(&n);
	return rc ? 1 : 0;
}
