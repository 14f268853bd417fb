/*
 * Conflicts between a node's own state and an image update: files in the
 * node's upper dir (nodes/<n>/state/upper, kept across versions) that
 * shadow paths the new version changed, so the node would keep its copy
 * and never see the update's (a config it edited that the update edited
 * too). One line each:
 *
 *   C etc/foo.conf (node changed it; bookworm@2 changed it too)
 *
 * The node "changed", "made" (the old version has no such path) or
 * "removed" (a whiteout) it; the version "changed it too", "adds it too"
 * or "removes it". Only non-directories are compared (lib/treediff.h's
 * rules); unchanged files cost a stat, being one object in both versions.
 */
#ifndef BRAMBLE_NODE_CONFLICT_H
#define BRAMBLE_NODE_CONFLICT_H

#include "state.h"

#include <sqlite3.h>
#include <stdio.h>

/* The image version the node last booted (else was last built for):
 * 0 and *image (allocated), *ver; 1 when it has none. */
int node_booted_version(const struct state *st, const char *name, char **image, int *ver);
/*
 * Print the conflicts of node name moving from image_a@ver_a to
 * image_b@ver_b to out; returns how many, -1 on error.
 */
int node_conflicts(const struct state *st, const char *name, const char *image_a, int ver_a,
		   const char *image_b, int ver_b, FILE *out);

/*
 * The conflicts of the update a reboot would bring: from the version the
 * node booted to the one its inventory row names (none when they agree).
 */
int node_update_conflicts(const struct state *st, sqlite3 *db, const char *name, FILE *out);

#endif
