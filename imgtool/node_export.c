/* imgtool node export: the inventory as CSV, for 'imgtool node import' elsewhere. */
#include "commands.h"

#include "node_csv.h"

#include <stdio.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool node export\n\n"
	      "Write every node as CSV to standard output: name,mac,serial,model,image,ip\n"
	      "(image as NAME@VER). 'imgtool node import' on another head node reads it\n"
	      "back; template variables, identities and state are not part of it.\n", f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_node_export(struct ctx *ctx, int argc, char **argv)
{
	struct node *v;
	size_t n;
	sqlite3 *db;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc != 1)
		return usage(stderr);
	if (!(db = ctx_db(ctx)) || inventory_list(db, &v, &n) < 0)
		return cli_fail(ctx);
	node_csv_write(stdout, v, n);
	nodes_free(v, n);
	return fflush(stdout) == 0 ? 0 : 1;
}
