/*
 * Checking what admins type about nodes: names, serials, models, IPs,
 * name ranges, template variables. Each check is one function with a
 * one-line error naming the bad value and the expected form.
 */
#ifndef BRAMBLE_NODE_PARSE_H
#define BRAMBLE_NODE_PARSE_H

#include "config.h"

#include <arpa/inet.h>
#include <stddef.h>

#define SERIAL_STRLEN 9	/* 8 hex digits + NUL */
#define NODE_NAME_MAX 63
#define NODE_RANGE_MAX 4096

/* A hostname label: [a-z0-9-], 1-63, no leading or trailing '-'. */
int node_check_name(const char *name);
/* 8 hex digits (the low 32 bits the Pi uses as TFTP prefix), lower-cased. */
int node_check_serial(const char *s, char out[SERIAL_STRLEN]);
/* "3", "4", "5" or "pxe". */
int node_check_model(const char *model);
/* An IPv4 host address inside the cluster network (server_ip/prefix_len),
 * not the head's own, not the network or broadcast address. */
int node_check_ip(const struct config *cfg, const char *ip);
/* ip + k as a dotted quad; -1 when it leaves the IPv4 space. */
int node_ip_add(const char *ip, unsigned k, char out[INET_ADDRSTRLEN]);
/*
 * "node[01-16]" -> node01 ... node16 (the width of the first number pads
 * all), "node[1-3]" -> node1 ... node3, a plain name -> itself. Every name
 * is checked with node_check_name. *names is an array of *n strings.
 */
int node_range(const char *spec, char ***names, size_t *n);
void node_names_free(char **names, size_t n);

/*
 * Template variables given as K=V: K is a variable name ([A-Za-z_][A-Za-z0-9_]*)
 * that is not built in, or config.K for a config.txt setting; V is one line.
 * *key and *val are newly allocated.
 */
int node_parse_var(const char *kv, char **key, char **val);
/*
 * The vars column: "k=v\n" lines sorted by key. Set key to val (an empty
 * val removes it); returns the new text.
 */
char *node_vars_set(const char *vars, const char *key, const char *val);

#endif
