/*
 * imgtool node import FILE.csv: add the nodes a CSV lists (node export's
 * format), all in one transaction: one bad row and none is added.
 */
#include "commands.h"
#include "bootsrv_ctl.h"
#include "node_cli.h"

#include "err.h"
#include "fsutil.h"
#include "node_csv.h"
#include "node_edit.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node import FILE.csv\n\n"
	      "Add every node FILE lists ('-': standard input). The header names the\n"
	      "columns, in any order: name (required), mac, serial, model (default 4),\n"
	      "image (NAME or NAME@VER) and ip; empty fields are unset. 'imgtool node\n"
	      "export' writes this format. All or nothing: a malformed row, an unknown\n"
	      "image, or a name, MAC, serial or IP already in use adds no node at all.\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int row_node(sqlite3 *db, const struct node_csv_row *r, struct node *n)
{
	const char *fields[][2] = {
		{ "mac", r->mac }, { "serial", r->serial }, { "model", r->model },
		{ "image", r->image }, { "ip", r->ip },
	};

	memset(n, 0, sizeof *n);
	n->name = xstrdup(r->name ? r->name : "");
	n->model = xstrdup("4");
	n->vars = xstrdup("");
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (fields[i][1] && node_cli_field(db, n, fields[i][0], fields[i][1]) < 0)
			return -1;
	return 0;
}

static int read_input(const char *path, char **text)
{
	if (strcmp(path, "-"))
		return read_file(path, text, NULL);
	return read_file("/dev/stdin", text, NULL);
}

int cmd_node_import(struct ctx *ctx, int argc, char **argv)
{
	struct node_csv_row *rows = NULL;
	struct node *v = NULL;
	size_t n = 0, made = 0;
	struct config *cfg;
	struct state *st;
	sqlite3 *db;
	char *text = NULL;
	int rc = -1;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc != 2)
		return usage(stderr);
	if (read_input(argv[1], &text) < 0 || node_csv_read(text, argv[1], &rows, &n) < 0 ||
	    node_cli_open(ctx, &cfg, &st, &db) < 0)
		goto out;
	if (n == 0) {
		err_set("%s lists no nodes", argv[1]);
		goto out;
	}
	v = xcalloc(n, sizeof *v);
	for (made = 0; made < n; made++)
		if (row_node(db, &rows[made], &v[made]) < 0) {
			err_wrap("%s:%d: ", argv[1], rows[made].line);
			made++;
			goto out;
		}
	if (node_create(st, db, cfg, v, n) < 0)
		goto out;
	if (!ctx->quiet)
		printf("imported %zu node%s from %s\n", n, n == 1 ? "" : "s", argv[1]);
	bootsrv_notify_reload(st);
	rc = 0;
out:
	if (v)
		nodes_free(v, made);
	node_csv_rows_free(rows, n);
	free(text);
	return rc < 0 ? cli_fail(ctx) : 0;
}
