#include "node_overlay.h"

#include "err.h"
#include "fsutil.h"
#include "node_tree.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUFFIX ".tmpl"

const char *overlay_search_path(const struct config *cfg)
{
	const char *env = getenv("BRAMBLE_OVERLAYS");

	return env && *env ? env : cfg->overlay_dirs;
}

static void free_file(struct ovl_file *f)
{
	free(f->rel);
	free(f->src);
	template_free(f->t);
	free(f->data);
}

void overlay_free(struct overlay *o)
{
	for (size_t i = 0; i < o->n; i++)
		free_file(&o->v[i]);
	free(o->v);
	memset(o, 0, sizeof *o);
}

/* Add f, replacing an earlier directory's file of the same output path. */
static void put(struct overlay *o, struct ovl_file *f)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].rel, f->rel)) {
			free_file(&o->v[i]);
			o->v[i] = *f;
			return;
		}
	o->v = xrealloc(o->v, (o->n + 1) * sizeof *o->v);
	o->v[o->n++] = *f;
}

static int load_file(const char *path, const char *rel, const struct stat *st,
		     struct overlay *o)
{
	struct ovl_file f = { .src = xstrdup(path), .mode = st->st_mode & 07777 };
	size_t rl = strlen(rel), sl = strlen(SUFFIX);

	if (S_ISLNK(st->st_mode)) {
		f.kind = OVL_SYMLINK;
		f.data = xmalloc((size_t)st->st_size + 1);
		ssize_t n = readlink(path, f.data, (size_t)st->st_size + 1);
		if (n < 0 || n > st->st_size) {
			free_file(&f);
			return err_errno("cannot read symlink %s", path);
		}
		f.data[n] = '\0';
		f.rel = xstrdup(rel);
		put(o, &f);
		return 0;
	}
	if (read_file(path, &f.data, &f.len) < 0) {
		free_file(&f);
		return -1;
	}
	if (rl > sl && !strcmp(rel + rl - sl, SUFFIX)) {
		f.kind = OVL_TEMPLATE;
		f.rel = xasprintf("%.*s", (int)(rl - sl), rel);
		if (template_parse(f.data, f.len, path, &f.t) < 0) {
			free_file(&f);
			return -1;
		}
		free(f.data);
		f.data = NULL;
		f.len = 0;
	} else {
		f.kind = OVL_FILE;
		f.rel = xstrdup(rel);
	}
	put(o, &f);
	return 0;
}

static int load_entry(const char *path, const char *rel, const struct stat *st, void *arg)
{
	if (S_ISDIR(st->st_mode))
		return 0;
	if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
		return load_file(path, rel, st, arg);
	return err_set("%s: overlays hold files, directories and symlinks only", path);
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct ovl_file *)a)->rel, ((const struct ovl_file *)b)->rel);
}

int overlay_load(const struct config *cfg, struct overlay *root, struct overlay *boot,
		 struct overlay *pxe)
{
	struct { const char *sub; struct overlay *o; } trees[] = {
		{ "root", root }, { "boot", boot }, { "pxe", pxe },
	};
	const size_t ntrees = sizeof trees / sizeof trees[0];
	const char *search = overlay_search_path(cfg);
	char *copy = xstrdup(search), *save = NULL;
	int found = 0, rc = 0;

	for (size_t i = 0; i < ntrees; i++)
		memset(trees[i].o, 0, sizeof *trees[i].o);
	for (char *d = strtok_r(copy, ":", &save); d && rc == 0; d = strtok_r(NULL, ":", &save)) {
		for (size_t i = 0; i < ntrees && rc == 0; i++) {
			char *t = xasprintf("%s/%s", d, trees[i].sub);

			found += path_exists(t);
			rc = tree_walk(t, load_entry, trees[i].o) < 0 ? -1 : 0;
			free(t);
		}
	}
	free(copy);
	if (rc == 0 && !found)
		rc = err_set("no overlay templates in '%s': set paths.overlay_dirs in bramble.conf "
			     "or BRAMBLE_OVERLAYS to directories holding root/, boot/ or pxe/", search);
	for (size_t i = 0; i < ntrees; i++) {
		struct overlay *o = trees[i].o;

		if (rc < 0)
			overlay_free(o);
		else if (o->n)
			qsort(o->v, o->n, sizeof *o->v, by_rel);
	}
	return rc < 0 ? -1 : 0;
}
