/*
 * fsck of the object store against the versions (objstore.h): every
 * regular file of a version must be a hardlink to an object, an object
 * must still hash to its name (unless --quick), and an object no version
 * links (link count 1) is garbage.
 */
#include "fsck.h"

#include "db.h"
#include "err.h"
#include "fsutil.h"
#include "inodemap.h"
#include "objstore.h"
#include "store.h"
#include "xalloc.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MiB (1024.0 * 1024.0)

static const struct fsck_fix FSCK_GC = { "removes them, as 'imgtool image gc' does", "removed" };

/* What one run works with; file-static because nftw passes no argument. */
static struct run {
	struct fsck *f;
	struct objstore *os;
	struct inodemap objs;		/* inode -> object name "ab/<hex>.<slot>" */
	struct inodemap verdicts;	/* inode -> "good" or "bad", once hashed */
	uint64_t garbage, garbage_bytes;
	const char *image;	/* the version being walked */
	int ver;
	int rc;
} run;

static int object_entry(struct fsck *f, const char *path, const char *name)
{
	struct stat st;
	char *oname;

	if (lstat(path, &st) < 0)
		return err_errno("cannot stat %s", path);
	if (!S_ISREG(st.st_mode))
		return 0;
	f->objects++;
	if (st.st_nlink == 1) {
		run.garbage++;
		run.garbage_bytes += (uint64_t)st.st_blocks * 512;
	}
	oname = xasprintf("%.2s/%s", path + strlen(path) - strlen(name) - 3, name);
	inodemap_add(&run.objs, &st, oname);
	free(oname);
	return 0;
}

static int fan_entry(struct fsck *f, const char *path, const char *name)
{
	(void)name;
	return fsck_each(f, path, object_entry);
}

static int relink(struct fsck *f, const void *arg)
{
	(void)f;
	return objstore_adopt(run.os, arg);
}

static void check_object(const struct stat *st, const char *oname, const char *path)
{
	struct fsck *f = run.f;
	const char *verdict = inodemap_find(&run.verdicts, st);
	int ok;

	if (!verdict && !f->quick) {
		if (objstore_verify(run.os, oname, &ok) < 0)
			run.rc = -1;
		inodemap_add(&run.verdicts, st, ok ? "good" : "bad");
		verdict = ok ? "good" : "bad";
	}
	if (verdict && !strcmp(verdict, "bad"))
		fsck_unfixable(f, "%s: differs from its stored object objects/%s (changed in "
			       "place): image %s@%d is damaged: remove it ('imgtool image rm %s@%d') "
			       "and import it again", fsck_rel(f, path), oname, run.image, run.ver,
			       run.image, run.ver);
}

static int version_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *oname;

	(void)ftw;
	if (type == FTW_NS || type == FTW_DNR) {
		run.rc = err_errno("cannot read %s", path);
		return 1;
	}
	if (!S_ISREG(st->st_mode))
		return 0;
	if ((oname = inodemap_find(&run.objs, st)))
		check_object(st, oname, path);
	else
		fsck_fixable(run.f, &FSCK_RELINK, relink, path, "%s: linked to no stored object "
			     "(its object was removed, or the file replaced)", fsck_rel(run.f, path));
	return run.rc < 0;
}

static int walk_versions(struct fsck *f)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(f->db, "SELECT image, ver FROM versions ORDER BY image, ver", &q) < 0)
		return -1;
	while (run.rc == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *dir = store_version_dir(f->st, (const char *)sqlite3_column_text(q, 0),
					      sqlite3_column_int(q, 1));

		run.image = (const char *)sqlite3_column_text(q, 0);
		run.ver = sqlite3_column_int(q, 1);
		if (path_exists(dir))	/* a missing one is fsck_versions' to report */
			nftw(dir, version_file, 32, FTW_PHYS | FTW_MOUNT);
		free(dir);
	}
	if (run.rc == 0 && rc != SQLITE_DONE)
		run.rc = db_fail(f->db, "listing versions");
	sqlite3_finalize(q);
	return run.rc;
}

static int gc(struct fsck *f, const void *arg)
{
	uint64_t files, bytes;

	(void)f;
	return objstore_gc(arg, &files, &bytes);
}

int fsck_objects(struct fsck *f)
{
	char *dir = state_path(f->st, "objects");
	int rc;

	run = (struct run){ .f = f, .objs = INODEMAP_INIT, .verdicts = INODEMAP_INIT };
	rc = objstore_open(dir, &run.os) < 0 || fsck_each(f, dir, fan_entry) < 0 ? -1 : 0;
	if (rc == 0 && f->progress.mode == PROGRESS_BAR && !f->quick) {
		progress_begin(&f->progress, "checked the stored files", 0, 0);
		objstore_progress(run.os, &f->progress);
	}
	if (rc == 0)
		rc = walk_versions(f);
	if (f->progress.mode == PROGRESS_BAR && !f->quick)
		progress_end(&f->progress);
	if (rc == 0 && run.garbage)
		fsck_fixable(f, &FSCK_GC, gc, dir, "objects: %llu stored files (%.1f MiB) no "
			     "version links (left by 'imgtool image rm' or an interrupted command)",
			     (unsigned long long)run.garbage, run.garbage_bytes / MiB);
	inodemap_free(&run.objs);
	inodemap_free(&run.verdicts);
	objstore_close(run.os);
	free(dir);
	return rc;
}
