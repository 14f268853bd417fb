/* The frame publish and unpublish share around their nfsroot calls. */
#ifndef IMGTOOL_NODE_PUBLISH_H
#define IMGTOOL_NODE_PUBLISH_H

#include "cli.h"

#include <stdbool.h>
#include <stdio.h>

/* imgtool node publish|unpublish [NAME...]; usage prints the verb's help. */
int node_publish_run(struct ctx *ctx, int argc, char **argv, int (*usage)(FILE *),
		     bool publish);

#endif
