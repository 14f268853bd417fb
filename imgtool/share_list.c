/* imgtool share list [--json], share show NAME [--json]: the shares as admins see them. */
#include "commands.h"
#include "node_cli.h"
#include "share_cli.h"

#include "err.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f, const char *verb)
{
	if (!strcmp(verb, "list"))
		fputs("usage: imgtool share list [--json]\n\n"
		      "List the shares: directory, mount path on the nodes, members, mode\n"
		      "(rw|ro, squash, protocol), bytes used and free space on its filesystem.\n\n"
		      "  --json   one JSON array of objects, for scripts\n", f);
	else
		fputs("usage: imgtool share show NAME [--json]\n\n"
		      "Show a share in full: members, export path and id, mode, space.\n\n"
		      "  --json   one JSON object, for scripts\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

/* argv's only option is --json; 1 set, 0 not, or EXIT_USAGE + 10 / help + 20. */
static int parse(int argc, char **argv, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*json = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j')
			*json = 1;
		else
			return c == 'h' ? 1 : -1;
	}
	return 0;
}

static char *human(unsigned long long b)
{
	static const char units[] = "BKMGTP";
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	return u ? xasprintf("%.1f%c", v, units[u]) : xasprintf("%lluB", b);
}

static char *joined(json_t *arr)
{
	char *out = xstrdup("");
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		char *next = xasprintf("%s%s%s", out, i ? "," : "", json_string_value(v));

		free(out);
		out = next;
	}
	return *out ? out : (free(out), xstrdup("-"));
}

static char *mode_of(json_t *o)
{
	return xasprintf("%s,%s-squash,%s", json_is_true(json_object_get(o, "ro")) ? "ro" : "rw",
			 json_string_value(json_object_get(o, "squash")),
			 json_string_value(json_object_get(o, "proto")));
}

static void print_row(json_t *o)
{
	char *members = joined(json_object_get(o, "members")), *mode = mode_of(o);
	char *used = human((unsigned long long)json_integer_value(json_object_get(o, "bytes_used")));
	char *avail = human((unsigned long long)json_integer_value(json_object_get(o, "bytes_free")));

	printf("%-12s %-32s %-16s %-20s %-22s %8s %8s\n", json_string_value(json_object_get(o, "name")),
	       json_string_value(json_object_get(o, "path")),
	       json_string_value(json_object_get(o, "mount")), members, mode, used, avail);
	free(members);
	free(mode);
	free(used);
	free(avail);
}

static int print_json(json_t *j)
{
	int rc = json_dumpf(j, stdout, JSON_INDENT(2));

	json_decref(j);
	if (rc < 0 || putchar('\n') == EOF || fflush(stdout) == EOF)
		return err_errno("cannot write to standard output");
	return 0;
}

int cmd_share_list(struct ctx *ctx, int argc, char **argv)
{
	struct config *cfg;
	sqlite3 *db;
	json_t *arr;
	int json, p = parse(argc, argv, &json);

	if (p != 0 || optind != argc)
		return usage(p == 1 ? stdout : stderr, "list");
	if (!(cfg = ctx_config(ctx)) || !(db = ctx_db(ctx)) || !(arr = share_list_json(db, cfg)))
		return cli_fail(ctx);
	if (json)
		return print_json(arr) < 0 ? cli_fail(ctx) : 0;
	printf("%-12s %-32s %-16s %-20s %-22s %8s %8s\n", "NAME", "PATH", "MOUNT", "MEMBERS",
	       "MODE", "USED", "FREE");
	for (size_t i = 0; i < json_array_size(arr); i++)
		print_row(json_array_get(arr, i));
	json_decref(arr);
	return 0;
}

int cmd_share_show(struct ctx *ctx, int argc, char **argv)
{
	struct config *cfg;
	sqlite3 *db;
	struct share s;
	const char *key;
	json_t *o, *val;
	int json, p = parse(argc, argv, &json);

	if (p != 0 || optind + 1 != argc)
		return usage(p == 1 ? stdout : stderr, "show");
	if (!(cfg = ctx_config(ctx)) || !(db = ctx_db(ctx)) || share_cli_get(db, argv[optind], &s) < 0)
		return cli_fail(ctx);
	o = share_json(db, cfg, &s);
	share_free(&s);
	if (json)
		return print_json(o) < 0 ? cli_fail(ctx) : 0;
	json_object_foreach(o, key, val) {
		char *text = json_is_array(val) ? joined(val) : json_dumps(val, JSON_ENCODE_ANY);

		if (json_is_string(val))
			printf("%-11s %s\n", key, json_string_value(val));
		else
			printf("%-11s %s\n", key, text);
		free(text);
	}
	json_decref(o);
	return 0;
}
