/*
 * imgtool image gc: free stored objects no version links any more (link
 * count 1: only the store's own name) and whatever killed commands left.
 */
#include "commands.h"

#include "err.h"
#include "objstore.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool image gc\n\n"
	      "Free the stored file data no image version uses any more (after\n"
	      "'imgtool image rm') and what interrupted imports left behind, and say how\n"
	      "much was freed. Needs root.\n\n"
	      "  -h, --help  this text\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int gc(struct ctx *ctx)
{
	struct state *st;
	sqlite3 *db;
	char *objects;
	uint64_t files, bytes;
	int rc;

	if (cli_need_root("imgtool image gc") < 0 || !(st = ctx_state_locked(ctx)) ||
	    !(db = ctx_db(ctx)) || store_recover(st, db) < 0)
		return -1;
	objects = state_path(st, "objects");
	rc = objstore_gc(objects, &files, &bytes);
	free(objects);
	if (rc == 0 && !ctx->quiet)
		printf("freed %llu unused files, %.1f MiB\n", (unsigned long long)files,
		       bytes / (1024.0 * 1024.0));
	return rc;
}

int cmd_image_gc(struct ctx *ctx, int argc, char **argv)
{
	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc != 1)
		return usage(stderr);
	return gc(ctx) < 0 ? cli_fail(ctx) : 0;
}
