/*
 * imgtool fsck [--repair] [--quick]: check the state directory against the
 * database, one line per problem; see imgtool/fsck.h for the parts.
 */
#include "commands.h"
#include "fsck.h"

#include "err.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool fsck [--repair] [--quick]\n\n"
	      "Check the state directory against the database: the database itself, every\n"
	      "image version's directory and files against their stored objects, unused\n"
	      "objects, each node's files and TFTP dir against what its record builds,\n"
	      "leftover temp and staging files, mounts and loop devices no node needs.\n"
	      "One line per problem, naming the object and what to do; exit 1 when any\n"
	      "problem remains. Takes the state lock, so it never races another command.\n"
	      "Needs root.\n\n"
	      "  --repair    fix what can be rebuilt from the database and the templates\n"
	      "              (remove leftovers and garbage, rebuild node files, unmount,\n"
	      "              detach) and name the rest; exit 0 when nothing is left\n"
	      "  --quick     do not read file contents (stored objects are not hashed)\n"
	      "  -h, --help  this text\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int options(struct fsck *f, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repair", no_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			f->repair = 1;
		else if (c == 'q')
			f->quick = 1;
		else
			return -1;
	}
	return optind == argc ? 0 : -1;
}

/* Mounts first: what a repair removes later may lie under one. */
static int checks(struct fsck *f)
{
	int (*const steps[])(struct fsck *) = {
		fsck_mounts, fsck_loops, fsck_tmp, fsck_versions, fsck_objects, fsck_nodes,
		fsck_shares,
	};
	int rc = fsck_db(f);

	for (size_t i = 0; rc == 0 && i < sizeof steps / sizeof steps[0]; i++)
		rc = steps[i](f);
	return rc < 0 ? -1 : 0;
}

static void summary(const struct fsck *f)
{
	unsigned left = f->problems - f->fixed;

	if (f->problems == 0)
		printf("state %s: %llu versions, %llu nodes, %llu objects: no problems\n",
		       f->st->dir, (unsigned long long)f->versions, (unsigned long long)f->nodes,
		       (unsigned long long)f->objects);
	else if (f->repair)
		printf("state %s: %u problem%s, %u repaired, %u left\n", f->st->dir, f->problems,
		       f->problems == 1 ? "" : "s", f->fixed, left);
	else
		printf("state %s: %u problem%s\n", f->st->dir, f->problems,
		       f->problems == 1 ? "" : "s");
}

static int run_fsck(struct ctx *ctx, struct fsck *f)
{
	int rc;

	if (cli_need_root("imgtool fsck") < 0 || !(f->cfg = ctx_config(ctx)) ||
	    !(f->st = ctx_state_locked(ctx)))
		return -1;
	progress_init(&f->progress, ctx->quiet);
	if (f->progress.mode != PROGRESS_BAR)
		f->progress.mode = PROGRESS_QUIET;	/* a bar on a terminal, no log lines */
	if (!(f->db = ctx_db(ctx))) {
		fsck_unfixable(f, "bramble.db: cannot be used (%s): restore it from a backup "
			       "(fsck cannot repair the database)", err_get());
		rc = 0;
	} else {
		rc = checks(f);
	}
	progress_free(&f->progress);
	if (rc == 0)
		summary(f);
	return rc;
}

int cmd_fsck(struct ctx *ctx, int argc, char **argv)
{
	struct fsck f = { 0 };

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (options(&f, argc, argv) < 0)
		return usage(stderr);
	if (run_fsck(ctx, &f) < 0)
		return cli_fail(ctx);
	return f.problems > f.fixed ? 1 : 0;
}
