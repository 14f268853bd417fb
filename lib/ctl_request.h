/*
 * A control request line (protocol in bootsrv_ctl.h) checked before the
 * daemon acts on it: one JSON object, a known "cmd", and each argument
 * that command takes of its type. What it refuses, the daemon answers
 * with the one-line error as it is, so a client sending a string where a
 * number goes learns which key, not a puzzling default.
 */
#ifndef BRAMBLE_CTL_REQUEST_H
#define BRAMBLE_CTL_REQUEST_H

#include <jansson.h>

/*
 * Parse line (NUL-terminated; text after the object is ignored). 0: *req
 * is the request (json_decref it) and *cmd its command, pointing into it;
 * -1 with err set.
 */
int ctl_request_parse(const char *line, json_t **req, const char **cmd);

#endif
