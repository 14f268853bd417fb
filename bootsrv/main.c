/*
 * bootsrv: the head-node daemon and its client verbs.
 *
 *   bootsrv run                       serve (foreground)
 *   bootsrv status [--json]           nodes' boot state, services' health
 *   bootsrv discover [--json]         Pis asking to boot that are not in the inventory
 *   bootsrv adopt NAME [--mac MAC]    bind a node to a discovered Pi
 *   bootsrv check                     preflight of a head node
 *   bootsrv rollout NAME@VER [...]    move nodes to a version, a batch at a time
 *   bootsrv rollback [--nodes LIST]   back to the versions they ran before
 */
#include "bootsrv.h"

#include "err.h"
#include "log.h"

#include <locale.h>

static const struct cmd verbs[] = {
	{ "run", cmd_run, "serve DHCP/TFTP (dnsmasq) and NFS roots, watch nodes boot" },
	{ "status", cmd_status, "each node's boot state, image and last boot; services' health" },
	{ "discover", cmd_discover, "Pis asking to boot that are not in the inventory" },
	{ "adopt", cmd_adopt, "bind a node to a discovered Pi (new or replacement board)" },
	{ "check", cmd_check, "preflight of a head node: each problem with its fix" },
	{ "rollout", cmd_rollout, "move nodes to an image version a batch at a time, with reboots" },
	{ "rollback", cmd_rollback, "return nodes to the image version they ran before" },
	{ NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct ctx ctx = { .prog = "bootsrv" };
	int rc;

	setlocale(LC_ALL, "");
	log_init(ctx.prog, L_INFO);
	if ((argc = cli_globals(&ctx, argc, argv)) < 0)
		return cli_usage(&ctx, "%s", err_get());
	rc = cli_dispatch(&ctx, NULL, verbs, argc, argv);
	ctx_free(&ctx);
	return rc;
}
