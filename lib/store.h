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

#endif
