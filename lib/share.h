/*
 * Cluster shares: directories on the head node exported over NFS to their
 * member nodes and mounted on them at boot (the identity layer's fstab).
 *
 * A share's members are a spec kept as typed and resolved against the
 * inventory whenever it is used, so a node added later that matches it
 * (`all`, `image=NAME`, `model=5`, `var.rack=r1`) is a member at once:
 *   all | ITEM[,ITEM...]   ITEM: a node name, a range node[01-08], or a
 *                          selector image=NAME, model=M, var.KEY=VALUE
 */
#ifndef BRAMBLE_SHARE_H
#define BRAMBLE_SHARE_H

#include "config.h"
#include "inventory.h"
#include "state.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct share {
	char *name;
	char *path;	/* canonical directory on the head node */
	char *nodes;	/* member spec (see above) */
	char *mount;	/* where members mount it */
	char *squash;	/* root | all | none */
	char *proto;	/* v3 | v4 (v4: NFSv4.1 on the nodes) */
	int ro;
	int owned;	/* bramble made path (the default): rm removes it */
	unsigned export_id;
	long long created;
};

/* The Ganesha pseudo path of a share. */
#define SHARE_EXPORT_FMT "/shares/%s"

/* The lowest export id neither a node root nor a share holds. */
#define EXPORT_ID_FREE_SQL \
	"SELECT min(e.id + 1) FROM (SELECT 0 AS id UNION ALL SELECT id FROM exports" \
	" UNION ALL SELECT export_id FROM shares) e WHERE e.id + 1 NOT IN" \
	" (SELECT id FROM exports UNION ALL SELECT export_id FROM shares)"

/* 0 found, 1 not found (no error set), -1 error. */
int share_get(sqlite3 *db, const char *name, struct share *out);
/* All shares, sorted by name. */
int share_list(sqlite3 *db, struct share **out, size_t *n);
void share_free(struct share *s);
void shares_free(struct share *v, size_t n);

/* Insert (a new export id is taken) or update the row of s->name. */
int share_write(sqlite3 *db, struct share *s, int is_new);
int share_delete(sqlite3 *db, const char *name);

/* Does node n belong to share s? (The spec was checked when stored.) */
bool share_has_member(const struct share *s, const struct node *n);
/* The path a member mounts: SHARE_EXPORT_FMT (Ganesha) or the directory (kernel). */
char *share_export_path(const struct config *cfg, const struct share *s);
/* NFS options of the members' mount: "rw,vers=4.1" or "ro,vers=3,nolock". */
char *share_mount_options(const struct share *s);
/* A running rollout moving a member of s: its name in *node (else NULL). */
int share_in_rollout(sqlite3 *db, const struct share *s, char **node);
/* Bytes the files under path take (st_blocks), and free bytes on its filesystem. */
int share_usage(const char *path, unsigned long long *used, unsigned long long *avail);

/*
 * share_json.c: the share with its members (names), export path, mode,
 * bytes its files take and free bytes on its filesystem (a missing
 * directory: 0). share_list_json: every share, NULL (err set) on error.
 */
json_t *share_json(sqlite3 *db, const struct config *cfg, const struct share *s);
json_t *share_list_json(sqlite3 *db, const struct config *cfg);

/*
 * share_check.c: everything an admin types about a share, each with a
 * one-line error naming the value and the fix.
 */
int share_check_name(const char *name);
int share_check_mount(const char *mount);
int share_check_squash(const char *squash);
int share_check_proto(const char *proto);
/* Form of every item, and every named node exists (when given: a node
 * removed later just stops being a member). */
int share_check_nodes(sqlite3 *db, const char *spec);
/*
 * s as a whole (but its nodes) against the state and the other shares: path a directory
 * (made canonical in place), not within the state's images/, nodes/,
 * objects/ nor holding them, not overlapping another share's path; mount
 * not another share's.
 */
int share_validate(const struct state *st, sqlite3 *db, struct share *s);
/* Parse yes/no/true/false/1/0/on/off for share set ro=. */
int share_parse_bool(const char *v, int *out);

#endif
