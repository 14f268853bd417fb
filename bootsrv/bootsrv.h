/*
 * bootsrv: the head-node daemon (`bootsrv run`) and its client verbs.
 *
 * One process, one event loop (loop.c). The daemon owns dnsmasq (DHCP +
 * TFTP, dnsmasq.c) and the NFS server (nfs.c) as children, watches nodes
 * boot (sniff.c: DHCP off the wire; dnsmasq's log: TFTP; watch.c: the
 * heartbeat file) and keeps their state in the database (bootdb.c). The
 * client verbs talk to it over the control socket (control.c).
 */
#ifndef BOOTSRV_H
#define BOOTSRV_H

#include "child.h"
#include "cli.h"
#include "inventory.h"
#include "loop.h"
#include "nfsroot.h"

#include <jansson.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>

enum boot_phase { PH_OFFLINE, PH_DHCP, PH_TFTP, PH_NFS, PH_UP };

const char *phase_name(enum boot_phase p);

/* One inventory node as the daemon follows it. */
struct bnode {
	struct node n;
	char *published;	/* signature of the mounted+exported root, NULL if none */
	char *hb_path;		/* heartbeat file in the node's upper dir */
	enum boot_phase phase;
	long long since;	/* ms: phase entered */
	long long last_seen;	/* ms: last packet, transfer or heartbeat */
	long long boot_started;	/* ms: DHCP of the current boot, 0 if none */
	long long pxe_dhcp_at;	/* ms: its bootloader's latest DHCP request, 0 if none */
	long long last_boot_ms;	/* DHCP to up of the last complete boot */
	long long hb_mtime;	/* ns: heartbeat mtime last read */
	char ip[46];
	char boot_id[64];
	char image[96];		/* image@version the heartbeat reported */
};

/* Boot durations as a Prometheus histogram (metrics.c has the bounds). */
#define BOOT_BUCKETS 11
struct boot_hist {
	unsigned long long le[BOOT_BUCKETS];	/* cumulative counts per bound */
	unsigned long long count;
	double sum;				/* seconds */
};

struct MHD_Daemon;
struct rollout;

struct daemon {
	struct ctx *ctx;
	const struct config *cfg;
	struct state *st;
	sqlite3 *db;
	struct loop loop;
	int lock_fd, sig_fd, timer_fd, ctl_fd, sniff_fd;
	int ready;		/* READY=1 sent */
	/* dnsmasq */
	struct child dnsmasq;
	char *tftp_root, *conf_path, *hosts_path, *leases_path;
	char *conf_text;	/* as last written; a change needs a restart */
	char *hosts_text;	/* as last written; a change needs SIGHUP */
	int dnsmasq_up;		/* said "started" */
	char line[4096];	/* partial log line */
	size_t line_len;
	char last_fatal[512];	/* its last "dnsmasq: ..." line */
	char last_line[512];	/* its last other line */
	/* IPv6 router advertisements (ra.c) */
	int ipv6_ra;		/* dnsmasq sends them */
	int ra_added;		/* ra_ula is on the interface for them */
	int ra_fd;		/* auto: listens for other routers while we advertise */
	struct in6_addr ra_ula;
	/* NFS */
	struct nfs_exporter nfs;
	int nfs_open;
	struct nfs_server nfsd;
	unsigned rpcbind_restarts, ganesha_restarts;
	long long nfs_retry_at;	/* ms: restart the NFS children then; 0 while healthy */
	/* nodes */
	struct bnode *nodes;
	size_t nnodes;
	long long dhcp_packets, dhcp_malformed;
	int in_txn;		/* boot-state writes pending (watch.c batch) */
	/* counters since start, for /metrics (http.c) */
	long long dhcp_requests;	/* op 1 packets seen */
	long long boots, boots_failed;	/* boots started; stalled */
	long long tftp_bytes;		/* sizes of the files dnsmasq sent */
	json_t *shares;			/* share_list_json, cached (shares.c) */
	long long shares_at;		/* ms when it was made */
	struct boot_hist boot_hist;	/* DHCP-to-up durations */
	/* HTTP: status page, /status.json, /metrics, /sd/node_exporter */
	struct MHD_Daemon *http;
	int http_fd;			/* MHD's epoll fd in our loop, -1 if none */
	/* the rollout or rollback in progress (rollout.h), NULL if none */
	struct rollout *rollout;
};

/* run.c */
int cmd_run(struct ctx *ctx, int argc, char **argv);
/* Send state ("READY=1\n...") to systemd when it started us (notify.c). */
void notify_systemd(const char *state);
/* Re-read the inventory, apply it to NFS and dnsmasq (control "reload", SIGHUP). */
int daemon_reload(struct daemon *d);
/* cluster.interface exists and holds server_ip; dhcp_range fits (also `check`). */
int check_network(const struct config *cfg);
/* Unblock our signals around code that forks children without resetting the mask. */

/* dnsmasq.c */
/* Stop (and wait for) the dnsmasq a killed bootsrv left on this state dir. */
int dnsmasq_stop_leftover(const struct state *st);
int dnsmasq_setup(struct daemon *d);
int dnsmasq_reload(struct daemon *d);
void dnsmasq_reaped(struct daemon *d, int status);
void dnsmasq_tick(struct daemon *d);
void dnsmasq_shutdown(struct daemon *d);
json_t *dnsmasq_health(const struct daemon *d);

/* ra.c: decide on router advertisements, give dnsmasq a prefix for them;
 * in auto mode stop them when another router turns up (ra_watch) */
int ra_setup(struct daemon *d);
int ra_watch(struct daemon *d);
void ra_shutdown(struct daemon *d);
/* ra_probe.c: 1 if another router advertises on ifname within ms (its
 * address in from), 0 if none does, -1 if the link cannot be asked. With
 * keep, a 0 leaves the socket open in *keep for ra_read. */
int ra_probe(const char *ifname, int ms, char *from, size_t fromlen, int *keep);
/* One pending packet of that socket: 1 if it is another router's advertisement. */
int ra_read(int fd, const char *ifname, char *from, size_t fromlen);

/* nfs.c */
int nfs_setup(struct daemon *d);
/* Publish/unpublish so exactly the current nodes are served. */
int nfs_sync(struct daemon *d);
int nfs_unpublish_node(struct daemon *d, struct bnode *b);
/* 1 if pid was one of the NFS children (handled), else 0. */
int nfs_reaped(struct daemon *d, pid_t pid, int status);
void nfs_tick(struct daemon *d);
void nfs_shutdown(struct daemon *d);
json_t *nfs_health(const struct daemon *d);

/* sniff.c */
int sniff_open(struct daemon *d);

/* watch.c */
struct dhcp_info;
struct dnsmasq_line;
int nodes_load(struct daemon *d);
void nodes_free_all(struct daemon *d);
struct bnode *node_by_mac(struct daemon *d, const char *mac);
struct bnode *node_by_ip(struct daemon *d, const char *ip);
void watch_dhcp(struct daemon *d, const struct dhcp_info *p);
void watch_tftp(struct daemon *d, const struct dnsmasq_line *l);
void watch_tick(struct daemon *d);
/* Commit the batched boot-state writes; before anything else writes. */
void watch_flush(struct daemon *d);

/* bootdb.c: the boot tables (db.c migration 2) */
int bootdb_event(sqlite3 *db, const char *node, const char *mac, const char *kind,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int bootdb_save(sqlite3 *db, const struct bnode *b);
int bootdb_load(sqlite3 *db, struct bnode *b);
int bootdb_prune(sqlite3 *db);
int bootdb_discovered(sqlite3 *db, const struct dhcp_info *p);
int bootdb_undiscover(sqlite3 *db, const char *mac);
/* The newest discovered MAC (adopt without --mac); 1 if none. */
int bootdb_newest_discovered(sqlite3 *db, char *mac, size_t len);
json_t *bootdb_discovered_json(sqlite3 *db);
json_t *bootdb_nodes_json(sqlite3 *db);

/* control.c */
int control_open(struct daemon *d);
void control_close(struct daemon *d);

/* control.c: what `status --json`, /status.json and the page show */
json_t *daemon_status(struct daemon *d);

/* bootdb.c: each node object gets "timeline": {dhcp, tftp, nfs, up} (ms)
 * of its latest boot, from the boot events. */
int bootdb_timelines(sqlite3 *db, json_t *nodes);

/* http.c: the HTTP server in the event loop (bootsrv.http_listen) */
int http_open(struct daemon *d);
void http_tick(struct daemon *d);
void http_close(struct daemon *d);
/* "ADDR:PORT" or "[ADDR6]:PORT" into ss; -1 with err set. */
int http_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len);
int http_port(const struct sockaddr_storage *ss);

/* metrics.c: Prometheus text of the daemon's counters */
void metrics_boot_done(struct daemon *d, long long ms);
void metrics_tftp_sent(struct daemon *d, const char *path);
char *metrics_render(struct daemon *d);

/* sd.c: /sd/node_exporter, Prometheus http_sd targets; NULL with err set */
char *sd_render(struct daemon *d);

/*
 * shares.c: the shares with members and usage for status, page and
 * metrics (borrowed). Usage means walking the directories, so it is kept
 * for a while; an inventory reload drops it.
 */
json_t *shares_status(struct daemon *d);
void shares_forget(struct daemon *d);

/* page.c: the status page from daemon_status's object */
char *page_render(json_t *status);

/* check.c */
int cmd_check(struct ctx *ctx, int argc, char **argv);

/* client verbs */
int cmd_status(struct ctx *ctx, int argc, char **argv);
int cmd_discover(struct ctx *ctx, int argc, char **argv);
int cmd_adopt(struct ctx *ctx, int argc, char **argv);
/* The daemon's side of adopt (adopt.c). */
json_t *adopt_request(struct daemon *d, const char *node, const char *mac);

/* rollout.c, rollout_run.c: rollouts and rollbacks (rollout.h) */
int cmd_rollout(struct ctx *ctx, int argc, char **argv);
int cmd_rollback(struct ctx *ctx, int argc, char **argv);
/* Control requests: "rollout" or "rollback" (kind), and "rollout-status". */
json_t *rollout_request(struct daemon *d, const char *kind, json_t *req);
json_t *rollout_status_request(struct daemon *d, json_t *req);
/* Advance the rollout in progress (every tick). */
void rollout_tick(struct daemon *d);
/* 1 if pid was a reboot hook (handled), else 0. */
int rollout_reaped(struct daemon *d, pid_t pid, int status);
/* At start: pick up a rollout a stopped or killed daemon left running. */
int rollout_resume(struct daemon *d);
/* 1 while the rollout holds the node: rebooted, its DHCP unanswered until
 * its root is switched (dnsmasq.c leaves it out of the hosts file). */
int rollout_holds(const struct daemon *d, const char *name);
void rollout_close(struct daemon *d);

#endif
