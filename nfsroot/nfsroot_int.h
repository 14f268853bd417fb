/* nfsroot internals shared by its files; not for callers of nfsroot.h. */
#ifndef BRAMBLE_NFSROOT_INT_H
#define BRAMBLE_NFSROOT_INT_H

#include "nfsroot.h"

#include <stdbool.h>

/* One line of /proc/self/mountinfo. */
struct mnt {
	char *point;	/* mount point, unescaped */
	char *fstype;
	char *opts;	/* super options: the overlay's lowerdir=..., nfs_export=on */
	char *tags;	/* optional fields: "shared:3 master:1" */
};

/*
 * The mount at path (exact: its top-most mount point there) or the mount
 * holding path (longest mount point prefix). 1 found, 0 none, -1 error.
 */
int mountinfo_find(const char *path, bool exact, struct mnt *out);
void mnt_free(struct mnt *m);
/* Is "key=value" (or "key") one of the comma-separated options? */
bool opts_have(const char *opts, const char *opt);

/*
 * upper_reset.c: before mounting, drop the overlay origins the node's
 * upper dir recorded over another image layer than r's; after mounting,
 * record r's image layer.
 */
int upper_reset_if_moved(const struct nfsroot *r);
int upper_note_image(const struct nfsroot *r);

/* Is r's overlay mounted, and over its current layers? -1 on error. */
enum { NOT_MOUNTED, MOUNTED_SAME, MOUNTED_OTHER };
int overlay_state(const struct nfsroot *r);

/* The node's stable export id, allocated on first use. */
int export_id(sqlite3 *db, const char *name, unsigned *id);

/* Replace path's content with text unless it is already that: 1 written, 0 same. */
int write_if_changed(const char *path, const char *text);

/* <state_dir>/nodes/<name>/root */
char *nfsroot_mountpoint(const char *state_dir, const char *name);
/* realpath of the state directory, with a path NFS configs can carry. */
char *nfsroot_state_dir(const struct state *st);

/* Why Ganesha gave up, from its log since the start; NULL if it does not say. */
char *ganesha_complaint(const char *log);

/* What differs between the export backends. */
struct backend_kind {
	const char *name;
	const char *prefix, *suffix;	/* export file: <prefix><node><suffix> */
	char *(*render)(const char *name, unsigned id, const char *path, const char *client);
	int (*apply)(struct nfs_exporter *b);
	const char *share_prefix, *share_suffix;	/* <prefix><share><suffix> */
	char *(*render_share)(const struct share *s, const char *clients);
};

extern const struct backend_kind ganesha_backend, kernel_backend;

/* <state>/run/ganesha and its files. */
#define GANESHA_CONF "ganesha.conf"
#define GANESHA_PID "ganesha.pid"
#define GANESHA_LOG "ganesha.log"
#define GANESHA_EXPORTS "exports.d"
#define GANESHA_SHARES "shares.d"
#define RPCBIND_PID "rpcbind.pid"

#endif
