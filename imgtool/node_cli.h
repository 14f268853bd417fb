/*
 * Shared by imgtool's inventory verbs (node_add.c, node_set.c, ...): opening
 * the state for a change, and turning typed values into a node record.
 */
#ifndef IMGTOOL_NODE_CLI_H
#define IMGTOOL_NODE_CLI_H

#include "cli.h"
#include "inventory.h"

#include <jansson.h>

/*
 * Config, locked state and database for a verb that changes nodes; first
 * finishes what a killed command left (node_reconcile). 0 or -1 (err set).
 */
int node_cli_open(struct ctx *ctx, struct config **cfg, struct state **st, sqlite3 **db);
/*
 * Set one field of n from typed text: mac, serial, model, image
 * (NAME[@VER]), ip; an empty value clears it (not model). The values are
 * checked for form and stored canonical; -1 with a one-line error.
 */
int node_cli_field(sqlite3 *db, struct node *n, const char *key, const char *value);

/* One word for where a node stands: ready, unbound, no-image, pending, removing. */
const char *node_cli_status(const struct node *n, const char *pending);
/* The node's user variables (var.K and config.K) as a JSON object of strings. */
json_t *node_cli_vars(const struct node *n);
/* The node as a JSON object (fields of list and show; image as NAME@VER). */
json_t *node_cli_json(const struct node *n, const char *pending);

#endif
