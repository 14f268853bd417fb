/*
 * fsck of the image versions against their rows: a row's directory must
 * hold boot/ and root/ (if not, the version's data is lost); a directory
 * without a row is what an interrupted import or rm leaves (store.h), and
 * goes the way store_recover() removes it.
 */
#include "fsck.h"

#include "db.h"
#include "fsutil.h"
#include "store.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void check_row(struct fsck *f, const char *name, int ver)
{
	char *dir = store_version_dir(f->st, name, ver);
	char *boot = xasprintf("%s/boot", dir), *root = xasprintf("%s/root", dir);

	if (!is_dir(dir))
		fsck_unfixable(f, "image %s@%d: its directory %s is missing: remove the version "
			       "('imgtool image rm %s@%d') and import it again", name, ver,
			       fsck_rel(f, dir), name, ver);
	else if (!is_dir(boot) || !is_dir(root))
		fsck_unfixable(f, "image %s@%d: %s lacks boot/ or root/: remove the version "
			       "('imgtool image rm %s@%d') and import it again", name, ver,
			       fsck_rel(f, dir), name, ver);
	free(dir);
	free(boot);
	free(root);
}

static int rows(struct fsck *f)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(f->db, "SELECT image, ver FROM versions ORDER BY image, ver", &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		check_row(f, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int(q, 1));
		f->versions++;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(f->db, "listing versions");
}

static int discard(struct fsck *f, const void *arg)
{
	return store_discard(f->st, arg);
}

static const char *image;	/* while walking images/<image>/ */

static int version_entry(struct fsck *f, const char *path, const char *name)
{
	int yes;

	if (store_listed(f->db, image, name, &yes) < 0)
		return -1;
	if (!yes)
		fsck_fixable(f, &FSCK_REMOVE, discard, path, "%s: version directory without a "
			     "database row (left by an interrupted import or rm)", fsck_rel(f, path));
	return 0;
}

static int image_entry(struct fsck *f, const char *path, const char *name)
{
	image = name;
	return is_dir(path) ? fsck_each(f, path, version_entry) : 0;
}

int fsck_versions(struct fsck *f)
{
	char *images = state_path(f->st, "images");
	int rc = rows(f) < 0 || fsck_each(f, images, image_entry) < 0 ? -1 : 0;

	free(images);
	return rc;
}
