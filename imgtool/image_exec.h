/*
 * What `imgtool image exec` and `imgtool image shell` share: run a command
 * chrooted in a throwaway overlay over an image version and, when it exits
 * 0 having changed something, commit the changes as the next version.
 */
#ifndef IMGTOOL_IMAGE_EXEC_H
#define IMGTOOL_IMAGE_EXEC_H

#include "chroot_env.h"
#include "cli.h"

struct exec_run {
	const char *spec;		/* NAME[@VER] */
	struct chroot_bind *binds;	/* --bind SRC:DST */
	size_t nbinds;
	char **argv;			/* the command, NULL-terminated */
	int shell;			/* interactive: a prompt naming the version */
};

/* Add one --bind SRC:DST; -1 with a usage message when malformed. */
int exec_add_bind(struct exec_run *r, const char *arg);
void exec_free_binds(struct exec_run *r);
/* Run and commit; returns the exit status for main (the command's own
 * when it failed). */
int exec_run(struct ctx *ctx, struct exec_run *r);

#endif
