/*
 * Content manifests: what a node boots from, file by file, so "would a
 * reboot change this node?" is a text comparison.
 *
 *   bramble-manifest 1
 *   image bookworm@2 created=1700000000 files=812 bytes=123456789
 *   f 0644 <sha256 hex> boot/cmdline.txt
 *   l 0777 <sha256 hex of the link target> boot/9ffefdef
 *   f 0600 <sha256 hex> ident/etc/ssh/ssh_host_ed25519_key
 *
 * The image line identifies the image version the root comes from (its
 * row in the versions table; versions are immutable); "image none" when
 * the node has none. Then one line per file or symlink, sorted by path:
 * boot/ is the node's TFTP dir, ident/ its identity layer. Kind f (also
 * hardlinks into the image: same bytes, same hash) or l (symlink); mode in
 * octal. Directories are not listed. Paths run to the end of the line.
 */
#ifndef BRAMBLE_NODE_MANIFEST_H
#define BRAMBLE_NODE_MANIFEST_H

#include "node_tree.h"

#include <stdio.h>

/* SHA-256 of files by (device, inode, size, mtime): image files shared by
 * many nodes are read once per process. */
struct hcache;

struct hcache *hcache_new(void);
void hcache_free(struct hcache *hc);
/* Record a hash known from elsewhere (boot_sums) for the file at path. */
int hcache_put(struct hcache *hc, const char *path, const char *hex);
/* SHA-256 of the file at path, as lowercase hex. */
int file_sha256(const char *path, char hex[65]);

/* Manifest of the finished trees (boot may be NULL: no boot dir). */
int manifest_make(const char *image_id, const struct tree *boot, const struct tree *ident,
		  struct hcache *hc, char **out);
/*
 * Manifest of the files as they are on disk: boot_dir (NULL: none) and
 * ident_dir, under the given image line, for fsck to compare with a build.
 */
int manifest_of_dirs(const char *image_id, const char *boot_dir, const char *ident_dir,
		     struct hcache *hc, char **out);
/*
 * Print the differences from old to new, one per line: "M image OLD -> NEW",
 * then "A path", "D path", "M path" by path. Returns how many, -1 when a
 * manifest does not parse (what names it).
 */
int manifest_diff(const char *old, const char *new, const char *what, FILE *out);

#endif
