/*
 * nfsroot: a node's NFS root. Assembles it (an overlay of the node's
 * identity layer and image version under the node's own writable state),
 * publishes it through an NFS server backend (NFS-Ganesha or the kernel
 * server), runs Ganesha and rpcbind, and checks a published root with
 * libnfs the way the node would mount it.
 *
 * Lifecycle of one node, the same for both backends:
 *   publish:    nfsroot_mount -> nfs_exporter_publish -> nfs_exporter_apply
 *   unpublish:  nfs_exporter_unpublish -> nfs_exporter_apply -> nfsroot_umount
 * The export must be gone before the umount (the server holds the overlay
 * open), and the identity layer is re-rendered only while unmounted.
 *
 * Files under <state>/run/ganesha/ (Ganesha backend):
 *   ganesha.conf          server config; includes exports.d/
 *   exports.d/<node>.conf one EXPORT block per published node
 *   shares.d/<share>.conf one EXPORT block per share with members
 *   ganesha.pid, ganesha.log, recovery/
 */
#ifndef BRAMBLE_NFSROOT_H
#define BRAMBLE_NFSROOT_H

#include "config.h"
#include "inventory.h"
#include "state.h"

#include <sqlite3.h>
#include <stdio.h>
#include <sys/types.h>

/* The paths of one node's root; every string is owned (nfsroot_free). */
struct nfsroot {
	char *name;		/* node name */
	char *ident;		/* nodes/<n>/ident: top lower layer */
	char *image_root;	/* images/<img>/<ver>/root: bottom lower layer */
	char *upper, *work;	/* nodes/<n>/state/{upper,work} */
	char *mountpoint;	/* nodes/<n>/root: the overlay, the NFS root */
	char *state_dir;	/* the state directory, canonical */
	char *client_ip;	/* the node's address; NULL when unknown */
};

/* Fill r for node n (which must have an image). */
int nfsroot_paths(const struct state *st, const struct node *n, struct nfsroot *r);
void nfsroot_free(struct nfsroot *r);

/*
 * Mount the overlay at r->mountpoint; a root already mounted with the same
 * layers is left alone. Refuses an upper dir on another filesystem than the
 * image, and unmounts again (error naming the likely cause) when the kernel
 * dropped nfs_export. A stale identity-layer origin (ident replaced instead
 * of re-rendered in place) is reset once, with a warning.
 */
int nfsroot_mount(const struct nfsroot *r);
/* Unmount; waits a few seconds for a just-unexported root to become free. */
int nfsroot_umount(const char *mountpoint);
/* 1 if an overlay is mounted there, 0 if not, -1 on error. */
int nfsroot_mounted(const char *mountpoint);
/*
 * Make the mount holding dir shared (bind it on itself first if needed), so
 * overlays mounted later reach an NFS server started in a slave mount
 * namespace. Idempotent.
 */
int nfsroot_share(const char *dir);

/*
 * Mount points at or below dir (the state directory), each once, deepest
 * first: what fsck compares with the nodes that need them. *points is an
 * array of *n strings, all to free.
 */
int nfsroot_mounts_under(const char *dir, char ***points, size_t *n);

/* The path a client mounts: "/nodes/<n>" (Ganesha) or the mountpoint (kernel). */
char *nfsroot_export_path(const struct config *cfg, const struct nfsroot *r);

/* An export backend, chosen by bramble.conf nfs_backend. */
struct nfs_exporter {
	const struct backend_kind *kind;
	const struct config *cfg;
	sqlite3 *db;		/* inventory, export ids */
	char *state_dir;	/* canonical */
	char *dir;		/* where the per-node export files live */
	char *run;		/* <state>/run/ganesha */
	char *share_dir;	/* where the share export files live */
};

int nfs_exporter_open(struct nfs_exporter *b, const struct state *st,
		     const struct config *cfg, sqlite3 *db);
void nfs_exporter_close(struct nfs_exporter *b);
/* Write the node's export entry (restricted to r->client_ip, else the
 * cluster network). Takes effect at nfs_exporter_apply. */
int nfs_exporter_publish(struct nfs_exporter *b, const struct nfsroot *r);
/* Remove the node's export entry; no entry is fine. */
int nfs_exporter_unpublish(struct nfs_exporter *b, const char *name);
/* Names with an export entry, sorted; *n of them. */
int nfs_exporter_list(struct nfs_exporter *b, char ***names, size_t *n);
/*
 * Make the server serve exactly the entries: Ganesha: SIGHUP and wait for
 * its "Reread exports complete" (a server not running is fine, it reads
 * them at start); kernel: `exportfs -ra`.
 */
int nfs_exporter_apply(struct nfs_exporter *b);

/*
 * Shares (lib/share.h): write the entry of every share with members, drop
 * the others; *changed counts entries written or removed (apply then).
 * drop_shares removes every share entry (a clean stop).
 */
int nfs_exporter_sync_shares(struct nfs_exporter *b, int *changed);
int nfs_exporter_drop_shares(struct nfs_exporter *b);
/* Open an exporter, sync the shares and apply: what the share verbs do. */
int nfsroot_apply_shares(const struct state *st, const struct config *cfg, sqlite3 *db);

/*
 * Whole-node steps. publish: mount (remounting when the layers changed,
 * e.g. a new image version) and write the export; the caller applies.
 * unpublish: remove the export, apply, unmount; a node that is not
 * published is fine. `imgtool node rm` calls nfsroot_unpublish_node before
 * deleting anything.
 */
int nfsroot_publish(struct nfs_exporter *b, const struct nfsroot *r);
int nfsroot_unpublish(struct nfs_exporter *b, const char *name, const char *mountpoint);
int nfsroot_unpublish_node(const struct state *st, const struct config *cfg,
			   sqlite3 *db, const char *name);

/*
 * Many nodes, one reload: what `imgtool node publish/unpublish` and bootsrv
 * (at start, after inventory changes) do. names == NULL means every node:
 * publish then also drops exports of nodes gone from the inventory (or
 * left without an image). Named nodes must exist (publish: and have an
 * image), else nothing is done. A node that fails is logged and the rest
 * go on. One line per node done goes to out (NULL: none). Returns the
 * number of nodes that failed, -1 (err set) when nothing could be done.
 */
int nfsroot_publish_nodes(struct nfs_exporter *b, const struct state *st,
			  char *const names[], size_t n, FILE *out);
int nfsroot_unpublish_nodes(struct nfs_exporter *b, char *const names[], size_t n, FILE *out);

/* Ganesha and rpcbind, run as children for bootsrv to supervise. */
struct nfs_server {
	pid_t rpcbind, ganesha;	/* 0 when not running */
	int mntns;		/* their mount namespace (private /run); -1 before start */
};

#define NFS_SERVER_INIT { 0, 0, -1 }

/*
 * Start whatever is not running (s->rpcbind or s->ganesha == 0) in one
 * mount namespace with a private tmpfs /run and slave propagation, then
 * wait until Ganesha answers on cfg->server_ip. Restart after a crash:
 * reap the child, zero its pid, call again (a new rpcbind restarts
 * Ganesha too, its registrations died with the old one). Ganesha gets
 * SIGTERM if the caller dies; rpcbind does not (dropping to user _rpc
 * clears the parent-death signal), so stop it with nfs_server_stop, or
 * after the caller's crash with nfs_server_stop_leftovers.
 */
int nfs_server_start(struct nfs_server *s, const struct state *st, const struct config *cfg);
/* SIGTERM Ganesha, then rpcbind; wait for both (SIGKILL after 10 s). */
void nfs_server_stop(struct nfs_server *s);
/*
 * Stop the Ganesha and rpcbind of this state dir that a killed caller
 * left (by their pid files and command lines), and wait until they are
 * gone; 0 also when there were none.
 */
int nfs_server_stop_leftovers(const struct state *st, const struct config *cfg);
/* Render <state>/run/ganesha/ganesha.conf (nfs_server_start does it too). */
int ganesha_write_conf(const struct state *st, const struct config *cfg);

/* Config renderers, pure (unit-tested). */
char *ganesha_conf_render(const struct config *cfg, const char *run_dir);
char *ganesha_export_render(const char *name, unsigned id, const char *path,
			    const char *client);
char *kernel_export_render(const char *name, unsigned id, const char *path,
			   const char *client);
struct share;
/* A share's entry; clients "a, b" (addresses or one CIDR). */
char *ganesha_share_render(const struct share *s, const char *clients);
char *kernel_share_render(const struct share *s, const char *clients);
/* The clients an export admits: the node's address, else the cluster
 * network (server_ip/prefix_len as a CIDR). Newly allocated. */
char *nfsroot_clients(const struct config *cfg, const struct nfsroot *r);

/*
 * Mount server:export with libnfs (v3, TCP, as the node does) and check
 * the root: /sbin/init resolves to an executable, /etc/hostname is the
 * node's name (and /etc/machine-id the identity layer's), a written file
 * lands in r->upper and nowhere else. Prints one line per problem to out;
 * returns the number of problems.
 */
int nfsroot_verify(const struct nfsroot *r, const char *server, const char *export,
		   FILE *out);

#endif
