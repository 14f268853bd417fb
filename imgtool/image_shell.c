/*
 * imgtool image shell NAME[@VER] [--bind SRC:DST]...: image exec with an
 * interactive /bin/sh; leaving it with status 0 commits what changed.
 */
#include "commands.h"
#include "image_exec.h"

#include <getopt.h>
#include <stdio.h>

static int usage(FILE *f)
{
	fputs("usage: imgtool image shell NAME[@VER] [--bind SRC:DST]...\n\n"
	      "Start an interactive /bin/sh chrooted in a throwaway overlay over the image\n"
	      "version (the newest when no @VER), set up as for 'imgtool image exec'. When\n"
	      "the shell exits with status 0 (Ctrl-D or 'exit' after a command that\n"
	      "succeeded) and files changed, the changes become the next version of NAME;\n"
	      "'exit 1' throws them away. Needs root.\n\n"
	      "  --bind SRC:DST  bind-mount the host's SRC at DST inside the image (repeatable)\n"
	      "  -q, --quiet     print errors only\n"
	      "  -h, --help      this text\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_image_shell(struct ctx *ctx, int argc, char **argv)
{
	static char *sh[] = { "/bin/sh", NULL };
	struct exec_run r = { .argv = sh, .shell = 1 };
	int rc;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if ((rc = exec_options(ctx, &r, argc, argv, usage)) != 0)
		goto out;
	if (optind != argc - 1) {
		rc = cli_usage(ctx, "image shell: give one NAME[@VER] (see 'imgtool image shell "
			       "--help')");
		goto out;
	}
	r.spec = argv[optind];
	rc = exec_run(ctx, &r);
out:
	exec_free_binds(&r);
	return rc;
}
