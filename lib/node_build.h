/*
 * Building what a node boots from, out of the database and the templates.
 *
 * For every node (lib/inventory.h has the paths):
 *   nodes/<n>/ident/            identity layer rendered from the overlays'
 *                               root/ templates, plus the kept ssh host keys
 *   nodes/<n>/keep/             machine-id and ssh host keys, made once
 *   nodes/<n>/state/{upper,work}, nodes/<n>/root/   made empty for nfsroot
 *   tftp/<mac-dashed>/          a bound Pi with an image: the image's boot
 *                               files as hardlinks, the overlays' boot/
 *                               templates rendered over them (cmdline.txt,
 *                               config.txt), and <serial> -> . when the
 *                               serial is known, so the Pi's serial-prefixed
 *                               requests find the same files
 *   nodes/<n>/built.manifest    content manifest of the last build
 *                               (lib/node_manifest.h); booted.manifest is
 *                               the one the node last booted
 *
 * A build is deterministic and idempotent: the trees are computed in
 * memory, then synced in place (lib/node_tree.h), so rebuilding an
 * unchanged node writes nothing. Every function here expects the caller to
 * hold the state lock, except node_mark_booted.
 */
#ifndef BRAMBLE_NODE_BUILD_H
#define BRAMBLE_NODE_BUILD_H

#include "config.h"
#include "inventory.h"
#include "state.h"

#include <sqlite3.h>
#include <stdio.h>

/* nodes/<name>/<sub> (sub NULL: the node's dir), newly allocated. */
char *node_path(const struct state *st, const char *name, const char *sub);
/* tftp/<mac-dashed> for a canonical MAC, newly allocated. */
char *node_boot_path(const struct state *st, const char *mac);

/* Rebuild one node, or every node (e.g. after a template change). */
int node_build(const struct state *st, sqlite3 *db, const struct config *cfg,
	       const char *name);
int node_build_all(const struct state *st, sqlite3 *db, const struct config *cfg);
/*
 * Would a reboot change this node? Compares booted.manifest (built.manifest
 * if it never booted) with a build computed now in memory (the live files
 * are not touched): one line per difference to out ("M image OLD -> NEW",
 * "A|D|M <path>"). Returns the number of differences, -1 on error.
 */
int node_diff(const struct state *st, sqlite3 *db, const struct config *cfg,
	      const char *name, FILE *out);
/*
 * What a build now would make of every node not being removed (fsck
 * compares it with the disk): the node, its boot dir (NULL: none), the
 * manifest's image line and the manifest. Computed in memory only.
 */
struct node_expect {
	char *name, *boot_dir, *image_id, *manifest;
};

int node_expected(const struct state *st, sqlite3 *db, const struct config *cfg,
		  struct node_expect **out, size_t *n);
void node_expect_free(struct node_expect *v, size_t n);
/* The node's pending mark (NULL: its files are built), newly allocated. */
int node_pending(sqlite3 *db, const char *name, char **pending);
/* The node booted what was last built: copy built.manifest to booted.manifest. */
int node_mark_booted(const struct state *st, const char *name);

/*
 * For lib/node_edit.c: build after an inventory change inside the
 * caller's transaction. builder_open() snapshots the inventory (rows not
 * being removed) and loads the templates; builder_plan() computes the
 * trees of every node (all) or of one node, failing on a template error
 * while the transaction can still be rolled back; builder_apply() writes
 * them (durably) after the commit and clears the nodes' pending marks.
 * After builder_trust_built(), builder_apply() leaves alone every node
 * whose built.manifest is already its plan (an add or a change of one node
 * then touches the files of that node only, and of those whose templates
 * list it); without, it checks every file of every node against its plan.
 */
struct builder;

int builder_open(struct builder **out, const struct state *st, sqlite3 *db,
		 const struct config *cfg);
void builder_trust_built(struct builder *b);
int builder_plan(struct builder *b, const char *name);
int builder_apply(struct builder *b);
void builder_close(struct builder *b);

#endif
