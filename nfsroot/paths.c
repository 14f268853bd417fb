/* Where a node's root lives, and who may mount it. */
#include "nfsroot_int.h"

#include "err.h"
#include "fsutil.h"
#include "store.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/*
 * The paths go unquoted into overlay mount options (',' and ':' separate),
 * Ganesha's config and exports(5) lines (spaces separate). Rather than
 * escape for three syntaxes, accept only characters none of them treats
 * specially.
 */
static int check_path(const char *what, const char *p)
{
	size_t bad = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			       "0123456789/._+@-");

	if (p[bad] == '\0')
		return 0;
	return err_set("%s path %s contains '%c': NFS roots need paths of letters, digits "
		       "and . _ + @ - (move the state directory)", what, p, p[bad]);
}

char *nfsroot_state_dir(const struct state *st)
{
	char *real = realpath(st->dir, NULL);

	if (!real) {
		err_errno("cannot resolve state directory %s", st->dir);
		return NULL;
	}
	if (check_path("state directory", real) < 0) {
		free(real);
		return NULL;
	}
	return real;
}

char *nfsroot_mountpoint(const char *state_dir, const char *name)
{
	return xasprintf("%s/nodes/%s/root", state_dir, name);
}

int nfsroot_paths(const struct state *st, const struct node *n, struct nfsroot *r)
{
	char *dir, *ver;

	memset(r, 0, sizeof *r);
	if (!n->image)
		return err_set("node %s has no image: give it one with "
			       "'imgtool node set %s image=NAME'", n->name, n->name);
	if (!(dir = nfsroot_state_dir(st)))
		return -1;
	r->state_dir = dir;
	r->name = xstrdup(n->name);
	r->ident = xasprintf("%s/nodes/%s/ident", dir, n->name);
	r->upper = xasprintf("%s/nodes/%s/state/upper", dir, n->name);
	r->work = xasprintf("%s/nodes/%s/state/work", dir, n->name);
	r->mountpoint = nfsroot_mountpoint(dir, n->name);
	ver = store_version_dir(st, n->image, n->ver);
	r->image_root = xasprintf("%s/root", ver);
	free(ver);
	r->client_ip = n->ip ? xstrdup(n->ip) : NULL;
	if (check_path("node", r->mountpoint) < 0 || check_path("image", r->image_root) < 0) {
		nfsroot_free(r);
		return -1;
	}
	return 0;
}

void nfsroot_free(struct nfsroot *r)
{
	free(r->name);
	free(r->ident);
	free(r->image_root);
	free(r->upper);
	free(r->work);
	free(r->mountpoint);
	free(r->state_dir);
	free(r->client_ip);
	memset(r, 0, sizeof *r);
}

char *nfsroot_export_path(const struct config *cfg, const struct nfsroot *r)
{
	if (cfg->nfs_backend == NFS_KERNEL)
		return xstrdup(r->mountpoint);
	return xasprintf(NODE_EXPORT_FMT, r->name);
}

char *nfsroot_clients(const struct config *cfg, const struct nfsroot *r)
{
	struct in_addr a;
	char buf[INET_ADDRSTRLEN];

	if (r->client_ip)
		return xstrdup(r->client_ip);
	if (inet_pton(AF_INET, cfg->server_ip, &a) != 1 || cfg->prefix_len < 1 ||
	    cfg->prefix_len > 32) {
		err_set("cannot restrict the export of %s: server_ip %s/prefix_len %d is not an "
			"IPv4 network (fix bramble.conf, or give the node an address)",
			r->name, cfg->server_ip, cfg->prefix_len);
		return NULL;
	}
	a.s_addr &= htonl(cfg->prefix_len == 32 ? ~0u : ~(~0u >> cfg->prefix_len));
	inet_ntop(AF_INET, &a, buf, sizeof buf);
	return xasprintf("%s/%d", buf, cfg->prefix_len);
}
