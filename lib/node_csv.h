/*
 * Node lists as CSV, for bulk moves between head nodes and spreadsheets:
 *
 *   name,mac,serial,model,image,ip
 *   node01,dc:a6:32:01:02:03,9ffefdef,4,bookworm@2,10.42.0.11
 *
 * The header names the columns (any order; only name is required). Fields
 * may be quoted ("a,b", "" for a quote). Blank lines and lines starting
 * with '#' are skipped; CRLF line ends are fine.
 */
#ifndef BRAMBLE_NODE_CSV_H
#define BRAMBLE_NODE_CSV_H

#include "inventory.h"

#include <stddef.h>
#include <stdio.h>

/* One data row; absent or empty fields are NULL. */
struct node_csv_row {
	int line;
	char *name, *mac, *serial, *model, *image, *ip;
};

/* Parse text (path for messages: "path:line: ..."). */
int node_csv_read(const char *text, const char *path, struct node_csv_row **rows,
		  size_t *n);
void node_csv_rows_free(struct node_csv_row *rows, size_t n);
/* Write the header and one row per node (image as NAME@VER). */
void node_csv_write(FILE *f, const struct node *v, size_t n);

#endif
