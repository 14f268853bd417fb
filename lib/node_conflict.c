#include "node_conflict.h"

#include "err.h"
#include "fsutil.h"
#include "inventory.h"
#include "node_build.h"
#include "node_tree.h"
#include "store.h"
#include "treediff.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int node_booted_version(const struct state *st, const char *name, char **image, int *ver)
{
	static const char *const manifests[] = { "booted.manifest", "built.manifest" };
	char *text = NULL, *line, *at;
	int rc = 1;

	for (size_t i = 0; i < 2 && !text; i++) {
		char *path = node_path(st, name, manifests[i]);

		if (path_exists(path) && read_file(path, &text, NULL) < 0)
			rc = -1;
		free(path);
	}
	/* "image NAME@VER created=..." on its second line (node_manifest.h) */
	if (text && (line = strstr(text, "\nimage ")) && (at = strchr(line + 7, '@')) &&
	    at - line - 7 < (int)strcspn(line + 7, " \n")) {
		*image = strndup(line + 7, (size_t)(at - line - 7));
		*ver = atoi(at + 1);
		rc = 0;
	}
	free(text);
	return rc;
}

struct walk {
	FILE *out;
	const char *a, *b;		/* the two versions' root dirs */
	const char *spec_b;		/* NAME@VER of b, for the lines */
	int n;
};

/* lstat of root/rel: 1 there, 0 not, -1 error. */
static int entry(const char *root, const char *rel, char **path, struct stat *st)
{
	*path = xasprintf("%s/%s", root, rel);
	if (lstat(*path, st) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : err_errno("cannot read %s", *path);
}

static int one(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct walk *w = arg;
	struct stat sa, sb;
	char *pa, *pb;
	int in_a, in_b, same = 0, whiteout = S_ISCHR(st->st_mode) && st->st_rdev == 0;

	(void)path;
	if (S_ISDIR(st->st_mode))
		return 0;
	in_a = entry(w->a, rel, &pa, &sa);
	in_b = entry(w->b, rel, &pb, &sb);
	if (in_a < 0 || in_b < 0)
		same = -1;
	else if (in_a && in_b)
		same = tree_same(pa, &sa, pb, &sb);
	else
		same = !in_a && !in_b;
	/* a path both the node and the update removed is no conflict */
	if (same == 0 && !(whiteout && !in_b)) {
		fprintf(w->out, "C %s (node %s it; %s %s)\n", rel,
			whiteout ? "removed" : in_a ? "changed" : "made", w->spec_b,
			!in_b ? "removes it" : in_a ? "changed it too" : "adds it too");
		w->n++;
	}
	free(pa);
	free(pb);
	return same < 0 ? -1 : 0;
}

int node_update_conflicts(const struct state *st, sqlite3 *db, const char *name, FILE *out)
{
	struct node n;
	char *image = NULL;
	int ver, rc = inventory_get(db, name, &n);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (n.image && node_booted_version(st, name, &image, &ver) == 0 &&
	    (strcmp(image, n.image) || ver != n.ver))
		rc = node_conflicts(st, name, image, ver, n.image, n.ver, out);
	free(image);
	node_free(&n);
	return rc;
}

int node_conflicts(const struct state *st, const char *name, const char *image_a, int ver_a,
		   const char *image_b, int ver_b, FILE *out)
{
	char *va = store_version_dir(st, image_a, ver_a), *vb = store_version_dir(st, image_b, ver_b);
	char *a = xasprintf("%s/root", va), *b = xasprintf("%s/root", vb);
	char *spec = xasprintf("%s@%d", image_b, ver_b), *upper = node_path(st, name, "state/upper");
	struct walk w = { out, a, b, spec, 0 };
	int rc = tree_walk(upper, one, &w);

	free(va);
	free(vb);
	free(a);
	free(b);
	free(spec);
	free(upper);
	return rc < 0 ? -1 : w.n;
}
