/* imgtool node show NAME [--json]: one node, everything bramble knows about it. */
#include "commands.h"
#include "node_cli.h"

#include "err.h"
#include "fsutil.h"
#include "node_build.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node show NAME [--json]\n\n"
	      "Show a node: its record, template variables, machine-id, where its files\n"
	      "are (identity layer, boot dir, kept keys, state) and when it was last\n"
	      "built and booted.\n\n"
	      "  --json   one JSON object, for scripts\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

/* The file's mtime as a JSON integer, null when it does not exist. */
static json_t *mtime_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? json_integer(st.st_mtime) : json_null();
}

static json_t *details(const struct state *st, const struct node *n, const char *pending)
{
	json_t *o = node_cli_json(n, pending);
	char *p, *id = NULL;

	p = node_path(st, n->name, "keep/machine-id");
	if (path_exists(p) && read_file(p, &id, NULL) == 0)
		id[strcspn(id, "\n")] = '\0';
	json_object_set_new(o, "machine_id", id ? json_string(id) : json_null());
	free(id);
	free(p);
	json_object_set_new(o, "dir", json_string((p = node_path(st, n->name, NULL))));
	free(p);
	if (n->mac && n->image) {
		json_object_set_new(o, "boot_dir", json_string((p = node_boot_path(st, n->mac))));
		free(p);
	} else {
		json_object_set_new(o, "boot_dir", json_null());
	}
	json_object_set_new(o, "built", mtime_of((p = node_path(st, n->name, "built.manifest"))));
	free(p);
	json_object_set_new(o, "booted", mtime_of((p = node_path(st, n->name, "booted.manifest"))));
	free(p);
	return o;
}

static void print_text(json_t *o)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (json_is_object(v)) {
			const char *k;
			json_t *x;

			printf("%-11s", "vars");
			if (!json_object_size(v))
				printf(" -");
			json_object_foreach(v, k, x)
				printf(" %s=%s", k, json_string_value(x));
			putchar('\n');
		} else if (json_is_string(v)) {
			printf("%-11s %s\n", key, json_string_value(v));
		} else if (json_is_integer(v)) {
			printf("%-11s %lld\n", key, (long long)json_integer_value(v));
		} else {
			printf("%-11s -\n", key);
		}
	}
}

int cmd_node_show(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct node n;
	struct state *st;
	sqlite3 *db;
	char *pending = NULL;
	json_t *o;
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return usage(stderr);
	if (!(st = ctx_state(ctx)) || !(db = ctx_db(ctx)))
		return cli_fail(ctx);
	if ((rc = inventory_get(db, argv[optind], &n)) != 0) {
		if (rc > 0)
			err_set("no node named '%s' (see 'imgtool node list')", argv[optind]);
		return cli_fail(ctx);
	}
	if (node_pending(db, n.name, &pending) < 0) {
		node_free(&n);
		return cli_fail(ctx);
	}
	o = details(st, &n, pending);
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_text(o);
	}
	json_decref(o);
	free(pending);
	node_free(&n);
	return 0;
}
