/* imgtool node list [--json]: every node, one line each. */
#include "commands.h"
#include "node_cli.h"

#include "node_build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node list [--json]\n\n"
	      "List the nodes: name, model, MAC, serial, image version, address and status\n"
	      "(ready; unbound: no board yet; no-image; pending: files still to rebuild,\n"
	      "any node command finishes it; removing).\n\n"
	      "  --json   one JSON array of objects, for scripts\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static const char *dash(const char *s)
{
	return s ? s : "-";
}

int cmd_node_list(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *arr = json_array();
	struct node *v;
	size_t n;
	sqlite3 *db;
	int c, json = 0, rc = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': json_decref(arr); return usage(stdout);
		default: json_decref(arr); return usage(stderr);
		}
	}
	if (optind != argc) {
		json_decref(arr);
		return usage(stderr);
	}
	if (!(db = ctx_db(ctx)) || inventory_list(db, &v, &n) < 0) {
		json_decref(arr);
		return cli_fail(ctx);
	}
	if (!json && n)
		printf("%-16s %-5s %-17s %-8s %-16s %-15s %s\n", "NAME", "MODEL", "MAC", "SERIAL",
		       "IMAGE", "IP", "STATUS");
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *pending, img[96] = "-";

		if ((rc = node_pending(db, v[i].name, &pending)) < 0)
			break;
		if (v[i].image)
			snprintf(img, sizeof img, "%s@%d", v[i].image, v[i].ver);
		if (json)
			json_array_append_new(arr, node_cli_json(&v[i], pending));
		else
			printf("%-16s %-5s %-17s %-8s %-16s %-15s %s\n", v[i].name, v[i].model,
			       dash(v[i].mac), dash(v[i].serial), img, dash(v[i].ip),
			       node_cli_status(&v[i], pending));
		free(pending);
	}
	if (rc == 0 && json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(arr);
	nodes_free(v, n);
	return rc < 0 ? cli_fail(ctx) : 0;
}
