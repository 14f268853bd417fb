/* imgtool node: the verbs of the node inventory and its NFS roots. */
#include "commands.h"

#include <stddef.h>

static const struct cmd verbs[] = {
	{ "add", cmd_node_add, "add nodes (NAME or a range like node[01-16]) and build their files" },
	{ "import", cmd_node_import, "add the nodes of a CSV file, all or none" },
	{ "export", cmd_node_export, "write the inventory as CSV" },
	{ "set", cmd_node_set, "change a node (image, ip, model, variables ...)" },
	{ "rm", cmd_node_rm, "remove a node (unpublishing its root first)" },
	{ "list", cmd_node_list, "list the nodes" },
	{ "show", cmd_node_show, "show one node in full" },
	{ "replace", cmd_node_replace, "bind a node to a new board, keeping its identity and files" },
	{ "diff", cmd_node_diff, "would a reboot change this node? list the files that differ" },
	{ "build", cmd_node_build, "rebuild nodes' files (after a template change)" },
	{ "publish", cmd_node_publish, "mount and export nodes' NFS roots" },
	{ "unpublish", cmd_node_unpublish, "withdraw nodes' NFS exports and unmount their roots" },
	{ "verify", cmd_node_verify, "check a node's published root over NFS, as the node sees it" },
	{ NULL, NULL, NULL },
};

int cmd_node(struct ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "node", verbs, argc, argv);
}
