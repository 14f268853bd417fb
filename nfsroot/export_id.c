/*
 * Stable export ids. NFS file handles carry them (Ganesha's Export_Id, the
 * kernel's fsid=), so a node keeps its id for life: the lowest free one is
 * taken on first publish and the row goes when the node row goes. Shares
 * (lib/share.h) take theirs from the same space.
 */
#include "nfsroot_int.h"

#include "db.h"
#include "err.h"
#include "share.h"

int export_id(sqlite3 *db, const char *name, unsigned *id)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "INSERT INTO exports (node, id)"
		       " SELECT ?1, (" EXPORT_ID_FREE_SQL ")"
		       " ON CONFLICT (node) DO NOTHING", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return db_fail(db, "allocating an NFS export id");
	if (db_prepare(db, "SELECT id FROM exports WHERE node = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = (unsigned)sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : db_fail(db, "reading the NFS export id");
}
