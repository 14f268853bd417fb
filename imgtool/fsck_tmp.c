/*
 * fsck of what killed commands leave besides their work: the entries of
 * <state>/tmp/ (staging, trash and exec dirs) and the temp files of atomic
 * writes (write_file_atomic's <file>.tmp.<pid>, ssh-keygen's .new-<key>)
 * in the node dirs and the cluster's keep/. Under the state lock nothing
 * else writes there, but for a running image exec (its dir is flock()ed)
 * and bootsrv marking a node booted (its pid is alive).
 */
#include "fsck.h"

#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct { const char *prefix, *why; } leftovers[] = {
	{ "stage.", "a staging directory left by an interrupted import or image exec" },
	{ "trash.", "a tree an interrupted rm was deleting" },
	{ "exec.", "the work directory of an interrupted image exec" },
	{ "check-", "the test overlay of an interrupted bootsrv check" },
};

static int remove_path(struct fsck *f, const void *arg)
{
	(void)f;
	return rm_rf(arg);
}

static int tmp_entry(struct fsck *f, const char *path, const char *name)
{
	const char *why = "not made by bramble";
	int busy = !strncmp(name, "exec.", 5) ? dir_in_use(path) : 0;

	for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++)
		if (!strncmp(name, leftovers[i].prefix, strlen(leftovers[i].prefix)))
			why = leftovers[i].why;
	if (busy)
		return busy < 0 ? -1 : 0;	/* an image exec at work */
	fsck_fixable(f, &FSCK_REMOVE, remove_path, path, "%s: %s", fsck_rel(f, path), why);
	return 0;
}

/* Is name the temp file of a write or key a killed command left? */
static int stray_temp(const char *name)
{
	return !strncmp(name, ".new-", 5) || temp_writer_gone(name);
}

static int temp_entry(struct fsck *f, const char *path, const char *name)
{
	if (stray_temp(name))
		fsck_fixable(f, &FSCK_REMOVE, remove_path, path,
			     "%s: temp file of a write an interrupted command left",
			     fsck_rel(f, path));
	return 0;
}

/* A node dir: its own files, keep/ and keep/ssh/. */
static int node_entry(struct fsck *f, const char *path, const char *name)
{
	static const char *const subs[] = { "", "/keep", "/keep/ssh" };
	int rc = 0;

	(void)name;
	for (size_t i = 0; i < sizeof subs / sizeof subs[0] && rc == 0; i++) {
		char *dir = xasprintf("%s%s", path, subs[i]);

		rc = fsck_each(f, dir, temp_entry);
		free(dir);
	}
	return rc;
}

int fsck_tmp(struct fsck *f)
{
	char *tmp = state_path(f->st, "tmp"), *nodes = state_path(f->st, "nodes");
	char *keep = state_path(f->st, "keep");
	int rc = fsck_each(f, tmp, tmp_entry) < 0 || fsck_each(f, nodes, node_entry) < 0 ||
		 fsck_each(f, keep, temp_entry) < 0 ? -1 : 0;

	free(tmp);
	free(nodes);
	free(keep);
	return rc;
}
