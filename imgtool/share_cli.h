/*
 * Shared by imgtool's share verbs (share_add.c, share_set.c, ...): storing
 * a checked share with every member's files rebuilt and the exports
 * applied.
 */
#ifndef IMGTOOL_SHARE_CLI_H
#define IMGTOOL_SHARE_CLI_H

#include "cli.h"
#include "share.h"

/*
 * Check s, store it (is_new: insert, else update) and rebuild every node's
 * identity layer in one change, then export the shares and tell a running
 * bootsrv. 0, or -1 with nothing changed when s is refused.
 */
int share_cli_store(const struct state *st, sqlite3 *db, const struct config *cfg,
		    struct share *s, int is_new);
/* Remove the row (rebuilding every node) and withdraw its export. */
int share_cli_remove(const struct state *st, sqlite3 *db, const struct config *cfg,
		     const char *name);
/* Load the share named name; "no share named" when there is none. */
int share_cli_get(sqlite3 *db, const char *name, struct share *s);

#endif
