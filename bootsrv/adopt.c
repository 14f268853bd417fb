/*
 * bootsrv adopt NAME [--mac MAC]: bind node NAME to a Pi that asked to
 * boot (the newest in `bootsrv discover`, or MAC). A new node gets its
 * board; a dead node's replacement keeps the name, image, identity and
 * files (lib/node_edit.h: node_rebind). With a daemon running, the daemon
 * does it and republishes the node; without one, this process does.
 */
#include "bootsrv.h"
#include "client.h"

#include "db.h"
#include "dhcp_packet.h"
#include "err.h"
#include "log.h"
#include "mac.h"
#include "node_edit.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: bootsrv adopt NAME [--mac MAC]\n"
	"\n"
	"Bind node NAME to a Raspberry Pi that asked to network-boot: the newest one\n"
	"'bootsrv discover' lists, or the one with MAC. NAME may be a node without\n"
	"hardware yet, or a dead node whose board was replaced: it keeps its name,\n"
	"image, address, machine-id, ssh host keys and files, and boots on the new\n"
	"board. A running bootsrv serves it at once.\n"
	"\n"
	"  --mac MAC   adopt this Pi rather than the newest discovered\n";

/* The serial the discovered Pi reported, "" if none. */
static int discovered_serial(sqlite3 *db, const char *mac, char *serial, size_t len)
{
	sqlite3_stmt *q;
	int rc;

	*serial = '\0';
	if (db_prepare(db, "SELECT serial FROM discovered WHERE mac = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, mac, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(serial, len, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, "reading a discovered Pi");
}

/*
 * Rebind under the state lock; mac_arg NULL: the newest discovered. The
 * daemon does not wait for the lock (wait 0): its loop would stall behind
 * an import for minutes.
 */
static int adopt(struct state *st, sqlite3 *db, const struct config *cfg, const char *name,
		 const char *mac_arg, char mac[MAC_STRLEN], int wait)
{
	char serial[16];
	struct node n;
	int rc;

	if ((rc = inventory_get(db, name, &n)) != 0)
		return rc < 0 ? -1 : err_set("no node '%s': add it first with 'imgtool node add "
					     "%s --image NAME'", name, name);
	node_free(&n);
	if (mac_arg) {
		if (mac_canonical(mac_arg, mac) < 0)
			return -1;
	} else if ((rc = bootdb_newest_discovered(db, mac, MAC_STRLEN)) != 0)
		return rc < 0 ? -1 : err_set("no unknown Pi has asked to boot: power the new "
					     "board on (network boot enabled) or give --mac");
	if (discovered_serial(db, mac, serial, sizeof serial) < 0 ||
	    (wait ? state_lock(st) : state_trylock(st)) < 0)
		return -1;
	rc = node_rebind(st, db, cfg, name, mac, *serial ? serial : NULL);
	state_unlock(st);
	if (rc < 0)
		return err_wrap("adopting %s for %s: ", mac, name);
	if (bootdb_undiscover(db, mac) < 0 ||
	    bootdb_event(db, name, mac, "adopted", "serial %s", *serial ? serial : "unknown") < 0)
		log_warn("%s", err_get());
	return 0;
}

json_t *adopt_request(struct daemon *d, const char *node, const char *mac_arg)
{
	char mac[MAC_STRLEN];

	if (adopt(d->st, d->db, d->cfg, node, mac_arg, mac, 0) < 0 || daemon_reload(d) < 0)
		return json_pack("{s:b, s:s}", "ok", 0, "error", err_get());
	log_info("%s adopted the Pi %s", node, mac);
	return json_pack("{s:b, s:s, s:s}", "ok", 1, "node", node, "mac", mac);
}

int cmd_adopt(struct ctx *ctx, int argc, char **argv)
{
	const char *name = NULL, *mac_arg = NULL;
	char mac[MAC_STRLEN];
	json_t *req, *resp = NULL;
	sqlite3 *db;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mac") && i + 1 < argc)
			mac_arg = argv[++i];
		else if (!strncmp(argv[i], "--mac=", 6))
			mac_arg = argv[i] + 6;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return cli_usage(ctx, "adopt: unexpected '%s' (see 'bootsrv adopt --help')",
					 argv[i]);
	}
	if (!name)
		return cli_usage(ctx, "adopt: which node? (bootsrv adopt NAME [--mac MAC])");
	req = json_pack("{s:s, s:s}", "cmd", "adopt", "node", name);
	if (mac_arg)
		json_object_set_new(req, "mac", json_string(mac_arg));
	rc = client_ask(ctx, req, &resp);
	json_decref(req);
	if (rc == 0) {
		printf("%s adopted %s\n", name, json_string_value(json_object_get(resp, "mac")));
		json_decref(resp);
		return 0;
	}
	if (rc < 0)
		return cli_fail(ctx);
	/* no daemon: do it here */
	if (cli_need_root("bootsrv adopt") < 0 || !(db = ctx_db(ctx)) ||
	    adopt(ctx_state(ctx), db, ctx_config(ctx), name, mac_arg, mac, 1) < 0)
		return cli_fail(ctx);
	printf("%s adopted %s\n", name, mac);
	return 0;
}
