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
	dev_t src_dev;	/* TE_LINK: the source's inode when known (src_ino 0: not) */
	ino_t src_ino;
};

struct tree {
	struct tent *v;
	size_t n, cap;
};

/* Add entries; strings are copied except tree_file's data, which is taken. */
void tree_file(struct tree *t, const char *rel, mode_t mode, char *data, size_t len);
void tree_symlink(struct tree *t, const char *rel, const char *target);
void tree_link(struct tree *t, const char *rel, const char *src);
/* tree_link whose source is known to be inode ino on dev: a sync compares
 * without a stat of it (a version's boot file, linked by every node). */
void tree_link_inode(struct tree *t, const char *rel, const char *src, dev_t dev, ino_t ino);
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
 * Syncs made durable together. Staging writes each new or changed file to
 * a temp name beside it; the commit flushes the filesystem once and renames
 * every temp file over its live path (readers see the old file or the new
 * one, never a part). The renames, removals and new directories are
 * durable at the next flush: the next batch's commit, or the caller's
 * sync_fs() when sync_batch_dirty() was true before the commit. One syncfs
 * per batch plus one, instead of an fsync per file and directory; what a
 * crash before a commit leaves is temp files, which the next sync sweeps.
 */
struct sync_batch {
	char **tmp, **path;
	size_t n;
	int changed;	/* a directory made, an entry removed, a mode set */
};

/* Stage making dir (created if missing) hold exactly the finished tree t;
 * stats may be NULL. */
int tree_stage(const struct tree *t, const char *dir, struct sync_batch *b,
	       struct sync_stats *stats);
/* Stage writing len bytes at path (mode), as write_file_atomic would. */
int sync_batch_file(struct sync_batch *b, const char *path, const void *data, size_t len,
		    mode_t mode);
/* Flush what b staged and make it live; fsdir names the filesystem. Empties b. */
int sync_batch_commit(struct sync_batch *b, const char *fsdir);
/* Does b hold anything a commit would change (then a flush must follow)? */
int sync_batch_dirty(const struct sync_batch *b);
void sync_batch_free(struct sync_batch *b);
/* tree_stage and commit of t alone: durable when it returns. */
int tree_sync(const struct tree *t, const char *dir, struct sync_stats *stats);

#endif
