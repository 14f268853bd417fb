/*
 * imgtool node unpublish [NAME...]: withdraw nodes' NFS exports and unmount
 * their roots (nfsroot_unpublish_nodes). The node's files stay.
 */
#include "commands.h"

#include "err.h"
#include "nfsroot.h"

#include <stdio.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node unpublish [NAME...]\n\n"
	      "Remove each node's NFS export, make the NFS server drop it (SIGHUP to\n"
	      "NFS-Ganesha, or 'exportfs -ra'), then unmount the node's root overlay.\n"
	      "Without names: every node, and any leftover export. Nothing of the node\n"
	      "is deleted: its state and identity stay for the next publish. A node that\n"
	      "is not published is fine. Needs root.\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_node_unpublish(struct ctx *ctx, int argc, char **argv)
{
	struct nfs_exporter b;
	struct state *st;
	struct config *cfg;
	sqlite3 *db;
	int rc;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (cli_need_root("imgtool node unpublish") < 0 || !(cfg = ctx_config(ctx)) ||
	    !(st = ctx_state_locked(ctx)) || !(db = ctx_db(ctx)) ||
	    nfs_exporter_open(&b, st, cfg, db) < 0)
		return cli_fail(ctx);
	rc = nfsroot_unpublish_nodes(&b, argc > 1 ? argv + 1 : NULL, (size_t)argc - 1, stdout);
	nfs_exporter_close(&b);
	if (rc > 0)
		err_set("%d node%s not unmounted (see above)", rc, rc == 1 ? "" : "s");
	return rc ? cli_fail(ctx) : 0;
}
