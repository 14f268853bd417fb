/*
 * imgtool image rm NAME@VER: remove a version no node uses. The row goes
 * first, then the directory (see store.h); the objects it alone used stay
 * until `imgtool image gc`.
 */
#include "commands.h"

#include "err.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool image rm NAME@VER\n\n"
	      "Remove one image version. Refused while a node uses it: move those nodes to\n"
	      "another version first. The data only this version held is freed by the next\n"
	      "'imgtool image gc'. Needs root.\n\n"
	      "  -h, --help  this text\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int rm_version(struct ctx *ctx, const char *spec)
{
	struct state *st;
	sqlite3 *db;
	char *name = NULL, *users = NULL, *vdir = NULL;
	unsigned long long unique = 0;
	int ver, rc = -1;

	if (!strchr(spec, '@'))
		return err_set("'%s': give the version to remove as NAME@VER "
			       "(see 'imgtool image list')", spec);
	if (cli_need_root("imgtool image rm") < 0 || !(st = ctx_state_locked(ctx)) ||
	    !(db = ctx_db(ctx)) || store_recover(st, db) < 0 ||
	    store_resolve(db, spec, &name, &ver) < 0 || store_users(db, name, ver, &users) < 0)
		goto out;
	if (users) {
		err_set("%s@%d is used by node%s %s: move %s to another version first", name, ver,
			strchr(users, ',') ? "s" : "", users, strchr(users, ',') ? "them" : "it");
		goto out;
	}
	vdir = store_version_dir(st, name, ver);
	store_unique_bytes(vdir, &unique);
	if (store_remove(st, db, name, ver) < 0)
		goto out;
	if (!ctx->quiet)
		printf("removed %s@%d; 'imgtool image gc' frees its %.1f MiB\n", name, ver,
		       unique / (1024.0 * 1024.0));
	rc = 0;
out:
	free(name);
	free(users);
	free(vdir);
	return rc;
}

int cmd_image_rm(struct ctx *ctx, int argc, char **argv)
{
	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc != 2 || argv[1][0] == '-')
		return usage(stderr);
	return rm_version(ctx, argv[1]) < 0 ? cli_fail(ctx) : 0;
}
