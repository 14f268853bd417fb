/*
 * imgtool: the image store and node inventory of a bramble head node.
 * Offline work: needs no daemon running.
 */
#include "cli.h"
#include "commands.h"
#include "err.h"
#include "log.h"

#include <locale.h>
#include <stdio.h>

static const struct cmd groups[] = {
	{ "image", cmd_image, "import, list, remove and garbage-collect OS image versions" },
	{ "node", cmd_node, "the node inventory and each node's NFS root" },
	{ "share", cmd_share, "cluster shares: directories exported to nodes and mounted at boot" },
	{ "fsck", cmd_fsck, "check the state directory against the database; --repair fixes what it can" },
	{ "eeprom", cmd_eeprom, "print the one-time EEPROM settings a Pi needs to boot from bramble" },
	{ NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct ctx ctx = { .prog = "imgtool" };
	int rc;

	setlocale(LC_ALL, "");
	log_init(ctx.prog, L_INFO);
	if ((argc = cli_globals(&ctx, argc, argv)) < 0)
		return cli_usage(&ctx, "%s", err_get());
	rc = cli_dispatch(&ctx, NULL, groups, argc, argv);
	ctx_free(&ctx);
	return rc;
}
