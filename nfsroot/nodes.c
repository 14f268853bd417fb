/*
 * Publishing and unpublishing many nodes in one go, with one reload of the
 * NFS server: what `imgtool node publish/unpublish` do and what bootsrv
 * does at start and after inventory changes.
 */
#include "nfsroot_int.h"

#include "crashpoint.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The named nodes (each must exist and have an image), or all of them. */
static int load_nodes(sqlite3 *db, char *const names[], size_t n, struct node **out,
		      size_t *count)
{
	if (!names)
		return inventory_list(db, out, count);
	*out = xcalloc(n ? n : 1, sizeof **out);
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = inventory_get(db, names[i], &(*out)[i]);

		if (rc == 0)
			*count = i + 1;
		if (rc == 1)
			err_set("no node named '%s' (see 'imgtool node list')", names[i]);
		if (rc == 0 && !(*out)[i].image)
			rc = err_set("node %s has no image: give it one with "
				     "'imgtool node set %s image=NAME'", names[i], names[i]);
		if (rc) {
			nodes_free(*out, *count);
			return -1;
		}
	}
	return 0;
}

static bool has_node(const struct node *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].image && strcmp(v[i].name, name) == 0)
			return true;
	return false;
}

static void say_published(struct nfs_exporter *b, const struct nfsroot *r, FILE *out)
{
	char *path = nfsroot_export_path(b->cfg, r), *clients = nfsroot_clients(b->cfg, r);

	fprintf(out, "published %s: %s:%s for %s\n", r->name, b->cfg->server_ip, path,
		clients ? clients : "?");
	err_clear();
	free(path);
	free(clients);
}

/* Unmount the roots of names whose exports are gone (after the apply). */
static int umount_all(struct nfs_exporter *b, char **names, size_t n, FILE *out)
{
	int failed = 0;

	crashpoint("nfs-unexported");	/* the roots are still mounted */
	for (size_t i = 0; i < n; i++) {
		char *mp = nfsroot_mountpoint(b->state_dir, names[i]);

		if (nfsroot_umount(mp) < 0) {
			log_err("%s: %s", names[i], err_get());
			failed++;
		} else if (out) {
			fprintf(out, "unpublished %s\n", names[i]);
		}
		free(mp);
	}
	return failed;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int nfsroot_publish_nodes(struct nfs_exporter *b, const struct state *st,
			  char *const names[], size_t n, FILE *out)
{
	struct node *nodes;
	char **listed = NULL, **gone;
	size_t count, nlisted = 0, ngone = 0;
	int failed = 0;

	if (load_nodes(b->db, names, n, &nodes, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		struct nfsroot r;

		if (!nodes[i].image) {
			log_info("%s has no image: not published", nodes[i].name);
			continue;
		}
		if (nfsroot_paths(st, &nodes[i], &r) < 0 || nfsroot_publish(b, &r) < 0) {
			log_err("%s", err_get());
			failed++;
		} else if (out) {
			say_published(b, &r, out);
		}
		nfsroot_free(&r);
	}
	/* Everything: exports of nodes gone from the inventory (or their image) go too. */
	if (!names && nfs_exporter_list(b, &listed, &nlisted) < 0)
		failed++;
	gone = xcalloc(nlisted + 1, sizeof *gone);
	for (size_t i = 0; i < nlisted; i++)
		if (!has_node(nodes, count, listed[i]) && nfs_exporter_unpublish(b, listed[i]) == 0)
			gone[ngone++] = xstrdup(listed[i]);
	nodes_free(nodes, count);
	free_names(listed, nlisted);
	/* everything: the shares' members may have changed too */
	if (!names && nfs_exporter_sync_shares(b, &(int){ 0 }) < 0) {
		log_err("%s", err_get());
		failed++;
	}
	if (nfs_exporter_apply(b) < 0) {
		free_names(gone, ngone);
		return -1;
	}
	failed += umount_all(b, gone, ngone, out);
	free_names(gone, ngone);
	return failed;
}

/* Is name among v? */
static bool listed_in(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

int nfsroot_unpublish_nodes(struct nfs_exporter *b, char *const names[], size_t n, FILE *out)
{
	struct node *nodes;
	char **listed, **targets;
	size_t count, nlisted, ntargets = 0;
	int failed = 0;

	if (inventory_list(b->db, &nodes, &count) < 0)
		return -1;
	if (nfs_exporter_list(b, &listed, &nlisted) < 0) {
		nodes_free(nodes, count);
		return -1;
	}
	targets = xcalloc(count + nlisted + n + 1, sizeof *targets);
	for (size_t i = 0; names && i < n; i++) {
		bool known = listed_in(listed, nlisted, names[i]);

		for (size_t j = 0; j < count && !known; j++)
			known = strcmp(nodes[j].name, names[i]) == 0;
		if (!known) {
			err_set("no node named '%s' (see 'imgtool node list')", names[i]);
			failed = -1;
			break;
		}
		targets[ntargets++] = xstrdup(names[i]);
	}
	for (size_t i = 0; !names && i < count; i++)
		targets[ntargets++] = xstrdup(nodes[i].name);
	for (size_t i = 0; !names && i < nlisted; i++)
		if (!listed_in(targets, ntargets, listed[i]))
			targets[ntargets++] = xstrdup(listed[i]);
	nodes_free(nodes, count);
	free_names(listed, nlisted);
	for (size_t i = 0; failed == 0 && i < ntargets; i++)
		if (nfs_exporter_unpublish(b, targets[i]) < 0)
			failed = -1;
	if (failed == 0 && nfs_exporter_apply(b) < 0)
		failed = -1;
	if (failed == 0)
		failed = umount_all(b, targets, ntargets, out);
	free_names(targets, ntargets);
	return failed;
}
