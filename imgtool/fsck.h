/*
 * imgtool fsck: the checks of the state directory, one file per area
 * (fsck_db.c, fsck_mounts.c, fsck_tmp.c, fsck_store.c, fsck_objects.c,
 * fsck_nodes.c, fsck_shares.c), and how they report (fsck_report.c).
 *
 * A check prints one line per problem, naming the object. A problem that
 * is derivable from the database and the templates comes with its repair,
 * run at once under --repair; each repair is atomic or idempotent, so a
 * crash during fsck leaves something a second fsck still finds or fixes.
 * The caller holds the state lock throughout.
 */
#ifndef IMGTOOL_FSCK_H
#define IMGTOOL_FSCK_H

#include "cli.h"
#include "progress.h"

#include <stdint.h>

struct fsck {
	struct state *st;
	sqlite3 *db;
	struct config *cfg;
	int repair;		/* --repair */
	int quick;		/* --quick: no content hashing */
	unsigned problems;	/* found */
	unsigned fixed;		/* of those, repaired */
	uint64_t versions, nodes, objects;	/* for the summary */
	struct progress progress;
};

/* A repair: what it will do and what it did, for the problem's line. */
struct fsck_fix {
	const char *will;	/* "removes it" */
	const char *done;	/* "removed" */
};

extern const struct fsck_fix FSCK_REMOVE, FSCK_REBUILD, FSCK_UNMOUNT, FSCK_DETACH, FSCK_RELINK;

typedef int (*fsck_fix_fn)(struct fsck *f, const void *arg);

/*
 * Report a problem: "<message> (imgtool fsck --repair <will>)", or with
 * --repair "<message>: <done>" once fn(f, arg) succeeded ("<message>: not
 * repaired: <error>" if not).
 */
void fsck_fixable(struct fsck *f, const struct fsck_fix *how, fsck_fix_fn fn, const void *arg,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A problem fsck cannot repair: the message says what to do. */
void fsck_unfixable(struct fsck *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* path relative to the state directory, for messages (points into path). */
const char *fsck_rel(const struct fsck *f, const char *path);

/* Call fn(f, path, name) for each entry of dir but . and ..; a missing
 * dir has none. Stops at the first fn that fails. */
typedef int (*fsck_entry_fn)(struct fsck *f, const char *path, const char *name);
int fsck_each(struct fsck *f, const char *dir, fsck_entry_fn fn);

/*
 * The checks. Each returns -1 (err set) only when it could not look at all;
 * what it found is reported and counted in f. fsck_db: 1 when the database
 * is unusable (nothing else can be checked).
 */
int fsck_db(struct fsck *f);
int fsck_mounts(struct fsck *f);
int fsck_loops(struct fsck *f);
int fsck_tmp(struct fsck *f);
int fsck_versions(struct fsck *f);
int fsck_objects(struct fsck *f);
int fsck_nodes(struct fsck *f);
int fsck_shares(struct fsck *f);

#endif
