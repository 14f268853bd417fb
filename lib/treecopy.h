/*
 * Copy a directory tree with every attribute: owner, mode, times to the
 * nanosecond, xattrs (file capabilities, ACLs), hardlinks kept as
 * hardlinks, symlinks, device nodes, fifos, sockets and sparse files.
 * Directories get their metadata after their contents, so their times
 * survive. Entries are visited in byte order of their names, so copying
 * the same tree twice makes the same sequence of files (the object store's
 * slots rely on that). Other filesystems mounted inside the source are
 * not entered (their mount point is copied empty, like cp -x).
 */
#ifndef BRAMBLE_TREECOPY_H
#define BRAMBLE_TREECOPY_H

#include "objstore.h"
#include "progress.h"

#include <stdint.h>

struct treecopy {
	struct objstore *store;		/* regular files become objects; NULL: plain copies */
	struct progress *progress;	/* NULL: none */
	/* counted by treecopy() */
	uint64_t files;			/* non-directory entries */
	uint64_t dirs;
	uint64_t bytes;			/* regular file sizes, each inode once */
};

/* What a copy of src will visit: non-directory entries and file bytes. */
int treecopy_scan(const char *src, uint64_t *files, uint64_t *bytes);
/* Copy the directory src to dst, which must not exist yet. */
int treecopy(const char *src, const char *dst, struct treecopy *tc);
/*
 * Store the regular files of dir as objects in place (tc->store required),
 * visiting them in the same order as treecopy(): for a tree just written
 * on the store's filesystem that nothing else links (what mtools
 * extracted), which saves copying it once more. Hardlinked files are
 * refused.
 */
int treecopy_absorb(const char *dir, struct treecopy *tc);

#endif
