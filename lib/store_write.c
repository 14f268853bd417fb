/*
 * Writing the image store: staging, publishing, removing, and recovering
 * from crashes. The ordering rules are in store.h.
 */
#include "store.h"

#include "boot_sums.h"
#include "crashpoint.h"
#include "db.h"
#include "diskfull.h"
#include "err.h"
#include "fsutil.h"
#include "kconfig.h"
#include "log.h"
#include "objstore.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STAGE_PREFIX "stage."
#define TRASH_PREFIX "trash."

char *store_stage(const struct state *st)
{
	char *dir = state_path(st, "tmp/" STAGE_PREFIX "XXXXXX");

	if (!mkdtemp(dir)) {
		err_write("cannot create a staging directory %s", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

/* Rename dir to <trash>/x, trash a new tmp/trash.XXXXXX (newly allocated). */
static int move_to_trash(const struct state *st, const char *dir, char **trash)
{
	char *dest = NULL;
	int rc = -1;

	*trash = state_path(st, "tmp/" TRASH_PREFIX "XXXXXX");
	if (!mkdtemp(*trash)) {
		err_write("cannot create %s", *trash);
		goto out;
	}
	crashpoint("trash-made");
	dest = xasprintf("%s/x", *trash);
	if (rename(dir, dest) < 0) {
		err_errno("cannot move %s to %s", dir, dest);
		rmdir(*trash);
		goto out;
	}
	crashpoint("trash-moved");	/* a trash dir for store_recover */
	rc = 0;
out:
	free(dest);
	if (rc < 0) {
		free(*trash);
		*trash = NULL;
	}
	return rc;
}

int store_discard(const struct state *st, const char *dir)
{
	char *trash;
	int rc = move_to_trash(st, dir, &trash) < 0 ? -1 : rm_rf(trash);

	free(trash);
	return rc;
}

static int next_ver(sqlite3 *db, const char *name, int *ver)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT coalesce(max(ver), 0) + 1 FROM versions WHERE image = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*ver = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : db_fail(db, "next version number");
}

/* Whether the kernel of the version in vdir (staged or published) mounts
 * an NFS root itself: 1 or 0 (lib/kconfig.h), -1 on error. */
static int version_nfsroot(const char *vdir)
{
	char *root = xasprintf("%s/root", vdir), *boot = xasprintf("%s/boot", vdir), *why;
	int rc = kconfig_nfsroot(root, boot, &why);

	free(why);
	free(root);
	free(boot);
	return rc;
}

int store_record_nfsroot(const struct state *st, sqlite3 *db, const char *name, int ver)
{
	char *vdir = store_version_dir(st, name, ver);
	int yes = version_nfsroot(vdir);
	sqlite3_stmt *q;

	free(vdir);
	if (yes < 0 || db_prepare(db, "UPDATE versions SET kernel_nfsroot = ?3"
				  " WHERE image = ?1 AND ver = ?2", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	sqlite3_bind_int(q, 3, yes);
	if (sqlite3_step(q) != SQLITE_DONE)
		yes = db_fail(db, "recording whether the kernel mounts an NFS root");
	sqlite3_finalize(q);
	return yes;
}

static int insert_rows(sqlite3 *db, const struct store_version *v, int ver, int nfsroot,
		       const struct boot_sums *sums)
{
	sqlite3_stmt *q = NULL;
	long long now = (long long)time(NULL);
	int rc = -1;

	if (db_begin(db) < 0)
		return -1;
	if (db_prepare(db, "INSERT OR IGNORE INTO images (name, arch, created) VALUES (?1, ?2, ?3)",
		       &q) < 0)
		goto out;
	sqlite3_bind_text(q, 1, v->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, v->arch, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	if (sqlite3_step(q) != SQLITE_DONE) {
		db_fail(db, "adding the image");
		goto out;
	}
	sqlite3_finalize(q);
	if (db_prepare(db, "INSERT INTO versions (image, ver, created, files, bytes, source, report,"
		       " parent, kernel_nfsroot) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, 0), ?9)",
		       &q) < 0)
		goto out;
	sqlite3_bind_text(q, 1, v->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_int64(q, 4, v->files);
	sqlite3_bind_int64(q, 5, v->bytes);
	sqlite3_bind_text(q, 6, v->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, v->report ? v->report : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 8, v->parent);
	sqlite3_bind_int(q, 9, nfsroot);
	if (sqlite3_step(q) != SQLITE_DONE) {
		db_fail(db, "adding the version");
		goto out;
	}
	if (boot_sums_insert(db, v->name, ver, sums) < 0)
		goto out;
	rc = db_commit(db);
out:
	sqlite3_finalize(q);
	if (rc < 0)
		db_rollback(db);
	return rc;
}

int store_publish(const struct state *st, sqlite3 *db, const char *staged,
		  const struct store_version *v, int *ver)
{
	char *parent = state_path(st, "images/%s", v->name), *dest = NULL;
	char *boot = xasprintf("%s/boot", staged);
	struct boot_sums sums = { 0 };
	struct fs_sync sync;
	int rc = -1, nfsroot = -1, looked;

	/* flush the staged files before they become visible: a version that
	 * exists must have its data even after a power cut. The boot files
	 * are hashed and the kernel config read while the flush waits for
	 * the disk. */
	if (sync_fs_begin(staged, &sync) < 0)
		goto out;
	looked = boot_sums_make(boot, &sums) < 0 || (nfsroot = version_nfsroot(staged)) < 0 ? -1 : 0;
	if (sync_fs_end(&sync) < 0 || looked < 0 || next_ver(db, v->name, ver) < 0 ||
	    mkdir_p(parent, 0755) < 0)
		goto out;
	dest = store_version_dir(st, v->name, *ver);
	crashpoint("publish-synced");
	if (rename(staged, dest) < 0) {
		err_write("cannot move %s to %s", staged, dest);
		goto out;
	}
	if (fsync_dir(parent) < 0)
		goto undo;
	crashpoint("published");	/* directory without row: garbage */
	if (insert_rows(db, v, *ver, nfsroot, &sums) < 0)
		goto undo;
	crashpoint("publish-committed");
	rc = 0;
	goto out;
undo:
	err_wrap("publishing %s@%d: ", v->name, *ver);
	store_discard(st, dest);
	rmdir(parent);		/* made for this version: fine if not empty */
out:
	boot_sums_free(&sums);
	free(boot);
	free(parent);
	free(dest);
	return rc;
}

int store_remove(const struct state *st, sqlite3 *db, const char *name, int ver)
{
	char *dir = store_version_dir(st, name, ver), *parent = state_path(st, "images/%s", name);
	sqlite3_stmt *q = NULL;
	int rc = -1;

	if (db_begin(db) < 0)
		goto out;
	if (db_prepare(db, "DELETE FROM versions WHERE image = ?1 AND ver = ?2", &q) < 0)
		goto fail;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	if (sqlite3_step(q) != SQLITE_DONE) {
		db_fail(db, "removing the version");
		goto fail;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (db_prepare(db, "DELETE FROM images WHERE name = ?1 AND NOT EXISTS"
		       " (SELECT 1 FROM versions WHERE image = ?1)", &q) < 0)
		goto fail;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		db_fail(db, "removing the image");
		goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	crashpoint("unlisted");		/* directory without row: garbage */
	rc = path_exists(dir) ? store_discard(st, dir) : 0;
	crashpoint("rm-discarded");
	rmdir(parent);			/* the image's last version: fine if not */
	goto out;
fail:
	db_rollback(db);
out:
	sqlite3_finalize(q);
	free(dir);
	free(parent);
	return rc;
}

int store_listed(sqlite3 *db, const char *name, const char *ver, int *yes)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, "SELECT 1 FROM versions WHERE image = ?1 AND CAST(ver AS TEXT) = ?2",
		       &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ver, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, "looking up a version");
	*yes = rc == SQLITE_ROW;
	return 0;
}

/* What store_recover() walks with. */
struct recovery {
	const struct state *st;
	sqlite3 *db;
	const char *image;	/* while walking images/<image>/ */
	char **emptied;		/* leftover dirs emptied, removed after the gc */
	size_t found;
};

typedef int (*entry_fn)(struct recovery *r, const char *dir, const char *name);

static int each_name(const char *dir, entry_fn fn, struct recovery *r)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : err_errno("cannot read %s", dir);
	while (rc == 0 && (e = readdir(d)))
		if (e->d_name[0] != '.')
			rc = fn(r, dir, e->d_name);
	closedir(d);
	return rc;
}

static int rm_contents(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return err_errno("cannot read %s", dir);
	while (rc == 0 && (e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		rc = rm_rf(p);
		free(p);
	}
	closedir(d);
	return rc;
}

/*
 * Staging and trash directories: under the lock, nobody is using them.
 * Each is emptied but stays until the objects only it linked are gone, so
 * a recovery killed before its gc leaves a leftover the next one finds.
 */
static int tmp_entry(struct recovery *r, const char *dir, const char *name)
{
	char *p;

	if (strncmp(name, STAGE_PREFIX, strlen(STAGE_PREFIX)) &&
	    strncmp(name, TRASH_PREFIX, strlen(TRASH_PREFIX)))
		return 0;
	p = xasprintf("%s/%s", dir, name);
	log_info("removing %s, left by an interrupted command", p);
	r->emptied = xrealloc(r->emptied, (r->found + 1) * sizeof *r->emptied);
	r->emptied[r->found++] = p;
	return rm_contents(p);
}

/* A version directory without its row: into the trash, which tmp_entry empties. */
static int version_entry(struct recovery *r, const char *dir, const char *name)
{
	char *p, *trash;
	int yes = 0, rc;

	if (store_listed(r->db, r->image, name, &yes) < 0 || yes)
		return yes ? 0 : -1;
	p = xasprintf("%s/%s", dir, name);
	log_info("removing %s: an interrupted import or rm left it without a database row", p);
	rc = move_to_trash(r->st, p, &trash);
	free(p);
	free(trash);
	return rc;
}

static int image_entry(struct recovery *r, const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	int rc;

	r->image = name;
	rc = each_name(p, version_entry, r);
	rmdir(p);	/* only when empty */
	free(p);
	return rc;
}

/* What those leftovers linked may be referenced by nothing now. */
static int gc_leftovers(const struct state *st)
{
	char *objects = state_path(st, "objects");
	uint64_t files, bytes;
	int rc = objstore_gc(objects, &files, &bytes);

	free(objects);
	if (rc == 0 && files)
		log_info("removed %llu objects (%.1f MiB) only those leftovers used",
			 (unsigned long long)files, bytes / 1048576.0);
	return rc;
}

int store_recover(const struct state *st, sqlite3 *db)
{
	struct recovery r = { st, db, NULL, NULL, 0 };
	char *tmp = state_path(st, "tmp"), *images = state_path(st, "images");
	int rc = each_name(images, image_entry, &r) < 0 || each_name(tmp, tmp_entry, &r) < 0 ? -1 : 0;

	free(tmp);
	free(images);
	if (rc == 0 && r.found) {
		crashpoint("recovered-leftovers");
		rc = gc_leftovers(st);
	}
	for (size_t i = 0; i < r.found; i++) {
		if (rc == 0 && rmdir(r.emptied[i]) < 0)
			rc = err_errno("cannot remove %s", r.emptied[i]);
		free(r.emptied[i]);
	}
	free(r.emptied);
	return rc;
}
