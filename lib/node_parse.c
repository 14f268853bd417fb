#include "node_parse.h"

#include "err.h"
#include "login.h"
#include "template.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int node_check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NODE_NAME_MAX || name[0] == '-' || name[n - 1] == '-')
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    name[i] != '-')
			goto bad;
	return 0;
bad:
	return err_set("'%s' is not a valid node name: it becomes the hostname, so use "
		       "a-z, 0-9 and '-' (not first or last), at most %d characters",
		       name, NODE_NAME_MAX);
}

int node_check_serial(const char *s, char out[SERIAL_STRLEN])
{
	size_t n = strlen(s);

	if (n == 16)
		return err_set("serial '%s' has 16 digits: give the low 8 (the Pi's TFTP "
			       "prefix), here '%s'", s, s + 8);
	if (n != 8)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			goto bad;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[8] = '\0';
	return 0;
bad:
	return err_set("'%s' is not a Pi serial: expected 8 hex digits, e.g. 9ffefdef", s);
}

int node_check_model(const char *model)
{
	static const char *const models[] = { "3", "4", "5", "pxe" };

	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
		if (!strcmp(model, models[i]))
			return 0;
	return err_set("'%s' is not a model: use 3 (Pi 3B/3B+), 4 (Pi 4/400/CM4), "
		       "5 (Pi 5/CM5) or pxe", model);
}

static int parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int node_check_ip(const struct config *cfg, const char *ip)
{
	uint32_t a, srv, mask;
	int plen = cfg->prefix_len;

	if (parse_ipv4(ip, &a) < 0)
		return err_set("'%s' is not an IPv4 address (e.g. 10.42.0.11)", ip);
	if (parse_ipv4(cfg->server_ip, &srv) < 0 || plen < 1 || plen > 30)
		return err_set("cluster.server_ip/prefix_len (%s/%d) is not a network: fix "
			       "bramble.conf", cfg->server_ip, plen);
	mask = ~(0xffffffffu >> plen);
	if ((a & mask) != (srv & mask))
		return err_set("%s is outside the cluster network %s/%d (cluster.server_ip, "
			       "cluster.prefix_len)", ip, cfg->server_ip, plen);
	if (a == srv)
		return err_set("%s is the head node's own address (cluster.server_ip)", ip);
	if ((a & ~mask) == 0 || (a & ~mask) == ~mask)
		return err_set("%s is the network or broadcast address of %s/%d", ip,
			       cfg->server_ip, plen);
	return 0;
}

int node_ip_add(const char *ip, unsigned k, char out[INET_ADDRSTRLEN])
{
	uint32_t a;
	struct in_addr b;

	if (parse_ipv4(ip, &a) < 0)
		return err_set("'%s' is not an IPv4 address (e.g. 10.42.0.11)", ip);
	if ((uint64_t)a + k > 0xffffffffu)
		return err_set("%s + %u leaves the IPv4 address space", ip, k);
	b.s_addr = htonl(a + k);
	inet_ntop(AF_INET, &b, out, INET_ADDRSTRLEN);
	return 0;
}

void node_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int range_number(const char *s, size_t len, unsigned long *out)
{
	char buf[16];
	char *end;

	if (len == 0 || len >= sizeof buf)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtoul(buf, &end, 10);
	return errno ? -1 : 0;
}

int node_range(const char *spec, char ***names, size_t *n)
{
	const char *open = strchr(spec, '['), *dash, *close;
	unsigned long lo, hi;
	char **v;

	if (!open) {
		if (node_check_name(spec) < 0)
			return -1;
		*names = xmalloc(sizeof **names);
		(*names)[0] = xstrdup(spec);
		*n = 1;
		return 0;
	}
	close = strchr(open, ']');
	dash = close ? memchr(open, '-', (size_t)(close - open)) : NULL;
	if (!close || !dash || strchr(close + 1, '[') ||
	    range_number(open + 1, (size_t)(dash - open - 1), &lo) < 0 ||
	    range_number(dash + 1, (size_t)(close - dash - 1), &hi) < 0)
		return err_set("'%s' is not a name range: expected e.g. node[01-16]", spec);
	if (lo > hi || hi - lo >= NODE_RANGE_MAX)
		return err_set("range '%s' must go up, with at most %d names", spec,
			       NODE_RANGE_MAX);
	int width = (int)(dash - open - 1);
	v = xcalloc(hi - lo + 1, sizeof *v);
	for (unsigned long i = lo; i <= hi; i++) {
		char *name = xasprintf("%.*s%0*lu%s", (int)(open - spec), spec, width, i,
				       close + 1);
		v[i - lo] = name;
		if (node_check_name(name) < 0) {
			node_names_free(v, hi - lo + 1);
			return err_wrap("range '%s': ", spec);
		}
	}
	*names = v;
	*n = hi - lo + 1;
	return 0;
}

/* login.KEY=V: a key of bramble.conf [login], for this node (lib/login.h). */
static int login_var(const char *kv, size_t klen, const char *val)
{
	char *key = xasprintf("%.*s", (int)(klen - 6), kv + 6);
	int rc = login_check(key, val);

	if (rc == 0)
		err_set("'%.*s' is not a login setting: login.user, login.password_hash or "
			"login.authorized_keys", (int)klen, kv);
	else if (rc < 0)
		err_wrap("%.*s: ", (int)klen, kv);
	free(key);
	return rc > 0 ? 0 : -1;
}

int node_parse_var(const char *kv, char **key, char **val)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : 0;
	const char *name = kv;

	if (klen > 7 && !strncmp(kv, "config.", 7))
		name = kv + 7;
	else if (klen > 6 && !strncmp(kv, "login.", 6))
		name = kv + 6;
	if (!eq || !template_name_ok(name, klen - (size_t)(name - kv)))
		return err_set("'%s' is not a variable: expected NAME=VALUE (NAME: letters, "
			       "digits, '_'), config.KEY=VALUE for config.txt or login.KEY=VALUE",
			       kv);
	if (strpbrk(eq + 1, "\n\r"))
		return err_set("variable %.*s: the value must be one line", (int)klen, kv);
	if (!strncmp(kv, "login.", 6) && login_var(kv, klen, eq + 1) < 0)
		return -1;
	*key = xasprintf("%.*s", (int)klen, kv);
	*val = xstrdup(eq + 1);
	return 0;
}

char *node_vars_set(const char *vars, const char *key, const char *val)
{
	size_t klen = strlen(key);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *line = vars ? vars : "";
	int done = !*val;	/* an empty value means: remove */

	if (!f)
		abort();
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		const char *eq = memchr(line, '=', n);
		size_t lk = eq ? (size_t)(eq - line) : n;
		int cmp = strncmp(line, key, lk < klen ? lk : klen);

		if (cmp == 0)
			cmp = lk < klen ? -1 : lk > klen ? 1 : 0;
		if (cmp >= 0 && !done) {
			fprintf(f, "%s=%s\n", key, val);
			done = 1;
		}
		if (cmp != 0 && n > 0)
			fprintf(f, "%.*s\n", (int)n, line);
		line += n + (nl != NULL);
	}
	if (!done)
		fprintf(f, "%s=%s\n", key, val);
	fclose(f);
	return out;
}
