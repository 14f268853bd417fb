/*
 * The node inventory: one row of the nodes table per node.
 *
 * A node is a name bound to hardware (MAC, optionally the Pi's serial) and
 * to an image version. Everything a node boots from (identity layer, TFTP
 * dir, NFS root) is derived from this record plus the templates.
 *
 * Per-node paths under the state directory:
 *   nodes/<name>/ident/          rendered identity layer (overlay lower)
 *   nodes/<name>/keep/           made once, kept across renders and board
 *                                swaps: machine-id, ssh host keys
 *   nodes/<name>/state/upper|work  the node's own writes (overlay upper)
 *   nodes/<name>/root/           overlay mount point = the NFS root
 *   tftp/<mac-dashed>/           the node's boot files
 */
#ifndef BRAMBLE_INVENTORY_H
#define BRAMBLE_INVENTORY_H

#include <sqlite3.h>
#include <stddef.h>

struct node {
	char *name;
	char *mac;	/* canonical "aa:bb:..", NULL while unbound */
	char *serial;	/* 8 lower-case hex digits, or NULL */
	char *model;	/* "3", "4", "5" or "pxe" */
	char *image;	/* NULL if none assigned */
	int ver;
	char *ip;	/* NULL in proxy mode without a fixed address */
	char *vars;	/* user template variables, "k=v\n" lines */
	long long created;
};

/* The NFS export path of a node's root: "/nodes/<name>". */
#define NODE_EXPORT_FMT "/nodes/%s"

/* Load one node; 0 found, 1 not found (no error set), -1 error. */
int inventory_get(sqlite3 *db, const char *name, struct node *out);
/* All nodes sorted by name; *out is an array of *n nodes. */
int inventory_list(sqlite3 *db, struct node **out, size_t *n);
/* Node bound to a MAC (canonical form); 0 found, 1 not found, -1 error. */
int inventory_by_mac(sqlite3 *db, const char *mac, struct node *out);
void node_free(struct node *n);
void nodes_free(struct node *v, size_t n);
/* Call fn for each of n's user variables, in the order they were set. */
void node_each_var(const struct node *n,
		   void (*fn)(const char *key, const char *value, void *arg), void *arg);

#endif
