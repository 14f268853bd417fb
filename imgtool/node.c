/* imgtool node: the verbs of the node inventory and its NFS roots. */
#include "commands.h"

#include <stddef.h>

static const struct cmd verbs[] = {
	{ "publish", cmd_node_publish, "mount and export nodes' NFS roots" },
	{ "unpublish", cmd_node_unpublish, "withdraw nodes' NFS exports and unmount their roots" },
	{ "verify", cmd_node_verify, "check a node's published root over NFS, as the node sees it" },
	{ NULL, NULL, NULL },
};

int cmd_node(struct ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "node", verbs, argc, argv);
}
