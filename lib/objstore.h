/*
 * The content-addressed object store, <state>/objects/.
 *
 * Every regular file of every image version is a hardlink to an object. An
 * object is named by SHA-256 over the file's content and the metadata that
 * hardlinks share (type and mode, owner, group, mtime, xattrs), plus a slot:
 *
 *     objects/<2 hex>/<64 hex>.<slot>
 *
 * The slot keeps independent files independent: the k-th file of one
 * version with a given key uses slot k. Two equal files in one version stay
 * two inodes (one inode would be a hardlink `rsync -H` sees), and importing
 * the same tree again maps every file to the object it used before, storing
 * nothing. A hardlink group of the source is one file, so it takes one slot.
 *
 * Objects are shared and immutable: never write through a version's link;
 * a changed file is a new file (objstore_absorb). An object with link count
 * 1 is referenced only by the store and is garbage (objstore_gc).
 *
 * A handle builds one version: it counts slots and remembers the objects it
 * created, so closing it without objstore_commit() removes those again.
 */
#ifndef BRAMBLE_OBJSTORE_H
#define BRAMBLE_OBJSTORE_H

#include "progress.h"
#include "xattrs.h"

#include <stdint.h>
#include <sys/stat.h>

struct objstore;

struct objstore_stats {
	uint64_t files;		/* files linked to objects */
	uint64_t new_files;	/* objects created */
	uint64_t new_bytes;	/* their size */
};

/* Open the store at dir (created if missing). */
int objstore_open(const char *dir, struct objstore **out);
/* Count the bytes of files read into p (NULL: stop), as they are read. */
void objstore_progress(struct objstore *os, struct progress *p);
/*
 * Store the regular file open at fd (path for messages, its stat and
 * xattrs) as an object, or find it stored, and hardlink it at dirfd/name.
 */
int objstore_link(struct objstore *os, int fd, const char *path, const struct stat *st,
		  const struct xattrs *xa, int dirfd, const char *name);
/*
 * Turn the regular file at path (a new file in a staging tree on the
 * store's filesystem, link count 1) into a link to its object: it becomes
 * the object when new, else it is replaced by a link to the stored one.
 */
int objstore_absorb(struct objstore *os, const char *path);
/*
 * The version is published: keep the objects it links. Objects created
 * since the last commit that nothing links (a file replaced in staging)
 * are removed.
 */
void objstore_commit(struct objstore *os);
/*
 * Close; as on commit, objects created since then that nothing links are
 * removed: all of a failed import's, once its staging tree is gone.
 */
void objstore_close(struct objstore *os);
const struct objstore_stats *objstore_stats(const struct objstore *os);
/*
 * For fsck. verify: does the object at objects/<name> ("ab/<hex>.<slot>")
 * still hash to its name? *ok 1 yes, 0 no (changed in place). adopt: link
 * the regular file at path (a version's file no object links, e.g. after
 * its object was deleted) into the store under its key at the first free
 * slot, so the version keeps its inodes as they are.
 */
int objstore_verify(struct objstore *os, const char *name, int *ok);
int objstore_adopt(struct objstore *os, const char *path);
/* Remove every object only the store links; count files and bytes freed. */
int objstore_gc(const char *dir, uint64_t *files, uint64_t *bytes);

#endif
