/*
 * fsck of the nodes' derived files against their rows: pending marks of
 * interrupted node commands, each node's identity layer and TFTP dir
 * against a build of its record computed now (lib/node_build.h) and its
 * built.manifest, TFTP dirs no node owns, node dirs of no node. All of it
 * is derived from the database and templates, so all of it is repaired by
 * building (node_reconcile, node_build), but a removed node's keep/ and
 * state/: those are the node's identity and data ('node rm --keep-state').
 */
#include "fsck.h"

#include "db.h"
#include "err.h"
#include "fsutil.h"
#include "mac.h"
#include "node_build.h"
#include "node_edit.h"
#include "node_manifest.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct fsck_fix FSCK_FINISH = { "finishes it", "finished" };
static const struct fsck_fix FSCK_DERIVED = {
	"removes them; keep/ and state/ stay", "removed; keep/ and state/ stay"
};

/* What the checks share: the inventory and the build computed now. */
struct nodes {
	struct node *v;
	size_t n;
	struct node_expect *want;
	size_t nwant;
};

static int is_pending(sqlite3 *db, const char *name)
{
	char *p = NULL;
	int yes = node_pending(db, name, &p) == 0 && p;

	free(p);
	return yes;
}

static int reconcile(struct fsck *f, const void *arg)
{
	(void)arg;
	return node_reconcile(f->st, f->db, f->cfg);
}

/* All marks first: the first repair finishes every one of them. */
static int pending(struct fsck *f, struct nodes *x)
{
	char **marks = xcalloc(x->n + 1, sizeof *marks);
	int rc = 0;

	for (size_t i = 0; i < x->n && rc == 0; i++)
		rc = node_pending(f->db, x->v[i].name, &marks[i]);
	for (size_t i = 0; i < x->n; i++) {
		if (rc == 0 && marks[i])
			fsck_fixable(f, &FSCK_FINISH, reconcile, NULL, "node %s: an interrupted node "
				     "command left its %s unfinished", x->v[i].name,
				     strcmp(marks[i], "build") ? "removal" : "build");
		free(marks[i]);
	}
	free(marks);
	return rc;
}

static int rebuild(struct fsck *f, const void *arg)
{
	return node_build(f->st, f->db, f->cfg, arg);
}

/* The first line of a manifest diff, for the message. */
static int differences(const char *disk, const char *want, const char *what, char **first)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int n;

	if (!out)
		return err_errno("cannot compare %s", what);
	n = manifest_diff(disk, want, what, out);
	fclose(out);
	*first = xasprintf("%.*s", (int)strcspn(buf ? buf : "", "\n"), buf ? buf : "");
	free(buf);
	return n;
}

static int check_node(struct fsck *f, const struct node_expect *e, struct hcache *hc)
{
	char *ident = node_path(f->st, e->name, "ident"), *mpath = node_path(f->st, e->name,
									       "built.manifest");
	char *disk = NULL, *built = NULL, *first = NULL;
	int n = -1;

	if (manifest_of_dirs(e->image_id, e->boot_dir, ident, hc, &disk) < 0 ||
	    (n = differences(disk, e->manifest, ident, &first)) < 0)
		goto out;
	if (n > 0)
		fsck_fixable(f, &FSCK_REBUILD, rebuild, e->name, "node %s: %d file%s differ%s "
			     "from what its record builds (first: %s)", e->name, n, n == 1 ? "" : "s",
			     n == 1 ? "s" : "", first);
	else if (!path_exists(mpath) || read_file(mpath, &built, NULL) < 0 ||
		 strcmp(built, e->manifest))
		fsck_fixable(f, &FSCK_REBUILD, rebuild, e->name, "node %s: %s does not describe "
			     "its files", e->name, fsck_rel(f, mpath));
	err_clear();
	n = 0;
out:
	free(ident);
	free(mpath);
	free(disk);
	free(built);
	free(first);
	return n < 0 ? -1 : 0;
}

static int files(struct fsck *f, struct nodes *x)
{
	struct hcache *hc = hcache_new();
	int rc = 0;

	for (size_t i = 0; i < x->nwant && rc == 0; i++)
		if (!is_pending(f->db, x->want[i].name))	/* reported as pending */
			rc = check_node(f, &x->want[i], hc);
	hcache_free(hc);
	return rc;
}

/* ---- TFTP dirs and node dirs no row owns -------------------------------------- */

static struct nodes *current;	/* for the entry callbacks */

static int owns_boot_dir(struct fsck *f, const char *path)
{
	for (size_t i = 0; i < current->nwant; i++)
		if (current->want[i].boot_dir && !strcmp(current->want[i].boot_dir, path))
			return 1;
	for (size_t i = 0; i < current->n; i++) {	/* a removal not finished yet */
		char *boot = current->v[i].mac ? node_boot_path(f->st, current->v[i].mac) : NULL;
		int yes = boot && !strcmp(boot, path) && is_pending(f->db, current->v[i].name);

		free(boot);
		if (yes)
			return 1;
	}
	return 0;
}

static int remove_tree(struct fsck *f, const void *arg)
{
	(void)f;
	return rm_rf(arg);
}

static int tftp_entry(struct fsck *f, const char *path, const char *name)
{
	if (mac_is_dashed(name) && !owns_boot_dir(f, path))
		fsck_fixable(f, &FSCK_REMOVE, remove_tree, path, "%s: boot dir of no node (no node "
			     "with an image has MAC %s)", fsck_rel(f, path), name);
	return 0;
}

static int is_kept(const char *name)
{
	return !strcmp(name, "keep") || !strcmp(name, "state");
}

static int derived_entry(struct fsck *f, const char *path, const char *name)
{
	(void)f;
	return is_kept(name) ? 0 : rm_rf(path);
}

static int remove_derived(struct fsck *f, const void *arg)
{
	if (fsck_each(f, arg, derived_entry) < 0)
		return -1;
	if (rmdir(arg) < 0 && errno != ENOTEMPTY && errno != EEXIST)
		return err_errno("cannot remove %s", (const char *)arg);
	return 0;
}

static int count_derived(struct fsck *f, const char *path, const char *name)
{
	(void)f;
	(void)path;
	return !is_kept(name);	/* stops the walk at the first: a yes */
}

static int node_dir_entry(struct fsck *f, const char *path, const char *name)
{
	for (size_t i = 0; i < current->n; i++)
		if (!strcmp(current->v[i].name, name))
			return 0;
	if (fsck_each(f, path, count_derived) > 0)
		fsck_fixable(f, &FSCK_DERIVED, remove_derived, path, "%s: files of no node in the "
			     "database", fsck_rel(f, path));
	return 0;
}

static int unowned(struct fsck *f, struct nodes *x)
{
	char *tftp = state_path(f->st, "tftp"), *dirs = state_path(f->st, "nodes");
	int rc;

	current = x;
	rc = fsck_each(f, tftp, tftp_entry) < 0 || fsck_each(f, dirs, node_dir_entry) < 0 ? -1 : 0;
	free(tftp);
	free(dirs);
	return rc;
}

int fsck_nodes(struct fsck *f)
{
	struct nodes x = { 0 };
	int rc;

	if (inventory_list(f->db, &x.v, &x.n) < 0)
		return -1;
	f->nodes = x.n;
	rc = pending(f, &x);
	if (rc == 0 && f->repair) {	/* finishing a removal removed rows */
		nodes_free(x.v, x.n);
		rc = inventory_list(f->db, &x.v, &x.n);
	}
	if (rc == 0 && node_expected(f->st, f->db, f->cfg, &x.want, &x.nwant) < 0) {
		fsck_unfixable(f, "nodes: cannot compute what their files should be: %s: fix that "
			       "first", err_get());
		rc = 1;
	}
	if (rc == 0)
		rc = files(f, &x) < 0 || unowned(f, &x) < 0 ? -1 : 0;
	node_expect_free(x.want, x.nwant);
	nodes_free(x.v, x.n);
	return rc < 0 ? -1 : 0;
}
