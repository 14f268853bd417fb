/*
 * A set of inodes, each remembered with one path: how a tree walk keeps
 * hardlinks as hardlinks (the first name of an inode is where later names
 * link to) and tells which inodes it has met.
 */
#ifndef BRAMBLE_INODEMAP_H
#define BRAMBLE_INODEMAP_H

#include <sys/stat.h>

struct inodemap {
	void *root;	/* tsearch tree */
};

#define INODEMAP_INIT { NULL }

/* The path remembered for st's inode, or NULL. */
const char *inodemap_find(const struct inodemap *m, const struct stat *st);
/* Remember st's inode with path; 1 when new, 0 when it was known already. */
int inodemap_add(struct inodemap *m, const struct stat *st, const char *path);
void inodemap_free(struct inodemap *m);

#endif
