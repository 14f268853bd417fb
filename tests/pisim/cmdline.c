#include "cmdline.h"

#include "err.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* Field n (0-based) of a colon-separated string, newly allocated. */
static char *field(const char *s, int n)
{
	for (; n > 0 && s; n--) {
		s = strchr(s, ':');
		if (s)
			s++;
	}
	return xasprintf("%.*s", s ? (int)strcspn(s, ":") : 0, s ? s : "");
}

static uint32_t ip_field(const char *s, int n)
{
	char *f = field(s, n);
	struct in_addr a = { 0 };

	if (inet_pton(AF_INET, f, &a) != 1)
		a.s_addr = 0;
	free(f);
	return a.s_addr;
}

static int is_word(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return 1;
	return 0;
}

/* ip=<client>:<server>:<gw>:<netmask>:<host>:<dev>:<autoconf> or a single method word. */
static void parse_ip(struct bootargs *b, const char *v)
{
	static const char *const off[] = { "off", "none", NULL };
	static const char *const dyn[] = { "on", "any", "dhcp", "bootp", "rarp", "both", NULL };
	char *autoconf = field(v, 6);

	if (!strchr(v, ':')) {
		b->ip = is_word(v, off) ? IPCONF_OFF : IPCONF_DHCP;
	} else {
		b->ip_client = ip_field(v, 0);
		b->ip_server = ip_field(v, 1);
		b->ip_mask = ip_field(v, 3);
		if (is_word(autoconf, dyn) || (!b->ip_client && !is_word(autoconf, off)))
			b->ip = IPCONF_DHCP;
		else
			b->ip = b->ip_client ? IPCONF_STATIC : IPCONF_OFF;
	}
	free(autoconf);
}

/* nfsroot=[<server-ip>:]<root-dir>[,<nfs-options>] */
static void parse_nfsroot(struct bootargs *b, const char *v)
{
	size_t n = strcspn(v, ",");
	char *spec = xasprintf("%.*s", (int)n, v), *colon = strchr(spec, ':');
	struct in_addr a;

	b->nfs_opts = xstrdup(v[n] ? v + n + 1 : "");
	if (colon) {
		*colon = '\0';
		if (inet_pton(AF_INET, spec, &a) == 1) {
			b->nfs_server = xstrdup(spec);
			b->nfs_path = xstrdup(colon + 1);
			free(spec);
			return;
		}
		*colon = ':';
	}
	b->nfs_path = spec;
}

void bootargs_parse(const char *cmdline, struct bootargs *b)
{
	char *line = xasprintf("%.*s", (int)strcspn(cmdline, "\n"), cmdline), *save = NULL;

	memset(b, 0, sizeof *b);
	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		/* the kernel keeps the last of repeated parameters */
		if (!strncmp(t, "root=", 5)) {
			free(b->root);
			b->root = xstrdup(t + 5);
		} else if (!strncmp(t, "nfsroot=", 8)) {
			free(b->nfsroot);
			free(b->nfs_server);
			free(b->nfs_path);
			free(b->nfs_opts);
			b->nfs_server = NULL;
			b->nfsroot = xstrdup(t + 8);
			parse_nfsroot(b, t + 8);
		} else if (!strncmp(t, "ip=", 3)) {
			parse_ip(b, t + 3);
		}
	}
	free(line);
}

static int has_opt(const char *opts, const char *const *any)
{
	char *copy = xstrdup(opts), *save = NULL;
	int found = 0;

	for (char *t = strtok_r(copy, ",", &save); t && !found; t = strtok_r(NULL, ",", &save))
		found = is_word(t, any);
	free(copy);
	return found;
}

int bootargs_check(const struct bootargs *b, int initramfs)
{
	static const char *const v3[] = { "vers=3", "nfsvers=3", "v3", NULL };
	static const char *const tcp[] = { "tcp", "proto=tcp", NULL };

	if (!b->nfsroot)
		return err_set("cmdline.txt has no nfsroot=: add nfsroot=SERVER:/EXPORT,vers=3,tcp");
	if (!b->root || strcmp(b->root, "/dev/nfs"))
		return err_set("cmdline.txt has root=%s: the kernel mounts nfsroot= only with "
			       "root=/dev/nfs", b->root ? b->root : "(none)");
	if (!b->nfs_path[0] || b->nfs_path[0] != '/')
		return err_set("nfsroot=%s: the export path must be absolute", b->nfsroot);
	if (!has_opt(b->nfs_opts, v3))
		return err_set("nfsroot=%s lacks vers=3: the kernel then mounts NFSv2 "
			       "(fs/nfs/nfsroot.c NFS_DEF_OPTIONS) and Ganesha has no v2", b->nfsroot);
	if (!has_opt(b->nfs_opts, tcp))
		return err_set("nfsroot=%s lacks tcp: Ganesha here serves NFS over TCP only, "
			       "add tcp", b->nfsroot);
	if (b->ip == IPCONF_OFF)
		return err_set("cmdline.txt has ip=off: the kernel would not configure its "
			       "network for nfsroot");
	/* without ip= the kernel does no IP autoconfiguration; initramfs-tools defaults to DHCP */
	if (b->ip == IPCONF_ABSENT && !initramfs)
		return err_set("cmdline.txt has no ip= and no initramfs is loaded: the kernel would "
			       "not configure eth0 for nfsroot (add ip=dhcp)");
	return 0;
}

char *bootargs_nfs_path(const struct bootargs *b, const char *client_ip)
{
	const char *p = strstr(b->nfs_path, "%s");

	if (!p)
		return xstrdup(b->nfs_path);
	return xasprintf("%.*s%s%s", (int)(p - b->nfs_path), b->nfs_path, client_ip, p + 2);
}

void bootargs_free(struct bootargs *b)
{
	free(b->root);
	free(b->nfsroot);
	free(b->nfs_server);
	free(b->nfs_path);
	free(b->nfs_opts);
	memset(b, 0, sizeof *b);
}
