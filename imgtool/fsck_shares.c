/*
 * Shares: each row's directory exists, and each directory under shares/
 * (the default place) belongs to a share. Neither is repaired: a share's
 * directory holds the users' data, which fsck never makes up or deletes.
 */
#include "fsck.h"

#include "share.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct shares {
	struct share *v;
	size_t n;
};

static struct shares *listed;	/* for the entry callback, during fsck_shares */

static int share_dir_entry(struct fsck *f, const char *path, const char *name)
{
	char *real = realpath(path, NULL);
	int owned = 0;

	for (size_t i = 0; real && i < listed->n && !owned; i++)
		owned = !strcmp(listed->v[i].path, real);
	if (!owned)
		fsck_unfixable(f, "%s: a directory of no share (left by an interrupted 'imgtool "
			       "share rm'?): remove it, or share it again with 'imgtool share add "
			       "%s --path %s'", fsck_rel(f, path), name, path);
	free(real);
	return 0;
}

int fsck_shares(struct fsck *f)
{
	struct shares s;
	struct stat st;
	char *dir;
	int rc;

	if (share_list(f->db, &s.v, &s.n) < 0)
		return -1;
	for (size_t i = 0; i < s.n; i++)
		if (stat(s.v[i].path, &st) < 0 || !S_ISDIR(st.st_mode))
			fsck_unfixable(f, "share %s: its directory %s is missing: restore it, or "
				       "'imgtool share rm %s'", s.v[i].name, s.v[i].path, s.v[i].name);
	listed = &s;
	dir = state_path(f->st, "shares");
	rc = fsck_each(f, dir, share_dir_entry);
	listed = NULL;
	free(dir);
	shares_free(s.v, s.n);
	return rc < 0 ? -1 : 0;
}
