/*
 * The NFS side, through nfsroot: Ganesha and rpcbind as supervised
 * children (Ganesha backend), and every node with an image mounted and
 * exported. An inventory change publishes only the difference: new nodes,
 * nodes whose record changed (nfsroot remounts when the layers changed),
 * and removed nodes are unpublished (watch.c: nodes_load). The share
 * exports are rewritten from the database at each sync, applied when one
 * changed.
 */
#include "bootsrv.h"

#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define RESTART_GAP_MS 1000

/* What a published root depends on; a change republishes it. */
static char *signature(const struct bnode *b)
{
	const struct node *n = &b->n;

	if (!n->image)
		return NULL;
	return xasprintf("%s@%d|%s|%s|%s|%s", n->image, n->ver, n->mac ? n->mac : "",
			 n->ip ? n->ip : "", n->model ? n->model : "", n->vars ? n->vars : "");
}

int nfs_unpublish_node(struct daemon *d, struct bnode *b)
{
	struct nfsroot r;
	int rc = -1;

	if (!b->published)
		return 0;
	if (nfsroot_paths(d->st, &b->n, &r) == 0) {
		rc = nfsroot_unpublish(&d->nfs, r.name, r.mountpoint);
		nfsroot_free(&r);
	}
	if (rc < 0)
		log_err("unpublishing %s: %s", b->n.name, err_get());
	else
		log_info("%s: root unexported and unmounted", b->n.name);
	free(b->published);
	b->published = NULL;
	return rc;
}

static int publish(struct daemon *d, struct bnode *b, char *sig)
{
	struct nfsroot r;
	int rc;

	if (nfsroot_paths(d->st, &b->n, &r) < 0)
		return -1;
	rc = nfsroot_publish(&d->nfs, &r);
	if (rc == 0) {
		char *path = nfsroot_export_path(d->cfg, &r);

		log_info("%s: root %s published as %s:%s", b->n.name, r.mountpoint,
			 d->cfg->server_ip, path);
		free(path);
		free(b->published);
		b->published = sig;
	}
	nfsroot_free(&r);
	return rc;
}

int nfs_sync(struct daemon *d)
{
	int changed = 0, shares = 0;

	for (size_t i = 0; i < d->nnodes; i++) {
		struct bnode *b = &d->nodes[i];
		char *want = signature(b);

		if (b->published && want && !strcmp(b->published, want)) {
			free(want);
			continue;
		}
		if (!want) {
			nfs_unpublish_node(d, b);
			continue;
		}
		changed = 1;
		if (publish(d, b, want) < 0) {
			/* one bad node must not take the others down */
			log_err("%s: cannot publish its root: %s", b->n.name, err_get());
			free(want);
		}
	}
	/* shares follow the inventory too: a node added, removed or changed
	 * may join or leave one (a share verb has usually applied already) */
	if (nfs_exporter_sync_shares(&d->nfs, &shares) < 0)
		log_err("cannot export the shares: %s", err_get());
	else if (shares)
		log_info("share exports changed (%d entr%s)", shares, shares == 1 ? "y" : "ies");
	if ((changed || shares) && nfs_exporter_apply(&d->nfs) < 0)
		return err_wrap("applying NFS exports: ");
	return 0;
}

static int start_servers(struct daemon *d)
{
	if (d->cfg->nfs_backend != NFS_GANESHA)
		return 0;
	if (nfs_server_start(&d->nfsd, d->st, d->cfg) < 0)
		return err_wrap("starting the NFS server: ");
	d->nfs_retry_at = 0;
	return 0;
}

/*
 * Export entries a killed bootsrv left: Ganesha would export those paths
 * at start, before the overlays are mounted there, and a later reload
 * keeps serving the empty directory (nfs.md §5). Drop them all first.
 */
static int drop_stale_exports(struct daemon *d)
{
	char **names;
	size_t n;
	int rc = 0;

	if (nfs_exporter_list(&d->nfs, &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && nfs_exporter_unpublish(&d->nfs, names[i]) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	if (n)
		log_info("dropped %zu export entr%s left by an earlier run", n, n == 1 ? "y" : "ies");
	return rc;
}

/* Opening the exporter shares the state dir's mount, so overlays mounted
 * from then on reach Ganesha's mount namespace. */
int nfs_setup(struct daemon *d)
{
	d->nfsd = (struct nfs_server)NFS_SERVER_INIT;
	if (nfs_exporter_open(&d->nfs, d->st, d->cfg, d->db) < 0)
		return -1;
	d->nfs_open = 1;
	if (drop_stale_exports(d) < 0 || start_servers(d) < 0 || nfs_sync(d) < 0)
		return -1;
	return 0;
}

int nfs_reaped(struct daemon *d, pid_t pid, int status)
{
	char why[64];

	if (pid == d->nfsd.ganesha) {
		d->nfsd.ganesha = 0;
		d->ganesha_restarts++;
		log_warn("NFS-Ganesha %s: restarting it", child_status_str(status, why, sizeof why));
	} else if (pid == d->nfsd.rpcbind) {
		d->nfsd.rpcbind = 0;
		d->rpcbind_restarts++;
		log_warn("rpcbind %s: restarting it (and NFS-Ganesha with it)",
			 child_status_str(status, why, sizeof why));
	} else
		return 0;
	if (!d->nfs_retry_at)
		d->nfs_retry_at = now_ms();
	nfs_tick(d);
	return 1;
}

void nfs_tick(struct daemon *d)
{
	if (!d->nfs_retry_at || now_ms() - d->nfs_retry_at < 0)
		return;
	/* nfs_server_start restarts what is missing and waits until it serves;
	 * the exports are the files it reads at start */
	if (start_servers(d) < 0) {
		log_err("%s (retrying in %d ms)", err_get(), RESTART_GAP_MS);
		d->nfs_retry_at = now_ms() + RESTART_GAP_MS;
	} else
		log_info("NFS server serving again");
}

/*
 * Stop Ganesha first: it holds the roots open. Then drop every export
 * entry and unmount, so a clean stop leaves nothing mounted or exported.
 */
void nfs_shutdown(struct daemon *d)
{
	if (d->cfg && d->cfg->nfs_backend == NFS_GANESHA)
		nfs_server_stop(&d->nfsd);
	if (!d->nfs_open)
		return;
	for (size_t i = 0; i < d->nnodes; i++)
		if (d->nodes[i].published && nfs_exporter_unpublish(&d->nfs, d->nodes[i].n.name) < 0)
			log_err("%s", err_get());
	if (nfs_exporter_drop_shares(&d->nfs) < 0)
		log_err("%s", err_get());
	if (nfs_exporter_apply(&d->nfs) < 0)	/* kernel: exportfs; Ganesha: stopped, no-op */
		log_err("%s", err_get());
	for (size_t i = 0; i < d->nnodes; i++) {
		struct bnode *b = &d->nodes[i];
		struct nfsroot r;

		if (!b->published || nfsroot_paths(d->st, &b->n, &r) < 0)
			continue;
		if (nfsroot_umount(r.mountpoint) < 0)
			log_err("%s", err_get());
		nfsroot_free(&r);
		free(b->published);
		b->published = NULL;
	}
	nfs_exporter_close(&d->nfs);
	d->nfs_open = 0;
}

json_t *nfs_health(const struct daemon *d)
{
	int ganesha = d->cfg->nfs_backend == NFS_GANESHA;
	size_t published = 0;

	for (size_t i = 0; i < d->nnodes; i++)
		published += d->nodes[i].published != NULL;
	return json_pack("{s:s, s:s, s:i, s:i, s:I, s:I, s:I}",
			 "backend", ganesha ? "ganesha" : "kernel",
			 "state", !ganesha ? "running" :
				  d->nfsd.ganesha > 0 && d->nfsd.rpcbind > 0 ? "running" : "restarting",
			 "ganesha_pid", (int)d->nfsd.ganesha, "rpcbind_pid", (int)d->nfsd.rpcbind,
			 "ganesha_restarts", (json_int_t)d->ganesha_restarts,
			 "rpcbind_restarts", (json_int_t)d->rpcbind_restarts,
			 "published", (json_int_t)published);
}
