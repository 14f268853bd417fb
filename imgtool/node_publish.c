/*
 * imgtool node publish [NAME...]: mount each node's NFS root and export it
 * through the configured NFS server; the library does the work
 * (nfsroot_publish_nodes), this is the command line around it.
 */
#include "commands.h"
#include "node_cli.h"
#include "node_publish.h"

#include "err.h"
#include "nfsroot.h"

static int usage(FILE *f)
{
	fputs("usage: imgtool node publish [NAME...]\n\n"
	      "Mount each node's NFS root, an overlay of its identity layer and image\n"
	      "version under its own state at <state>/nodes/NAME/root, and export it\n"
	      "through the NFS server chosen by nfs_backend in bramble.conf, to the node's\n"
	      "address only (to the cluster network while it has none). Without names:\n"
	      "every node with an image, and exports of nodes no longer in the inventory\n"
	      "are removed. Safe to repeat; a node whose image version changed is\n"
	      "unexported, remounted and exported again.\n\n"
	      "NFS-Ganesha (run/ganesha/exports.d/NAME.conf) is reloaded by SIGHUP when it\n"
	      "runs, else it reads the exports when it starts; the kernel server gets\n"
	      "exports_dir/bramble-NAME.exports and 'exportfs -ra'. Needs root.\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int node_publish_run(struct ctx *ctx, int argc, char **argv, int (*help)(FILE *),
		     bool publish)
{
	char *const *names = argc > 1 ? argv + 1 : NULL;
	struct nfs_exporter b;
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	int rc;

	if (cli_wants_help(argc, argv))
		return help(stdout);
	if (cli_need_root(publish ? "imgtool node publish" : "imgtool node unpublish") < 0 ||
	    node_cli_open(ctx, &cfg, &st, &db) < 0 || nfs_exporter_open(&b, st, cfg, db) < 0)
		return cli_fail(ctx);
	rc = publish ? nfsroot_publish_nodes(&b, st, names, (size_t)argc - 1, stdout)
		     : nfsroot_unpublish_nodes(&b, names, (size_t)argc - 1, stdout);
	nfs_exporter_close(&b);
	if (rc > 0)
		err_set("%d node%s not %s (see above)", rc, rc == 1 ? "" : "s",
			publish ? "published" : "unmounted");
	return rc ? cli_fail(ctx) : 0;
}

int cmd_node_publish(struct ctx *ctx, int argc, char **argv)
{
	return node_publish_run(ctx, argc, argv, usage, true);
}
