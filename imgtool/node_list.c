/* imgtool node list [--format table|json|ansible]: every node, one line each. */
#include "commands.h"
#include "node_ansible.h"
#include "node_cli.h"

#include "err.h"
#include "node_build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum format { FMT_TABLE, FMT_JSON, FMT_ANSIBLE };

static const char *const formats[] = { "table", "json", "ansible", NULL };

static int usage(FILE *f)
{
	fputs("usage: imgtool node list [--format table|json|ansible] [--json]\n\n"
	      "List the nodes: name, model, MAC, serial, image version, address and status\n"
	      "(ready; unbound: no board yet; no-image; pending: files still to rebuild,\n"
	      "any node command finishes it; removing).\n\n"
	      "  --format table    that, one line per node (the default)\n"
	      "  --format json     one JSON array of objects, for scripts\n"
	      "  --format ansible  an Ansible inventory (save it as FILE.json for ansible -i):\n"
	      "                    groups image_NAME, model_N and KEY_VALUE per variable;\n"
	      "                    ansible_host, bramble_model, bramble_image,\n"
	      "                    bramble_version, bramble_mac, the variables per node and\n"
	      "                    ansible_user, the node's login user ([login] user)\n"
	      "  --json            the same as --format json\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int parse_format(const char *s, enum format *out)
{
	for (int i = 0; formats[i]; i++)
		if (!strcmp(formats[i], s)) {
			*out = (enum format)i;
			return 0;
		}
	return -1;
}

static const char *dash(const char *s)
{
	return s ? s : "-";
}

/* Print j to stdout and drop it; a failed write (full disk, closed pipe) is an error. */
static int print_json(json_t *j, size_t flags)
{
	int rc = json_dumpf(j, stdout, flags);

	json_decref(j);
	if (rc < 0 || putchar('\n') == EOF || fflush(stdout) == EOF)
		return err_errno("cannot write the node list to standard output");
	return 0;
}

/* The table or the JSON array; both show each node's pending mark. */
static int list_nodes(sqlite3 *db, const struct node *v, size_t n, int json)
{
	json_t *arr = json_array();
	int rc = 0;

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
	if (rc < 0 || !json) {
		json_decref(arr);
		return rc;
	}
	return print_json(arr, JSON_INDENT(2));
}

int cmd_node_list(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum format fmt = FMT_TABLE;
	struct node *v;
	size_t n;
	sqlite3 *db;
	struct config *cfg;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(optarg, &fmt) < 0)
				return cli_usage(ctx, "node list: '%s' is not an output format: use "
						 "--format table, json or ansible", optarg);
			break;
		case 'j': fmt = FMT_JSON; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);
	if (!(db = ctx_db(ctx)) || inventory_list(db, &v, &n) < 0)
		return cli_fail(ctx);
	if (fmt == FMT_ANSIBLE && !(cfg = ctx_config(ctx)))
		rc = -1;
	else if (fmt == FMT_ANSIBLE)
		rc = print_json(node_ansible(v, n, cfg->login_user), JSON_INDENT(2) | JSON_SORT_KEYS);
	else
		rc = list_nodes(db, v, n, fmt == FMT_JSON);
	nodes_free(v, n);
	return rc < 0 ? cli_fail(ctx) : 0;
}
