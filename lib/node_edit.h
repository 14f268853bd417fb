/*
 * Changing the node inventory, for imgtool's node verbs and bootsrv.
 *
 * Every change is one transaction that also marks every node 'build'
 * (nodes.pending). The new trees of all nodes are computed while it is
 * still open, so a bad template rolls it back and nothing changes; after
 * the commit the files are written and the marks cleared. A process killed
 * after the commit leaves the marks behind, and node_reconcile() (run by
 * every changing node verb, and by bootsrv at start) finishes the build
 * or the removal; the build being idempotent, finishing is just building
 * again. Callers hold the state lock.
 */
#ifndef BRAMBLE_NODE_EDIT_H
#define BRAMBLE_NODE_EDIT_H

#include "config.h"
#include "inventory.h"
#include "state.h"

#include <sqlite3.h>
#include <stddef.h>

/*
 * Check a node record against the rules and the other nodes: name, MAC
 * (canonical), serial, model, IP, image version, variables; a MAC, serial or
 * IP another node has is refused naming that node. is_new: the name must
 * not exist yet (else: must exist).
 */
int node_validate(sqlite3 *db, const struct config *cfg, const struct node *n, int is_new);
/* Add nodes, all or none, and build them. */
int node_create(const struct state *st, sqlite3 *db, const struct config *cfg,
		const struct node *v, size_t n);
/* Replace the record of the node n->name (every field but created). */
int node_update(const struct state *st, sqlite3 *db, const struct config *cfg,
		const struct node *n);
/*
 * Bind a node to new hardware: MAC and serial in any accepted spelling
 * (serial NULL: unknown; the old board's is dropped). Everything else
 * stays: name, image, IP, machine-id, ssh host keys, state. The old boot
 * dir goes, a new one is made under the new MAC.
 */
int node_rebind(const struct state *st, sqlite3 *db, const struct config *cfg,
		const char *name, const char *mac, const char *serial);
/*
 * Remove a node: its row and derived files, and unless keep_state its
 * nodes/<n>/ dir (with --keep-state, state/ and keep/ stay: adding the
 * name again brings back its identity and files). Refused while its root
 * is mounted: unpublish it first (nfsroot_unpublish_node).
 */
int node_remove(const struct state *st, sqlite3 *db, const struct config *cfg,
		const char *name, int keep_state);
/*
 * One change of the kind above, for inventory edits outside this file (a
 * share's row changes every member's fstab): fn edits rows inside the
 * transaction (it may fail: nothing changes), then every node is rebuilt.
 */
typedef int (*node_edit_fn)(sqlite3 *db, const struct config *cfg, const void *arg);
int node_change(const struct state *st, sqlite3 *db, const struct config *cfg,
		node_edit_fn fn, const void *arg);
/* Finish what a killed command left (see above); quick when nothing is pending. */
int node_reconcile(const struct state *st, sqlite3 *db, const struct config *cfg);

#endif
