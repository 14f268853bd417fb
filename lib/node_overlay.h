/*
 * The template overlays: where a node's identity layer and boot files come
 * from.
 *
 * An overlay directory holds three trees:
 *   <dir>/root/...   rendered into the identity layer nodes/<n>/ident/
 *                    (mirrors the node's /: root/etc/hostname.tmpl -> /etc/hostname)
 *   <dir>/boot/...   rendered into a Pi's boot dir tftp/<mac>/ (cmdline.txt,
 *                    config.txt), over the image version's boot files
 *   <dir>/pxe/...    rendered into a PXE node's boot dir (boot.ipxe),
 *                    beside its iPXE, kernel and initrd (lib/pxe_boot.h)
 * A file named X.tmpl is a template (lib/template.h) rendered to X; any
 * other file is copied as it is, a symlink stays a symlink. Modes come
 * from the overlay file.
 *
 * The search path is $BRAMBLE_OVERLAYS if set, else paths.overlay_dirs from
 * bramble.conf (default /usr/share/bramble/overlays:/etc/bramble/overlays):
 * ':'-separated, missing directories skipped, and a later directory's file
 * replaces an earlier one's of the same output path. A binary run from
 * its build tree defaults to the repository's overlays/ instead of the
 * installed directory (lib/config.c).
 */
#ifndef BRAMBLE_NODE_OVERLAY_H
#define BRAMBLE_NODE_OVERLAY_H

#include "config.h"
#include "template.h"

#include <stddef.h>
#include <sys/types.h>

enum ovl_kind { OVL_TEMPLATE, OVL_FILE, OVL_SYMLINK };

struct ovl_file {
	char *rel;		/* output path, ".tmpl" dropped */
	char *src;		/* the overlay file, for messages */
	enum ovl_kind kind;
	mode_t mode;
	struct template *t;	/* OVL_TEMPLATE */
	char *data;		/* OVL_FILE content, OVL_SYMLINK target */
	size_t len;
};

struct overlay {
	struct ovl_file *v;	/* sorted by rel */
	size_t n;
};

/* The search path in effect (from the environment or cfg). */
const char *overlay_search_path(const struct config *cfg);
/* Load and parse the trees; template syntax errors fail here (file:line). */
int overlay_load(const struct config *cfg, struct overlay *root, struct overlay *boot,
		 struct overlay *pxe);
void overlay_free(struct overlay *o);

#endif
