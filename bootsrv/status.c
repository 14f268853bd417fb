/*
 * bootsrv status [--json]: one line per node (name, MAC, serial, model,
 * image@version, boot state, last boot duration, last seen), the
 * services' health and the shares. From the running daemon, else from the database with
 * the services shown as stopped.
 */
#include "bootsrv.h"
#include "client.h"

#include "err.h"
#include "share.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: bootsrv status [--json]\n"
	"\n"
	"Show every node's boot state (offline, dhcp, tftp, nfs, up), its hardware and\n"
	"image, how long its last boot took (DHCP to heartbeat) and when it was last\n"
	"seen, the health of dnsmasq and the NFS server, and the shares (members,\n"
	"space). Works without a running daemon (services then show as stopped).\n"
	"\n"
	"  --json   the same as one JSON object\n";

static json_t *offline_status(struct ctx *ctx)
{
	sqlite3 *db = ctx_db(ctx);
	struct config *cfg = ctx_config(ctx);
	json_t *nodes = db ? bootdb_nodes_json(db) : NULL;
	json_t *shares = nodes && cfg ? share_list_json(db, cfg) : NULL;

	if (!shares) {
		json_decref(nodes);
		return NULL;
	}
	return json_pack("{s:b, s:o, s:{s:{s:s}, s:{s:s}}, s:o, s:b}", "ok", 1, "nodes", nodes,
			 "services", "dnsmasq", "state", "stopped", "nfs", "state", "stopped",
			 "shares", shares, "daemon", 0);
}

/* One line per share: where the nodes mount it, members, mode, space. */
static void print_shares(json_t *shares)
{
	json_t *s;
	size_t i;

	json_array_foreach(shares, i, s) {
		json_t *m = json_object_get(s, "members");

		printf("share %s: %s on %zu node%s, %s, %.1f MiB used, %.1f GiB free\n",
		       jstr(s, "name"), jstr(s, "mount"), json_array_size(m),
		       json_array_size(m) == 1 ? "" : "s",
		       json_is_true(json_object_get(s, "ro")) ? "ro" : "rw",
		       (double)json_integer_value(json_object_get(s, "bytes_used")) / (1 << 20),
		       (double)json_integer_value(json_object_get(s, "bytes_free")) / (1 << 30));
	}
}

static void print_services(json_t *svc)
{
	json_t *dm = json_object_get(svc, "dnsmasq"), *nfs = json_object_get(svc, "nfs");

	printf("dnsmasq: %s", jstr(dm, "state"));
	if (json_object_get(dm, "restarts"))
		printf(" (pid %lld, %lld restarts, tftp-max %lld)",
		       json_integer_value(json_object_get(dm, "pid")),
		       json_integer_value(json_object_get(dm, "restarts")),
		       json_integer_value(json_object_get(dm, "tftp_max")));
	printf("\nnfs: %s", jstr(nfs, "state"));
	if (json_object_get(nfs, "published"))
		printf(" (%s, %lld roots published, ganesha restarts %lld, rpcbind restarts %lld)",
		       jstr(nfs, "backend"), json_integer_value(json_object_get(nfs, "published")),
		       json_integer_value(json_object_get(nfs, "ganesha_restarts")),
		       json_integer_value(json_object_get(nfs, "rpcbind_restarts")));
	putchar('\n');
}

static void print_table(json_t *st)
{
	json_t *nodes = json_object_get(st, "nodes"), *n;
	size_t i;

	printf("%-12s %-17s %-8s %-5s %-16s %-7s %-9s %s\n", "NODE", "MAC", "SERIAL", "MODEL",
	       "IMAGE", "STATE", "LAST BOOT", "LAST SEEN");
	json_array_foreach(nodes, i, n) {
		char boot[32] = "-", seen[32];
		json_t *ms = json_object_get(n, "last_boot_ms");

		if (json_is_integer(ms))
			snprintf(boot, sizeof boot, "%.1fs", json_integer_value(ms) / 1000.0);
		printf("%-12s %-17s %-8s %-5s %-16s %-7s %-9s %s\n", jstr(n, "name"),
		       jstr(n, "mac"), jstr(n, "serial"), jstr(n, "model"), jstr(n, "image"),
		       jstr(n, "state"), boot, fmt_ago(json_object_get(n, "last_seen"), seen,
						       sizeof seen));
	}
	print_services(json_object_get(st, "services"));
	print_shares(json_object_get(st, "shares"));
}

int cmd_status(struct ctx *ctx, int argc, char **argv)
{
	json_t *req, *resp = NULL;
	int json = 0, rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json"))
			return cli_usage(ctx, "status: unknown argument '%s' (see 'bootsrv status "
					 "--help')", argv[i]);
		json = 1;
	}
	req = json_pack("{s:s}", "cmd", "status");
	rc = client_ask(ctx, req, &resp);
	json_decref(req);
	if (rc == 1)
		resp = offline_status(ctx);
	if (rc < 0 || !resp)
		return cli_fail(ctx);
	if (json)
		print_json(resp);
	else
		print_table(resp);
	json_decref(resp);
	return 0;
}
