/*
 * The template variables of one node (README.md, "Templates", lists them):
 * its inventory row, the cluster settings, the list of all nodes, its
 * kept machine-id, its image's config.txt, and the user's variables.
 */
#ifndef BRAMBLE_NODE_VARS_H
#define BRAMBLE_NODE_VARS_H

#include "config.h"
#include "inventory.h"
#include "share.h"
#include "template.h"

#include <stddef.h>

struct node_env {
	const struct config *cfg;
	const struct node *all;		/* every node, for {{#each nodes}} */
	size_t nall;
	const char *machine_id;
	const char *image_config;	/* the image's config.txt without comments */
	const char *export;		/* NFS export path (NULL: NODE_EXPORT_FMT) */
	int kernel_nfsroot;		/* the image's kernel mounts an NFS root itself */
	const struct share *shares;	/* every share, for {{#each shares}} (members only) */
	size_t nshares;
};

/* A new scope (tscope_free it) with every variable of node n. */
struct tscope *node_vars(const struct node *n, const struct node_env *env);
/* Is key a built-in variable (so not a user variable's name)? */
int node_var_builtin(const char *key);

#endif
