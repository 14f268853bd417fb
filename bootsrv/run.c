/*
 * bootsrv run: the foreground daemon. Set-up order: checks that need no
 * change (config, network, second instance), then NFS (roots mounted and
 * exported), then dnsmasq (nodes may start booting), then the watchers and
 * the control socket, then READY=1 to systemd. SIGTERM undoes it all.
 */
#include "bootsrv.h"

#include "db.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "node_edit.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define TICK_MS 250

static const char usage[] =
	"usage: bootsrv run\n"
	"\n"
	"Serve the cluster in the foreground: render and run dnsmasq (DHCP + TFTP on\n"
	"cluster.interface), mount and export every node's NFS root (NFS-Ganesha with\n"
	"rpcbind as children, or the kernel server), and watch nodes boot. Logs go to\n"
	"stderr. systemd: Type=notify.\n"
	"\n"
	"  SIGTERM, SIGINT  stop dnsmasq and the NFS server, unexport and unmount the roots\n"
	"  SIGHUP           re-read the inventory (as `imgtool node ...` asks it to)\n"
	"\n"
	"Only one bootsrv may serve a state directory; it holds <state>/run/bootsrv.pid.\n";

static int ip_in_subnet(struct in_addr a, struct in_addr net, int prefix)
{
	uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;

	return (a.s_addr & mask) == (net.s_addr & mask);
}

/* The interface exists, holds server_ip, and the DHCP range fits it. */
int check_network(const struct config *cfg)
{
	struct ifaddrs *ifa, *i;
	struct in_addr server, start, end;
	int found = 0;

	if (if_nametoindex(cfg->interface) == 0)
		return err_set("interface '%s' does not exist: set cluster.interface in "
			       "bramble.conf to the cluster network's interface", cfg->interface);
	inet_pton(AF_INET, cfg->server_ip, &server);
	if (getifaddrs(&ifa) < 0)
		return err_errno("cannot list network interfaces");
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    !strcmp(i->ifa_name, cfg->interface) &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == server.s_addr)
			found = 1;
	freeifaddrs(ifa);
	if (!found)
		return err_set("cluster.server_ip %s is not an address of interface %s: "
			       "add it (ip addr add %s/%d dev %s) or fix bramble.conf",
			       cfg->server_ip, cfg->interface, cfg->server_ip, cfg->prefix_len,
			       cfg->interface);
	if (cfg->dhcp_mode == DHCP_FULL) {
		char *s, *e;

		if (config_dhcp_range(cfg, &s, &e) < 0)
			return err_wrap("cluster.dhcp_range: ");
		inet_pton(AF_INET, s, &start);
		inet_pton(AF_INET, e, &end);
		free(s);
		free(e);
		if (ntohl(start.s_addr) > ntohl(end.s_addr))
			return err_set("cluster.dhcp_range %s: the start is after the end",
				       cfg->dhcp_range);
		if (!ip_in_subnet(start, server, cfg->prefix_len) ||
		    !ip_in_subnet(end, server, cfg->prefix_len))
			return err_set("cluster.dhcp_range %s is outside the cluster network "
				       "%s/%d: pick addresses in it", cfg->dhcp_range,
				       cfg->server_ip, cfg->prefix_len);
	}
	return 0;
}

/*
 * One daemon per state directory: an flock on <state>/run/bootsrv.pid held
 * for the daemon's life. Not the state lock: that one serializes short
 * commands, and holding it while serving would block every imgtool verb.
 */
static int take_pidlock(struct daemon *d)
{
	char *path = state_path(d->st, "run/bootsrv.pid");
	char buf[32] = "";
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		err_errno("cannot open %s", path);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);

		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		err_set("another bootsrv (pid %s) is already serving %s: stop it first",
			*buf ? buf : "?", d->st->dir);
		close(fd);
		free(path);
		return -1;
	}
	snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, strlen(buf), 0) < 0)
		log_warn("cannot write %s: %s", path, strerror(errno));
	free(path);
	d->lock_fd = fd;
	return 0;
}

static void reap(struct daemon *d)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == d->dnsmasq.pid)
			dnsmasq_reaped(d, status);
		else if (!nfs_reaped(d, pid, status) && !rollout_reaped(d, pid, status))
			log_debug("reaped unknown child %d", (int)pid);
	}
}

static void on_signal(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: shutting down", strsignal((int)si.ssi_signo));
			l->stop = 1;
			break;
		case SIGHUP:
			if (daemon_reload(d) < 0)
				log_err("reload: %s", err_get());
			break;
		case SIGCHLD:
			reap(d);
			break;
		}
	}
}

static void on_tick(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint64_t n;

	(void)l, (void)events;
	if (read(fd, &n, sizeof n) < 0)
		return;
	dnsmasq_tick(d);
	nfs_tick(d);
	watch_tick(d);
	rollout_tick(d);
	http_tick(d);
}

static const int handled[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
#define NHANDLED (sizeof handled / sizeof handled[0])

static void handled_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NHANDLED; i++)
		sigaddset(set, handled[i]);
}

static int open_signals(struct daemon *d)
{
	struct itimerspec it = { { 0, TICK_MS * 1000000L }, { 0, TICK_MS * 1000000L } };
	sigset_t set;

	handled_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a control client that hangs up early */
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_fd < 0)
		return err_errno("signalfd");
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timer_fd < 0 || timerfd_settime(d->timer_fd, 0, &it, NULL) < 0)
		return err_errno("timerfd");
	if (loop_add(&d->loop, d->sig_fd, EPOLLIN, on_signal, d) < 0 ||
	    loop_add(&d->loop, d->timer_fd, EPOLLIN, on_tick, d) < 0)
		return -1;
	return 0;
}

int daemon_reload(struct daemon *d)
{
	watch_flush(d);
	log_info("re-reading the inventory");
	shares_forget(d);
	if (nodes_load(d) < 0 || nfs_sync(d) < 0 || dnsmasq_reload(d) < 0)
		return -1;
	return 0;
}

/* Finish a node build or removal a killed imgtool left behind. */
static int reconcile(struct daemon *d)
{
	int rc;

	if (state_lock(d->st) < 0)
		return -1;
	rc = node_reconcile(d->st, d->db, d->cfg);
	state_unlock(d->st);
	return rc;
}

/*
 * What a SIGKILLed bootsrv left running on this state dir: dnsmasq and
 * rpcbind outlive it, Ganesha takes 2 s to obey its parent-death signal.
 * Each would hold its ports against ours; stop them and wait. Only after
 * the pid lock: no live bootsrv owns them then.
 */
static int stop_leftovers(struct daemon *d)
{
	if (dnsmasq_stop_leftover(d->st) < 0 || nfs_server_stop_leftovers(d->st, d->cfg) < 0)
		return err_wrap("cleaning up after an earlier bootsrv: ");
	return 0;
}

/* SQLite's page cache grows with every page the daemon touches, up to 2 MB
 * per connection by default: the boot log alone would grow bootsrv's
 * resident memory storm after storm. Its queries touch few pages. */
static int cap_db_cache(sqlite3 *db)
{
	return db_exec(db, "PRAGMA cache_size = -256");
}

/* A resumed rollout comes before dnsmasq: its first hosts file must hold
 * the nodes the rollout holds (rollout_holds). */
static int serve(struct daemon *d)
{
	char *ready;

	if (check_network(d->cfg) < 0 || take_pidlock(d) < 0 || stop_leftovers(d) < 0 ||
	    loop_init(&d->loop) < 0 || open_signals(d) < 0 || reconcile(d) < 0 ||
	    bootdb_prune(d->db) < 0 || cap_db_cache(d->db) < 0 ||
	    nodes_load(d) < 0 || rollout_resume(d) < 0 || nfs_setup(d) < 0 ||
	    dnsmasq_setup(d) < 0 || ra_watch(d) < 0 || sniff_open(d) < 0 || control_open(d) < 0 ||
	    http_open(d) < 0)
		return -1;
	log_info("serving %zu node%s", d->nnodes, d->nnodes == 1 ? "" : "s");
	ready = xasprintf("READY=1\nSTATUS=serving %zu nodes", d->nnodes);
	notify_systemd(ready);
	free(ready);
	d->ready = 1;
	return loop_run(&d->loop);
}

static void teardown(struct daemon *d)
{
	if (d->ready)
		notify_systemd("STOPPING=1");
	watch_flush(d);
	http_close(d);
	control_close(d);
	if (d->sniff_fd >= 0)
		close(d->sniff_fd);
	dnsmasq_shutdown(d);
	nfs_shutdown(d);
	rollout_close(d);
	nodes_free_all(d);
	shares_forget(d);
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	loop_free(&d->loop);
	if (d->lock_fd >= 0) {
		char *path = state_path(d->st, "run/bootsrv.pid");

		unlink(path);
		free(path);
		close(d->lock_fd);
	}
}

int cmd_run(struct ctx *ctx, int argc, char **argv)
{
	struct daemon d = { .ctx = ctx, .lock_fd = -1, .sig_fd = -1, .timer_fd = -1,
			    .ctl_fd = -1, .sniff_fd = -1, .ra_fd = -1, .loop.epfd = -1,
			    .dnsmasq = { .name = "dnsmasq", .out = -1 } };
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1)
		return cli_usage(ctx, "run takes no arguments (see 'bootsrv run --help')");
	if (cli_need_root("bootsrv run") < 0 || !(d.cfg = ctx_config(ctx)) ||
	    !(d.st = ctx_state(ctx)) || !(d.db = ctx_db(ctx)))
		return cli_fail(ctx);
	rc = serve(&d);
	if (rc < 0)
		log_err("%s", err_get());
	teardown(&d);
	return rc < 0 ? 1 : 0;
}
