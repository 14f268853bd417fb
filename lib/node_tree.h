/*
 * A node's derived trees (identity layer, boot dir) as data: the list of
 * paths with what each should be. A build computes the tree in memory, then
 * tree_sync() makes a live directory match it IN PLACE: changed files are
 * written to a temp name and renamed over, files no longer produced are
 * removed, identical files are left alone (same inode, same mtime). The
 * directory itself is never swapped: it may be a lower layer of a mounted
 * overlay, where a new directory means stale handles (nfs.md §4).
 */
#ifndef BRAMBLE_NODE_TREE_H
#define BRAMBLE_NODE_TREE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

enum tent_kind {
	TE_DIR,
	TE_FILE,	/* content in data/len, permissions mode */
	TE_SYMLINK,	/* target in data */
	TE_LINK,	/* hardlink to the file named by data (shared bytes) */
};

struct tent {
	char *rel;	/* path inside the tree, no leading '/' */
	enum tent_kind kind;
	mode_t mode;	/* permission bits of TE_DIR, TE_FILE */
	uid_t uid;	/* owner of TE_DIR (files and links: whoever builds) */
	gid_t gid;
	char *data;
	size_t len;
	size_t seq;	/* order added: of two entries for a path the later wins */
};

struct tree {
	struct tent *v;
	size_t n, cap;
};

/* Add entries; strings are copied except tree_file's data, which is taken. */
void tree_file(struct tree *t, const char *rel, mode_t mode, char *data, size_t len);
void tree_symlink(struct tree *t, const char *rel, const char *target);
void tree_link(struct tree *t, const char *rel, const char *src);
void tree_dir(struct tree *t, const char *rel, mode_t mode, uid_t uid, gid_t gid);
/*
 * Sort by path, keep the last entry added for each path, add missing
 * parent directories (0755, root). Fails when a path is both a directory and
 * not one (what names the tree in the message).
 */
int tree_finish(struct tree *t, const char *what);
/* Entry for rel in a finished tree, or NULL. */
const struct tent *tree_find(const struct tree *t, const char *rel);
void tree_free(struct tree *t);

/*
 * Call fn for every entry under dir, in name order, a directory before
 * what it holds; rel is the path below dir. A missing dir is fine.
 */
typedef int (*tree_walk_fn)(const char *path, const char *rel, const struct stat *st,
			    void *arg);
int tree_walk(const char *dir, tree_walk_fn fn, void *arg);

struct sync_stats {
	unsigned written, removed, kept;
};

/*
 * Make dir (created if missing) hold exactly the finished tree t; stats may
 * be NULL. What it changes is durable when it returns: a written file is
 * fsynced before its rename, and every directory it changed afterwards.
 */
int tree_sync(const struct tree *t, const char *dir, struct sync_stats *stats);

#endif
