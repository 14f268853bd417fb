/* imgtool image: the verbs of the image store. */
#include "commands.h"

#include <stddef.h>

static const struct cmd verbs[] = {
	{ NULL, NULL, NULL },
};

int cmd_image(struct ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "image", verbs, argc, argv);
}
