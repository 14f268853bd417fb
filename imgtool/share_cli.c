#include "share_cli.h"

#include "bootsrv_ctl.h"
#include "err.h"
#include "nfsroot.h"
#include "node_edit.h"


struct store_arg {
	const struct state *st;
	struct share *s;
	int is_new;
};

static int store_row(sqlite3 *db, const struct config *cfg, const void *arg)
{
	const struct store_arg *a = arg;

	(void)cfg;
	return share_validate(a->st, db, a->s) < 0 ? -1 : share_write(db, a->s, a->is_new);
}

static int delete_row(sqlite3 *db, const struct config *cfg, const void *arg)
{
	(void)cfg;
	return share_delete(db, arg);
}

/* After the change: exports (the server's view) and the daemon. */
static int publish(const struct state *st, sqlite3 *db, const struct config *cfg)
{
	if (nfsroot_apply_shares(st, cfg, db) < 0)
		return -1;
	bootsrv_notify_reload(st);
	return 0;
}

int share_cli_store(const struct state *st, sqlite3 *db, const struct config *cfg,
		    struct share *s, int is_new)
{
	struct store_arg a = { st, s, is_new };

	if (node_change(st, db, cfg, store_row, &a) < 0)
		return -1;
	return publish(st, db, cfg);
}

int share_cli_remove(const struct state *st, sqlite3 *db, const struct config *cfg,
		     const char *name)
{
	if (node_change(st, db, cfg, delete_row, name) < 0)
		return -1;
	return publish(st, db, cfg);
}

int share_cli_get(sqlite3 *db, const char *name, struct share *s)
{
	int rc = share_get(db, name, s);

	if (rc > 0)
		return err_set("no share named '%s' (see 'imgtool share list')", name);
	return rc;
}
