/*
 * Committing what a command changed in an overlay over an image version
 * (`imgtool image exec`) as the image's next version.
 *
 * The new version is staged from the parent version and the overlay's
 * upper dirs (one for root/, one for boot/):
 *   - an entry the upper dir does not hold, or holds unchanged (a copy-up
 *     without a change), is the parent's: a regular file is a hardlink to
 *     the parent's very inode, i.e. the same object; directories, symlinks
 *     and device nodes are made anew (they have no object).
 *   - a changed or new regular file becomes an object of its own; one
 *     that collides with an object the new version already links (equal
 *     content and metadata) takes the next slot, so two files that were
 *     independent stay two inodes (see objstore.h).
 *   - a whiteout (char 0/0) is a removal, an opaque directory
 *     (trusted.overlay.opaque=y) drops everything below it in the parent:
 *     the new version holds neither, nor any trusted.overlay.* attribute.
 * The staged version goes through store_publish, so a crash leaves the
 * old state or the new version, never half of it. The changes are
 * counted as `imgtool image diff PARENT NEW` lists them.
 */
#ifndef BRAMBLE_IMAGE_COMMIT_H
#define BRAMBLE_IMAGE_COMMIT_H

#include "progress.h"
#include "state.h"

#include <sqlite3.h>
#include <stdint.h>

struct image_commit {
	/* in */
	const char *name;
	int parent;		/* the version the overlay was over */
	const char *upper_root;	/* upper dir over its root/ */
	const char *upper_boot;	/* upper dir over its boot/; NULL: unchanged */
	const char *source;	/* what made it, for `image list` */
	struct progress *progress;	/* NULL: none */
	/* out */
	unsigned changed, added, removed;
	int ver;		/* the new version; 0: nothing changed, nothing made */
	uint64_t new_bytes;	/* data of the objects it created */
};

/* Commit; the caller holds the state lock. */
int image_commit(const struct state *st, sqlite3 *db, struct image_commit *c);

#endif
