/*
 * Command-line plumbing shared by imgtool and bootsrv: global options,
 * git-style dispatch tables, and the lazily opened context (config, state,
 * database) a command works on.
 *
 * Global options may stand anywhere on the line:
 *   --state DIR   state directory (also $BRAMBLE_STATE)
 *   --config FILE bramble.conf (default /etc/bramble/bramble.conf)
 *   -q, --quiet   errors only
 *   -v, --verbose debug output
 */
#ifndef BRAMBLE_CLI_H
#define BRAMBLE_CLI_H

#include "config.h"
#include "state.h"

#include <sqlite3.h>

#define EXIT_USAGE 2

struct ctx {
	const char *prog;
	const char *state_arg;
	const char *config_arg;
	int quiet;
	int verbose;
	/* filled on demand */
	int have_config, have_state;
	struct config cfg;
	struct state st;
	sqlite3 *db;
};

struct cmd {
	const char *name;
	int (*fn)(struct ctx *ctx, int argc, char **argv);
	const char *summary;
};

/* Strip the global options from argv; returns the new argc or -1. */
int cli_globals(struct ctx *ctx, int argc, char **argv);
/*
 * Run argv[1] from table (argv[0] is the group name, e.g. "node"). Prints
 * the table as help for "help", "--help" or no verb; unknown verb: usage.
 */
int cli_dispatch(struct ctx *ctx, const char *group, const struct cmd *table,
		 int argc, char **argv);
/* Is argv asking for --help/-h? */
int cli_wants_help(int argc, char **argv);

/* Accessors that load/open on first use; NULL (with err set) on failure. */
struct config *ctx_config(struct ctx *ctx);
struct state *ctx_state(struct ctx *ctx);
sqlite3 *ctx_db(struct ctx *ctx);
/* ctx_state() + lock. */
struct state *ctx_state_locked(struct ctx *ctx);
void ctx_free(struct ctx *ctx);

/* Print err_get() as "<prog>: error: ..." and return 1. */
int cli_fail(struct ctx *ctx);
/* Print a usage complaint and return EXIT_USAGE. */
int cli_usage(struct ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Refuse unless root, naming what needs it. */
int cli_need_root(const char *what);

#endif
