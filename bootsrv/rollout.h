/*
 * Rollouts: moving nodes to another image version a batch at a time
 * (`bootsrv rollout`) and back to the versions they ran before (`bootsrv
 * rollback`, the same machine with per-node targets).
 *
 * A rollout runs inside the daemon, which owns the NFS exports and already
 * follows every boot; the client only starts it and prints its log, so it
 * goes on when the client goes away. Each node of the current batch steps
 *
 *   pending -> switched -> rebooting -> done
 *
 * pending:   its root is switched: unexported and unmounted, its row set
 *            to the target version with its identity layer and boot dir
 *            re-rendered in place (node_update), mounted and exported again
 * switched:  the reboot hook runs for it
 * rebooting: until its heartbeat names a new boot id and the target
 *            version (done), or --timeout passes or the hook fails (failed)
 *
 * A failed node stops the rollout: the whole batch is switched back to
 * the versions it came from and rebooted (reverted), later batches stay
 * untouched, and the rollout ends failed naming the node and the phase it
 * reached (no DHCP, no TFTP, no NFS mount, no heartbeat), from the boot
 * events bootsrv recorded since the reboot.
 *
 * Every step is written to the database before the next one (rollouts,
 * rollout_nodes, rollout_log: db.c migration 6), so a daemon killed at any
 * point resumes at start: a node caught mid-switch is switched again (the
 * switch is idempotent; at start every root is published from the
 * inventory, never a half-switched one), a rebooting one is waited for
 * until its deadline.
 */
#ifndef BOOTSRV_ROLLOUT_H
#define BOOTSRV_ROLLOUT_H

#include "bootsrv.h"
#include "child.h"

#include <jansson.h>
#include <sqlite3.h>

enum rn_state { RN_PENDING, RN_SWITCHED, RN_REBOOTING, RN_DONE, RN_FAILED, RN_REVERTED };
enum ro_state { RO_RUNNING, RO_REVERTING, RO_DONE, RO_FAILED };

struct rnode {
	char *name;
	int batch;		/* 0-based */
	char *from_image, *to_image;
	int from_ver, to_ver;
	enum rn_state state;
	char *old_boot_id;	/* the boot the reboot must replace; NULL: none seen */
	long long reboot_at;	/* ms: hook started */
	long long deadline;	/* ms */
	char *why;		/* what failed */
	struct child hook;	/* the reboot hook while it runs */
};

struct rollout {
	long long id;
	const char *kind;	/* "rollout" or "rollback" */
	char *target;		/* NAME@VER; "previous" for a rollback */
	int batch, timeout;	/* nodes per batch; seconds per node */
	char *reboot_cmd;	/* NULL: bramble.conf's bootsrv.reboot_cmd, else ssh */
	enum ro_state state;
	int cur, nbatches;	/* the batch in progress */
	struct rnode *nodes;	/* sorted by name, batch by batch */
	size_t n;
	int seq;		/* log lines so far */
	char *error;
};

/* rollout_db.c: the tables (see above). */
/* Append a node named name to r, zeroed but for its name (no hook running). */
struct rnode *rollout_add(struct rollout *r, const char *name);
int rollout_db_create(sqlite3 *db, struct rollout *r);
int rollout_db_save(sqlite3 *db, const struct rollout *r);
int rollout_db_save_node(sqlite3 *db, const struct rollout *r, const struct rnode *n);
/* The rollout left running or reverting (NULL: none). */
int rollout_db_active(sqlite3 *db, struct rollout **out);
/* Append a line to the rollout's log (and the daemon's). */
void rollout_log(sqlite3 *db, struct rollout *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Rollout id (0: the latest) with its nodes and the log lines after since. */
json_t *rollout_db_json(sqlite3 *db, long long id, long long since);
void rollout_free(struct rollout *r);
const char *rn_state_name(enum rn_state s);
const char *ro_state_name(enum ro_state s);

/* rollback.c: the nodes a rollback moves and their targets into r. */
int rollback_plan(sqlite3 *db, char *const *names, size_t n, struct rollout *r);

/* rollout_hook.c: start the reboot hook for n, to boot to_image@to_ver
 * (pid in n->hook). */
int rollout_hook_start(struct daemon *d, const struct rollout *r, struct rnode *n,
		       const char *to_image, int to_ver);
/* The hook's last line of output, read once it ended ("" when none). */
void rollout_hook_output(struct rnode *n, char *line, size_t len);

#endif
