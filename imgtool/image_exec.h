/*
 * What `imgtool image exec` and `imgtool image shell` share: run a command
 * chrooted in a throwaway overlay over an image version and, when it exits
 * 0 having changed something, commit the changes as the next version.
 */
#ifndef IMGTOOL_IMAGE_EXEC_H
#define IMGTOOL_IMAGE_EXEC_H

#include "chroot_env.h"
#include "cli.h"

#include <stdio.h>

struct exec_run {
	const char *spec;		/* NAME[@VER] */
	struct chroot_bind *binds;	/* --bind SRC:DST */
	size_t nbinds;
	char **argv;			/* the command, NULL-terminated */
	int shell;			/* interactive: a prompt naming the version */
};

/*
 * Take the --bind SRC:DST options of argv[0..argc) into r: 0, or the exit
 * status to return (usage(stderr) for an unknown option, a usage error
 * for a malformed bind).
 */
int exec_options(struct ctx *ctx, struct exec_run *r, int argc, char **argv,
		 int (*usage)(FILE *));
void exec_free_binds(struct exec_run *r);
/* Run and commit; returns the exit status for main (the command's own
 * when it failed). */
int exec_run(struct ctx *ctx, struct exec_run *r);

#endif
