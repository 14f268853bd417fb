/*
 * SHA-256 of every regular file of an image version's boot/, kept in the
 * database (table boot_sums) from the moment the version is published.
 *
 * Every node's TFTP dir links these files and its manifest lists their
 * hashes; without the table each node command would read and hash the
 * whole boot partition again (some 50 MB for Pi OS). Versions are
 * immutable, so the sums stay true; the rows go with the version's row.
 */
#ifndef BRAMBLE_BOOT_SUMS_H
#define BRAMBLE_BOOT_SUMS_H

#include "node_manifest.h"

#include <sqlite3.h>
#include <stddef.h>

struct boot_sums {
	char **rel;	/* path below boot/ */
	char **hex;
	size_t n;
};

/* Hash the regular files under boot_dir (a staged version's boot/). */
int boot_sums_make(const char *boot_dir, struct boot_sums *s);
/* Insert s as the sums of image@ver, inside the caller's transaction. */
int boot_sums_insert(sqlite3 *db, const char *image, int ver, const struct boot_sums *s);
void boot_sums_free(struct boot_sums *s);
/* Put the stored sums of image@ver, whose boot/ is boot_dir, into hc. */
int boot_sums_load(sqlite3 *db, const char *image, int ver, const char *boot_dir,
		   struct hcache *hc);

#endif
