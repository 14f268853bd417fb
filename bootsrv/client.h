/* Helpers of the client verbs (status, discover, adopt). */
#ifndef BOOTSRV_CLIENT_H
#define BOOTSRV_CLIENT_H

#include "cli.h"

#include <jansson.h>
#include <stddef.h>

/* Ask the running daemon; 0 answered ok, 1 no daemon, -1 error (err set,
 * also when the daemon answered "ok": false). */
int client_ask(struct ctx *ctx, json_t *req, json_t **resp);
/* "12s ago", "5min ago", "-" for a missing time (ms since the epoch). */
const char *fmt_ago(json_t *ms, char *buf, size_t len);
/* The string member key of o, "-" when missing or empty. */
const char *jstr(json_t *o, const char *key);
int print_json(json_t *o);

#endif
