/* imgtool share: cluster shares exported by the head node, mounted by nodes. */
#include "commands.h"

#include <stddef.h>

static const struct cmd verbs[] = {
	{ "add", cmd_share_add, "add a share: a directory every member node mounts" },
	{ "set", cmd_share_set, "change a share (nodes, mount, ro, squash, proto, path)" },
	{ "rm", cmd_share_rm, "remove a share (its data too, unless --keep-data)" },
	{ "list", cmd_share_list, "list the shares with members, mode and space" },
	{ "show", cmd_share_show, "show one share in full" },
	{ NULL, NULL, NULL },
};

int cmd_share(struct ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "share", verbs, argc, argv);
}
