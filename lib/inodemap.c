#include "inodemap.h"

#include "xalloc.h"

#include <search.h>
#include <stdlib.h>

struct inode_path {
	dev_t dev;
	ino_t ino;
	char *path;
};

static int cmp(const void *a, const void *b)
{
	const struct inode_path *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void entry_free(void *p)
{
	struct inode_path *e = p;

	free(e->path);
	free(e);
}

const char *inodemap_find(const struct inodemap *m, const struct stat *st)
{
	struct inode_path key = { st->st_dev, st->st_ino, NULL };
	struct inode_path **found = tfind(&key, &m->root, cmp);

	return found ? (*found)->path : NULL;
}

int inodemap_add(struct inodemap *m, const struct stat *st, const char *path)
{
	struct inode_path *e = xmalloc(sizeof *e), **found;

	*e = (struct inode_path){ st->st_dev, st->st_ino, xstrdup(path) };
	found = tsearch(e, &m->root, cmp);
	if (!found)
		abort();	/* out of memory */
	if (*found == e)
		return 1;
	entry_free(e);
	return 0;
}

void inodemap_free(struct inodemap *m)
{
	tdestroy(m->root, entry_free);
	m->root = NULL;
}
