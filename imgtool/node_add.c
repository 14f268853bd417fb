/*
 * imgtool node add NAME|RANGE [options]: add nodes to the inventory and
 * build what they boot from (lib/node_edit.h: node_create).
 */
#include "commands.h"
#include "bootsrv_ctl.h"
#include "node_cli.h"

#include "err.h"
#include "node_edit.h"
#include "node_parse.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node add NAME|RANGE [--mac MAC] [--serial HEX] [--model 3|4|5|pxe]\n"
	      "                         [--image NAME[@VER]] [--ip ADDR] [--var K=V]...\n\n"
	      "Add a node (or a range of them, e.g. node[01-16]) and build what it boots\n"
	      "from: its identity layer (hostname, hosts, fstab, machine-id, ssh host keys,\n"
	      "heartbeat) and, once it has a MAC and an image, its TFTP boot dir. A node\n"
	      "without --mac waits for its board ('bootsrv adopt' or 'imgtool node\n"
	      "replace'). All or nothing: on any error no node is added.\n\n"
	      "  --mac MAC          the board's Ethernet MAC (single node only)\n"
	      "  --serial HEX       the Pi's serial, 8 hex digits (single node only)\n"
	      "  --model M          3, 4 (default), 5 or pxe\n"
	      "  --image NAME[@V]   the image version to boot (default version: newest)\n"
	      "  --ip ADDR          fixed address; a range counts up from it\n"
	      "  --var K=V          template variable (repeatable); config.K=V adds K=V to\n"
	      "                     the node's config.txt\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

/* The record every node of the range starts from; name and ip are set per node. */
static int parse(int argc, char **argv, sqlite3 *db, struct node *proto, const char **ip,
		 int *single_only)
{
	static const struct option opts[] = {
		{ "mac", required_argument, NULL, 'm' }, { "serial", required_argument, NULL, 's' },
		{ "model", required_argument, NULL, 'M' }, { "image", required_argument, NULL, 'i' },
		{ "ip", required_argument, NULL, 'a' }, { "var", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	proto->model = xstrdup("4");
	proto->vars = xstrdup("");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *k, *v, *vars;
		int rc = 0;

		switch (c) {
		case 'm': rc = node_cli_field(db, proto, "mac", optarg); *single_only = 1; break;
		case 's': rc = node_cli_field(db, proto, "serial", optarg); *single_only = 1; break;
		case 'M': rc = node_cli_field(db, proto, "model", optarg); break;
		case 'i': rc = node_cli_field(db, proto, "image", optarg); break;
		case 'a': *ip = optarg; break;
		case 'v':
			if ((rc = node_parse_var(optarg, &k, &v)) < 0)
				break;
			vars = node_vars_set(proto->vars, k, v);
			free(proto->vars);
			proto->vars = vars;
			free(k);
			free(v);
			break;
		case 'h': return 1;
		default: return 2;
		}
		if (rc < 0)
			return -1;
	}
	return optind + 1 == argc ? 0 : 2;
}

static void copy_node(struct node *dst, const struct node *src, const char *name)
{
	memset(dst, 0, sizeof *dst);
	dst->name = xstrdup(name);
	dst->mac = src->mac ? xstrdup(src->mac) : NULL;
	dst->serial = src->serial ? xstrdup(src->serial) : NULL;
	dst->model = xstrdup(src->model);
	dst->image = src->image ? xstrdup(src->image) : NULL;
	dst->ver = src->ver;
	dst->vars = xstrdup(src->vars);
}

int cmd_node_add(struct ctx *ctx, int argc, char **argv)
{
	struct node proto = { 0 }, *v = NULL;
	const char *ip = NULL;
	char **names = NULL;
	size_t n = 0;
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	int single_only = 0, rc = -1;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (node_cli_open(ctx, &cfg, &st, &db) < 0)
		return cli_fail(ctx);
	switch (parse(argc, argv, db, &proto, &ip, &single_only)) {
	case 0: break;
	case 1: node_free(&proto); return usage(stdout);
	case 2: node_free(&proto); return usage(stderr);
	default: goto out;
	}
	if (node_range(argv[optind], &names, &n) < 0)
		goto out;
	if (n > 1 && single_only) {
		err_set("--mac and --serial name one board: add a range without them and bind "
			"each node with 'bootsrv adopt' or 'imgtool node replace'");
		goto out;
	}
	v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		char addr[INET_ADDRSTRLEN];

		copy_node(&v[i], &proto, names[i]);
		if (ip && node_ip_add(ip, (unsigned)i, addr) < 0)
			goto out;
		v[i].ip = ip ? xstrdup(addr) : NULL;
	}
	if (node_create(st, db, cfg, v, n) < 0)
		goto out;
	for (size_t i = 0; i < n && !ctx->quiet; i++)
		printf("added %s%s%s%s%s\n", v[i].name, v[i].mac ? " on " : " (unbound)",
		       v[i].mac ? v[i].mac : "", v[i].ip ? " at " : "", v[i].ip ? v[i].ip : "");
	bootsrv_notify_reload(st);
	rc = 0;
out:
	if (v)
		nodes_free(v, n);
	node_names_free(names, n);
	node_free(&proto);
	return rc < 0 ? cli_fail(ctx) : 0;
}
