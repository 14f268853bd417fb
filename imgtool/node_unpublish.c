/*
 * imgtool node unpublish [NAME...]: withdraw nodes' NFS exports and unmount
 * their roots (nfsroot_unpublish_nodes). The node's files stay.
 */
#include "commands.h"
#include "node_publish.h"

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
	return node_publish_run(ctx, argc, argv, usage, false);
}
