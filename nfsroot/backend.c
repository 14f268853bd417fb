/*
 * Export backends: one file per node in a directory the server reads
 * (Ganesha's exports.d, the kernel's /etc/exports.d), then a reload. What
 * differs, the file's text and how the server is told, is in backend_kind.
 */
#include "nfsroot_int.h"

#include "crashpoint.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int write_if_changed(const char *path, const char *text)
{
	char *old = NULL;
	int same = read_file(path, &old, NULL) == 0 && strcmp(old, text) == 0;

	err_clear();
	free(old);
	if (same)
		return 0;
	return write_file_atomic(path, text, strlen(text), 0644) < 0 ? -1 : 1;
}

/* The fields and directories, without touching Ganesha's config or mounts. */
static int exporter_init(struct nfs_exporter *b, const struct state *st,
			 const struct config *cfg, sqlite3 *db)
{
	char *dir = nfsroot_state_dir(st);

	memset(b, 0, sizeof *b);
	if (!dir)
		return -1;
	b->cfg = cfg;
	b->db = db;
	b->state_dir = dir;
	b->run = xasprintf("%s/run/ganesha", dir);
	if (cfg->nfs_backend == NFS_KERNEL) {
		b->kind = &kernel_backend;
		b->dir = xstrdup(cfg->exports_dir);
		b->share_dir = xstrdup(cfg->exports_dir);
	} else {
		b->kind = &ganesha_backend;
		b->dir = xasprintf("%s/" GANESHA_EXPORTS, b->run);
		b->share_dir = xasprintf("%s/" GANESHA_SHARES, b->run);
	}
	if (mkdir_p(b->dir, 0755) < 0 || mkdir_p(b->share_dir, 0755) < 0) {
		nfs_exporter_close(b);
		return -1;
	}
	return 0;
}

int nfs_exporter_open(struct nfs_exporter *b, const struct state *st,
		     const struct config *cfg, sqlite3 *db)
{
	if (exporter_init(b, st, cfg, db) < 0)
		return -1;
	/* Ganesha may start after this: give it its config and a state dir
	 * whose later mounts reach it (nfs_server_start does the same). */
	if (b->kind == &ganesha_backend &&
	    (ganesha_write_conf(st, cfg) < 0 || nfsroot_share(b->state_dir) < 0)) {
		nfs_exporter_close(b);
		return -1;
	}
	return 0;
}

int nfsroot_apply_shares(const struct state *st, const struct config *cfg, sqlite3 *db)
{
	struct nfs_exporter b;
	int changed, rc;

	/* shares are plain directories: no mount needs to reach the server */
	if (exporter_init(&b, st, cfg, db) < 0)
		return -1;
	rc = nfs_exporter_sync_shares(&b, &changed);
	if (rc == 0 && changed)
		rc = nfs_exporter_apply(&b);
	nfs_exporter_close(&b);
	return rc < 0 ? err_wrap("exporting shares: ") : 0;
}

void nfs_exporter_close(struct nfs_exporter *b)
{
	free(b->state_dir);
	free(b->dir);
	free(b->run);
	free(b->share_dir);
	memset(b, 0, sizeof *b);
}

static char *entry_path(const struct nfs_exporter *b, const char *name)
{
	return xasprintf("%s/%s%s%s", b->dir, b->kind->prefix, name, b->kind->suffix);
}

int nfs_exporter_publish(struct nfs_exporter *b, const struct nfsroot *r)
{
	char *clients, *text, *path;
	unsigned id;
	int rc;

	if (export_id(b->db, r->name, &id) < 0 || !(clients = nfsroot_clients(b->cfg, r)))
		return -1;
	text = b->kind->render(r->name, id, r->mountpoint, clients);
	path = entry_path(b, r->name);
	rc = write_if_changed(path, text);
	free(path);
	free(text);
	free(clients);
	return rc < 0 ? -1 : 0;
}

int nfs_exporter_unpublish(struct nfs_exporter *b, const char *name)
{
	char *path = entry_path(b, name);
	int rc = 0;

	if (unlink(path) < 0 && errno != ENOENT)
		rc = err_errno("cannot remove export %s", path);
	free(path);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nfs_exporter_list(struct nfs_exporter *b, char ***names, size_t *n)
{
	size_t pre = strlen(b->kind->prefix), suf = strlen(b->kind->suffix), cap = 0;
	DIR *d = opendir(b->dir);
	struct dirent *e;

	*names = NULL;
	*n = 0;
	if (!d)
		return err_errno("cannot read %s", b->dir);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len <= pre + suf || strncmp(e->d_name, b->kind->prefix, pre) ||
		    strcmp(e->d_name + len - suf, b->kind->suffix))
			continue;
		if (*n == cap)
			*names = xrealloc(*names, (cap = cap ? cap * 2 : 16) * sizeof **names);
		(*names)[(*n)++] = strndup(e->d_name + pre, len - pre - suf);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof **names, cmp_str);
	return 0;
}

int nfs_exporter_apply(struct nfs_exporter *b)
{
	return b->kind->apply(b);
}

int nfsroot_publish(struct nfs_exporter *b, const struct nfsroot *r)
{
	int m = overlay_state(r);

	if (m < 0)
		return -1;
	/* Mounted over other layers: a new image version; cycle it. */
	if (m == MOUNTED_OTHER) {
		log_info("%s: remounting over its new layers", r->name);
		if (nfsroot_unpublish(b, r->name, r->mountpoint) < 0)
			return -1;
	}
	if (nfsroot_mount(r) < 0)
		return -1;
	crashpoint("nfs-mounted");	/* mounted, not exported */
	return nfs_exporter_publish(b, r);
}

int nfsroot_unpublish(struct nfs_exporter *b, const char *name, const char *mountpoint)
{
	if (nfs_exporter_unpublish(b, name) < 0 || nfs_exporter_apply(b) < 0)
		return -1;
	crashpoint("nfs-unexported");	/* the root is still mounted */
	return nfsroot_umount(mountpoint);
}

int nfsroot_unpublish_node(const struct state *st, const struct config *cfg,
			   sqlite3 *db, const char *name)
{
	struct nfs_exporter b;
	char *mp;
	int rc;

	if (nfs_exporter_open(&b, st, cfg, db) < 0)
		return -1;
	mp = nfsroot_mountpoint(b.state_dir, name);
	rc = nfsroot_unpublish(&b, name, mp);
	free(mp);
	nfs_exporter_close(&b);
	return rc < 0 ? err_wrap("unpublishing %s: ", name) : 0;
}
