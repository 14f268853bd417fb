/*
 * Rollouts: moving nodes to another image version a batch at a time
 * (`bootsrv rollout`) and back to the versions they ran before (`bootsrv
 * rollback`, the same machine with per-node targets).
 *
 * A rollout runs inside the daemon, which owns the NFS exports and already
 * follows every boot; the client only starts it and prints its log, so it
 * goes on when the client goes away. Each node of the current batch steps
 *
 *   pending -> rebooting -> switched -> done
 *
 * pending:   untouched
 * rebooting: held (dnsmasq's hosts file leaves its MAC out, so its DHCP
 *            goes unanswered) and the reboot hook started, its root still
 *            the one it runs on: it shuts down cleanly
 * switched:  its bootloader asked to boot (sniff.c saw its DHCP), so it is
 *            down, in its firmware: its root was switched (unexported,
 *            unmounted, its row set to the target version with its
 *            identity layer and boot dir re-rendered in place by
 *            node_update, mounted and exported again) and the hold lifted;
 *            the firmware's next DHCP retry (every 4 s on a Pi, iPXE
 *            likewise) is answered. It is done when its heartbeat names a
 *            new boot id and the target version, failed when --timeout
 *            (from the reboot) passes first or the hook fails.
 *
 * The switch takes the state lock without waiting: while another command
 * (an import) holds it, the node stays held and the switch is tried again
 * on the next tick, so the event loop never stalls behind it.
 *
 * A failed node stops the rollout: the whole batch goes back (reverted),
 * later batches stay untouched, and the rollout ends failed naming the
 * node and the phase it reached (no DHCP, no TFTP, no NFS mount, no
 * heartbeat), from the boot events bootsrv recorded since the reboot. A
 * node of the batch whose row was never switched is only let go (its hold
 * lifted: its live root was never touched); a switched one goes back the
 * way it came, held and rebooted (returning), switched back when it asks
 * to boot, or when --timeout passes or its hook fails without it asking.
 *
 * Every step is written to the database before the next one (rollouts,
 * rollout_nodes, rollout_log: db.c migration 6), so a daemon killed at any
 * point resumes at start, holds included (they are derived from the node
 * states, so none outlives its rollout): a node caught mid-switch is
 * switched again on its next DHCP retry (the switch is idempotent; at
 * start every root is published from the inventory, never a half-switched
 * one), a rebooting one is waited for until its deadline.
 */
#ifndef BOOTSRV_ROLLOUT_H
#define BOOTSRV_ROLLOUT_H

#include "bootsrv.h"
#include "child.h"

#include <jansson.h>
#include <sqlite3.h>

enum rn_state { RN_PENDING, RN_REBOOTING, RN_SWITCHED, RN_DONE, RN_FAILED, RN_REVERTED,
		RN_RETURNING };
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
	int lock_waiting;	/* said that its switch waits for the state lock */
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

/* rollout_run.c: the daemon's node called name, NULL when it has none. */
struct bnode *bnode_of(struct daemon *d, const char *name);
/* rollout_hook.c: start the reboot hook for n, to boot to_image@to_ver
 * (pid in n->hook). */
int rollout_hook_start(struct daemon *d, const struct rollout *r, struct rnode *n,
		       const char *to_image, int to_ver);
/* Stop n's hook if it still runs, its output unread. */
void rollout_hook_stop(struct rnode *n);
/* The hook's last line of output, read once it ended ("" when none). */
void rollout_hook_output(struct rnode *n, char *line, size_t len);

#endif
