#include "config.h"

#include "err.h"
#include "login.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { K_STR, K_KEYTYPES, K_INT, K_DHCP_MODE, K_NFS_BACKEND, K_IPV4, K_PORT, K_NTP,
	     K_IPV6_RA, K_LOGIN };

struct key {
	const char *section, *name;
	enum kind kind;
	size_t off;
	const char *def;
};

#define F(field) offsetof(struct config, field)

static const struct key keys[] = {
	{ "cluster", "name",        K_STR,         F(name),        "bramble" },
	{ "cluster", "interface",   K_STR,         F(interface),   "eth1" },
	{ "cluster", "server_ip",   K_IPV4,        F(server_ip),   "10.42.0.1" },
	{ "cluster", "prefix_len",  K_INT,         F(prefix_len),  "24" },
	{ "cluster", "dhcp_mode",   K_DHCP_MODE,   F(dhcp_mode),   "proxy" },
	{ "cluster", "dhcp_range",  K_STR,         F(dhcp_range),  "" },
	{ "cluster", "nfs_backend", K_NFS_BACKEND, F(nfs_backend), "ganesha" },
	{ "cluster", "ntp_server",  K_NTP,         F(ntp_server),  "" },
	{ "cluster", "ipv6_ra",     K_IPV6_RA,     F(ipv6_ra),     "auto" },
	{ "cluster", "ssh_host_keys", K_KEYTYPES,  F(ssh_host_keys), "ed25519,ecdsa" },
	{ "login",   "user",        K_LOGIN,       F(login_user),  "" },
	{ "login",   "password_hash", K_LOGIN,     F(login_password_hash), "" },
	{ "login",   "authorized_keys", K_LOGIN,   F(login_authorized_keys), "" },
	{ "bootsrv", "http_listen", K_STR,         F(http_listen), "127.0.0.1:8042" },
	{ "bootsrv", "reboot_cmd",  K_STR,         F(reboot_cmd),  "" },
	{ "bootsrv", "tftp_max",    K_INT,         F(tftp_max),    "0" },
	{ "bootsrv", "node_exporter_port", K_PORT, F(node_exporter_port), "9100" },
	{ "paths",   "overlay_dirs", K_STR,        F(overlay_dirs),
	  BRAMBLE_DATADIR "/overlays:" BRAMBLE_SYSCONFDIR "/overlays" },
	{ "paths",   "dnsmasq",     K_STR,         F(dnsmasq),     "dnsmasq" },
	{ "paths",   "ganesha",     K_STR,         F(ganesha),     "ganesha.nfsd" },
	{ "paths",   "rpcbind",     K_STR,         F(rpcbind),     "rpcbind" },
	{ "paths",   "exports_dir", K_STR,         F(exports_dir), "/etc/exports.d" },
	{ "paths",   "exportfs",    K_STR,         F(exportfs),    "exportfs" },
	{ "paths",   "ipxe_dir",    K_STR,         F(ipxe_dir),    "/usr/lib/ipxe" },
};

#define NKEYS (sizeof keys / sizeof keys[0])

struct parse {
	struct config *cfg;
	const char *path;
	FILE *f;
	int lineno;	/* line last read: inih calls back right after reading it */
	int failed;	/* line of the first value we refused, 0 if none */
};

/* A decimal number from lo to hi into *out; -1 (no message) otherwise. */
static int number(const char *v, long lo, long hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *v == '\0' || *end || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

/*
 * NTP servers: "off", or IPv4 addresses separated by commas or blanks, kept
 * as "A,B". Names are refused: DHCP option 42 carries addresses, and
 * resolving here would freeze whatever DNS said when the config was read.
 */
static int set_ntp(char **field, const struct key *k, const char *v)
{
	char *copy = xstrdup(v), *save = NULL, *out = xstrdup("");
	struct in_addr a;

	for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		char *more;

		if (strcmp(v, "off") && inet_pton(AF_INET, t, &a) != 1) {
			err_set("%s.%s: '%s' is not an IPv4 address: DHCP option 42 carries "
				"addresses, not names; list addresses (A,B) or set off",
				k->section, k->name, t);
			free(copy);
			free(out);
			return -1;
		}
		more = xasprintf("%s%s%s", out, *out ? "," : "", t);
		free(out);
		out = more;
	}
	free(copy);
	free(*field);
	*field = out;
	return 0;
}

/* A comma-separated list of ssh host key types, each once. */
static int check_key_types(const char *v)
{
	static const char *const known[] = { "ed25519", "ecdsa", "rsa" };
	const size_t nknown = sizeof known / sizeof known[0];
	char *copy = xstrdup(v), *save = NULL;
	unsigned seen = 0;
	int rc = *v ? 0 : err_set("empty: give ed25519, ecdsa and/or rsa");

	for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
		size_t i = 0;

		while (i < nknown && strcmp(t, known[i]))
			i++;
		if (i == nknown || (seen & (1u << i)))
			rc = err_set("'%s': '%s' is %s: give ed25519, ecdsa and/or rsa, each once", v,
				     t, i == nknown ? "not an ssh host key type" : "named twice");
		else
			seen |= 1u << i;
	}
	free(copy);
	return rc;
}

static int set_value(struct config *cfg, const struct key *k, const char *v)
{
	void *field = (char *)cfg + k->off;
	struct in_addr a;

	switch (k->kind) {
	case K_KEYTYPES:
		if (check_key_types(v) < 0)
			return err_wrap("%s.%s: ", k->section, k->name);
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case K_LOGIN:
		if (login_check(k->name, v) < 0)
			return err_wrap("%s.%s: ", k->section, k->name);
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case K_IPV4:
		if (*v && inet_pton(AF_INET, v, &a) != 1)
			return err_set("%s.%s: '%s' is not an IPv4 address",
				       k->section, k->name, v);
		/* fall through */
	case K_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case K_INT:
		if (number(v, 0, 1000000, (int *)field) < 0)
			return err_set("%s.%s: '%s' is not a number", k->section, k->name, v);
		return 0;
	case K_PORT:
		if (number(v, 1, 65535, (int *)field) < 0)
			return err_set("%s.%s: '%s' is not a TCP port: give a number from 1 to 65535",
				       k->section, k->name, v);
		return 0;
	case K_DHCP_MODE:
		if (strcmp(v, "proxy") && strcmp(v, "full"))
			return err_set("%s.%s: '%s' must be proxy or full",
				       k->section, k->name, v);
		*(enum dhcp_mode *)field = strcmp(v, "full") ? DHCP_PROXY : DHCP_FULL;
		return 0;
	case K_NFS_BACKEND:
		if (strcmp(v, "ganesha") && strcmp(v, "kernel"))
			return err_set("%s.%s: '%s' must be ganesha or kernel",
				       k->section, k->name, v);
		*(enum nfs_backend *)field = strcmp(v, "kernel") ? NFS_GANESHA : NFS_KERNEL;
		return 0;
	case K_NTP:
		return set_ntp(field, k, v);
	case K_IPV6_RA:
		if (strcmp(v, "auto") && strcmp(v, "on") && strcmp(v, "off"))
			return err_set("%s.%s: '%s' must be auto, on or off",
				       k->section, k->name, v);
		*(enum ipv6_ra *)field = !strcmp(v, "on") ? RA_ON : !strcmp(v, "off") ? RA_OFF : RA_AUTO;
		return 0;
	}
	return err_set("internal: bad config key kind");
}

/* Debian's inih passes no line number to the callback, so count lines in
 * the reader we hand it. */
static char *read_line(char *buf, int size, void *user)
{
	struct parse *p = user;

	p->lineno++;
	return fgets(buf, size, p->f);
}

static int on_value(void *user, const char *section, const char *name,
		    const char *value)
{
	struct parse *p = user;

	if (p->failed)
		return 0;
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) || strcmp(keys[i].name, name))
			continue;
		if (set_value(p->cfg, &keys[i], value) == 0)
			return 1;
		err_wrap("%s:%d: ", p->path, p->lineno);
		p->failed = p->lineno;
		return 0;
	}
	err_set("%s:%d: unknown key '%s' in section [%s] (see bramble.conf(5))",
		p->path, p->lineno, name, section);
	p->failed = p->lineno;
	return 0;
}

/* A binary run from its build tree (BRAMBLE_BUILDDIR/bin) takes the
 * repository's templates instead of the installed ones, so running it
 * there needs no BRAMBLE_OVERLAYS; an installed copy lives elsewhere. */
static int in_build_tree(void)
{
	static const char bin[] = BRAMBLE_BUILDDIR "/bin/";
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return !strncmp(exe, bin, sizeof bin - 1);
}

/* Values that follow from others once the whole file is read. */
static void finish(struct config *cfg)
{
	if (!*cfg->ntp_server) {	/* default: the head itself */
		free(cfg->ntp_server);
		cfg->ntp_server = xstrdup(cfg->server_ip);
	} else if (!strcmp(cfg->ntp_server, "off")) {
		free(cfg->ntp_server);
		cfg->ntp_server = xstrdup("");
	}
}

static int load(struct config *cfg, const char *path)
{
	struct parse p = { .cfg = cfg };
	const char *env = getenv("BRAMBLE_CONFIG");
	int explicit, rc;

	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NKEYS; i++)
		if (set_value(cfg, &keys[i], keys[i].def) < 0)
			return -1;
	if (in_build_tree()) {
		free(cfg->overlay_dirs);
		cfg->overlay_dirs = xstrdup(BRAMBLE_SRCDIR "/overlays:" BRAMBLE_SYSCONFDIR "/overlays");
	}
	if (!path && env && *env)
		path = env;
	explicit = path != NULL;
	p.path = path ? path : CONFIG_DEFAULT_PATH;
	if (!explicit && access(p.path, F_OK) < 0) {
		finish(cfg);
		return 0;
	}
	if (!(p.f = fopen(p.path, "re")))
		return err_errno("cannot open config file %s", p.path);
	rc = ini_parse_stream(read_line, &p, on_value, &p);
	fclose(p.f);
	if (p.failed && rc == p.failed)	/* else a syntax error came first */
		return -1;
	if (rc > 0)
		return err_set("%s:%d: syntax error (expected 'key = value' or '[section]')",
			       p.path, rc);
	if (cfg->dhcp_mode == DHCP_FULL && !*cfg->dhcp_range)
		return err_set("%s: dhcp_mode = full needs dhcp_range = START,END", p.path);
	finish(cfg);
	return 0;
}

int config_load(struct config *cfg, const char *path)
{
	/* a refused file leaves nothing allocated: callers just exit */
	if (load(cfg, path) < 0) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

int config_dhcp_range(const struct config *cfg, char **start, char **end)
{
	const char *comma = strchr(cfg->dhcp_range, ',');
	struct in_addr a;

	if (!comma)
		return err_set("dhcp_range '%s' must be START,END", cfg->dhcp_range);
	*start = strndup(cfg->dhcp_range, (size_t)(comma - cfg->dhcp_range));
	*end = xstrdup(comma + 1);
	if (inet_pton(AF_INET, *start, &a) != 1 || inet_pton(AF_INET, *end, &a) != 1) {
		free(*start);
		free(*end);
		return err_set("dhcp_range '%s' must be two IPv4 addresses", cfg->dhcp_range);
	}
	return 0;
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].kind == K_STR || keys[i].kind == K_IPV4 || keys[i].kind == K_NTP ||
		    keys[i].kind == K_KEYTYPES || keys[i].kind == K_LOGIN)
			free(*(char **)((char *)cfg + keys[i].off));
	memset(cfg, 0, sizeof *cfg);
}
