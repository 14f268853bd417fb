/*
 * imgtool node replace NAME --mac MAC [--serial HEX]: a new board takes
 * over a node (lib/node_edit.h: node_rebind), keeping everything else.
 */
#include "commands.h"
#include "bootsrv_ctl.h"
#include "node_cli.h"

#include "node_edit.h"

#include <getopt.h>
#include <stdio.h>
#include <time.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node replace NAME --mac MAC [--serial HEX]\n\n"
	      "Bind node NAME to a new board (a dead Pi swapped for a new one). The node\n"
	      "keeps its hostname, address, image, machine-id, ssh host keys and files;\n"
	      "its boot dir moves to the new MAC. The new board boots as the old node.\n\n"
	      "  --mac MAC      the new board's Ethernet MAC\n"
	      "  --serial HEX   the new board's serial (8 hex digits); without it the\n"
	      "                 old board's serial is dropped\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

int cmd_node_replace(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mac", required_argument, NULL, 'm' },
		{ "serial", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mac = NULL, *serial = NULL;
	struct timespec t0;
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	int c;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mac = optarg; break;
		case 's': serial = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind + 1 != argc || !mac)
		return usage(stderr);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0 ||
	    node_rebind(st, db, cfg, argv[optind], mac, serial) < 0)
		return cli_fail(ctx);
	if (!ctx->quiet)
		printf("%s: bound to %s in %.0f ms\n", argv[optind], mac, ms_since(&t0));
	bootsrv_notify_reload(st);
	return 0;
}
