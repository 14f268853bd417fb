/*
 * Image store lookups shared by imgtool and bootsrv.
 *
 *   <state>/images/<name>/<ver>/boot/   the version's boot partition files
 *   <state>/images/<name>/<ver>/root/   the version's root filesystem
 *
 * A version directory appears by rename from a staging directory and is
 * never changed afterwards. The versions table is the index.
 */
#ifndef BRAMBLE_STORE_H
#define BRAMBLE_STORE_H

#include "state.h"

#include <sqlite3.h>

/* Image names: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters. */
int store_check_name(const char *name);
/*
 * "NAME" (newest version) or "NAME@VER" -> name, ver. Unknown image or
 * version: -1 with a message saying what exists.
 */
int store_resolve(sqlite3 *db, const char *spec, char **name, int *ver);
/* <state>/images/<name>/<ver>, newly allocated. */
char *store_version_dir(const struct state *st, const char *name, int ver);

/*
 * Writing versions; callers hold the state lock.
 *
 * Crash safety: a version exists iff its row in `versions` exists. Import
 * renames the staged directory into place first and inserts the row second;
 * rm deletes the row first and the directory second. So whatever moment a
 * crash hits, the only possible mismatch is a version directory without a
 * row: garbage that store_recover() removes, together with the staging and
 * trash directories of killed commands and the objects only they linked.
 */

struct store_version {
	const char *name;
	const char *arch;	/* Debian architecture name */
	const char *source;	/* what it was made from, for `image list` */
	const char *report;	/* changes made on the way, one per line */
	long long files;	/* non-directory entries of boot/ and root/ */
	long long bytes;	/* their data bytes */
	int parent;		/* the version this one was made from; 0: none */
};

/* A new empty staging directory <state>/tmp/stage.XXXXXX (newly allocated). */
char *store_stage(const struct state *st);
/* Is there a row for name@ver (ver as the directory spells it)? *yes 1 or 0. */
int store_listed(sqlite3 *db, const char *name, const char *ver, int *yes);
/* Remove what killed commands left (see above); logs what it found. */
int store_recover(const struct state *st, sqlite3 *db);
/* Architecture of an image: 0 and *arch (allocated), 1 no such image, -1 error. */
int store_image_arch(sqlite3 *db, const char *name, char **arch);
/*
 * Publish staged (holding boot/ and root/) as the next version of v->name:
 * sync, rename into images/<name>/<ver>, insert the row. *ver gets the number.
 */
int store_publish(const struct state *st, sqlite3 *db, const char *staged,
		  const struct store_version *v, int *ver);
/*
 * Find whether name@ver's kernel mounts an NFS root itself (lib/kconfig.h)
 * from its files and record it in its row, for a version published before
 * the row held it (store_publish records it for new ones). 1 or 0, -1 on
 * error. Needs no state lock: every writer records the same value.
 */
int store_record_nfsroot(const struct state *st, sqlite3 *db, const char *name, int ver);
/* Remove name@ver: its row, then its directory. Objects stay for gc. */
int store_remove(const struct state *st, sqlite3 *db, const char *name, int ver);
/* Names of the nodes using name@ver, ", "-separated; NULL when none. */
int store_users(sqlite3 *db, const char *name, int ver, char **names);
/* Bytes on disk held only by the version in vdir: what rm + gc would free. */
int store_unique_bytes(const char *vdir, unsigned long long *bytes);
/*
 * Delete a tree of the state dir by renaming it into tmp/ first, so a
 * crash leaves garbage for store_recover(), never a half-deleted tree.
 */
int store_discard(const struct state *st, const char *dir);

#endif
