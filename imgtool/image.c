/* imgtool image: the verbs of the image store. */
#include "commands.h"

#include <stddef.h>

static const struct cmd verbs[] = {
	{ "import", cmd_image_import, "import a Pi OS image (.img, .img.xz, directory) as NAME@N" },
	{ "list", cmd_image_list, "list image versions, their size and the nodes using them" },
	{ "rm", cmd_image_rm, "remove an image version no node uses" },
	{ "gc", cmd_image_gc, "free stored data no version uses any more" },
	{ "exec", cmd_image_exec, "run a command in a version; its changes become the next version" },
	{ "shell", cmd_image_shell, "interactive shell in a version; its changes become the next one" },
	{ "diff", cmd_image_diff, "list paths added, removed and changed between two versions" },
	{ NULL, NULL, NULL },
};

int cmd_image(struct ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "image", verbs, argc, argv);
}
