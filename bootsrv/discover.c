/*
 * bootsrv discover [--json]: Pis seen asking to network-boot whose MAC is
 * in no node (MAC, serial, model, board revision, first and last seen),
 * newest first: the candidates for `bootsrv adopt`.
 */
#include "bootsrv.h"
#include "client.h"

#include "err.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: bootsrv discover [--json]\n"
	"\n"
	"List the Raspberry Pis that asked to network-boot but are in no node of the\n"
	"inventory (recorded by a running 'bootsrv run'), newest first. Bind one to a\n"
	"node with 'bootsrv adopt NAME [--mac MAC]'.\n"
	"\n"
	"  --json   print a JSON object {\"discovered\": [...]}\n";

int cmd_discover(struct ctx *ctx, int argc, char **argv)
{
	json_t *req, *resp = NULL, *rows, *r;
	sqlite3 *db;
	int json = 0, rc;
	size_t i;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json"))
			return cli_usage(ctx, "discover: unknown argument '%s' (see 'bootsrv "
					 "discover --help')", argv[i]);
		json = 1;
	}
	req = json_pack("{s:s}", "cmd", "discover");
	rc = client_ask(ctx, req, &resp);
	json_decref(req);
	if (rc == 1 && (db = ctx_db(ctx)) && (rows = bootdb_discovered_json(db)))
		resp = json_pack("{s:b, s:o}", "ok", 1, "discovered", rows);
	if (rc < 0 || !resp)
		return cli_fail(ctx);
	rows = json_object_get(resp, "discovered");
	if (json)
		print_json(resp);
	else if (json_array_size(rows) == 0)
		printf("no unknown Pi has asked to boot\n");
	else {
		printf("%-17s %-8s %-5s %-8s %-12s %s\n", "MAC", "SERIAL", "MODEL", "REVISION",
		       "FIRST SEEN", "LAST SEEN");
		json_array_foreach(rows, i, r) {
			char first[32], last[32];

			printf("%-17s %-8s %-5s %-8s %-12s %s\n", jstr(r, "mac"), jstr(r, "serial"),
			       jstr(r, "model"), jstr(r, "revision"),
			       fmt_ago(json_object_get(r, "first_seen"), first, sizeof first),
			       fmt_ago(json_object_get(r, "last_seen"), last, sizeof last));
		}
	}
	json_decref(resp);
	return 0;
}
