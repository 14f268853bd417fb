/*
 * dnsmasq as bootsrv's child: render its config from bramble.conf and the
 * inventory, start it in the foreground logging to a pipe, read that log
 * (TFTP transfers go to watch.c), restart it within a second when it
 * dies, and apply inventory changes: a new hosts file and SIGHUP, or a
 * restart when dnsmasq.conf itself changed (tftp-max grows with the nodes).
 */
#include "bootsrv.h"

#include "dnsmasq_conf.h"
#include "dnsmasq_log.h"
#include "err.h"
#include "fsutil.h"
#include "leftover.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define RESTART_GAP_MS 1000	/* a crash loop restarts at most once a second */
#define DNSMASQ_CONF "run/dnsmasq.conf"
#define DNSMASQ_PID "run/dnsmasq.pid"
/*
 * TFTP is lock-step, one block per round trip, so how soon dnsmasq runs
 * after an ACK arrives sets every Pi's transfer rate. On a busy head node
 * (NFS-Ganesha serving the roots of the Pis already past TFTP, a storm's
 * worth of packets) it waits behind that work: run it ahead of ordinary
 * processes. Its own CPU use is small, so it starves nothing.
 */
#define DNSMASQ_NICE (-10)

static void on_output(struct loop *l, int fd, uint32_t events, void *arg);

/* Write conf and hosts when they changed; sets *conf_changed, *hosts_changed. */
static int render(struct daemon *d, int *conf_changed, int *hosts_changed)
{
	struct dnsmasq_paths p = { d->tftp_root, d->hosts_path, d->leases_path };
	int tftp_max = dnsmasq_tftp_max(d->cfg, d->nnodes);
	struct node *v = xcalloc(d->nnodes + 1, sizeof *v);
	char *conf, *hosts;
	int rc = 0;

	for (size_t i = 0; i < d->nnodes; i++) {
		v[i] = d->nodes[i].n;	/* shallow: the renderer only reads */
		/* a held node is left out: not "known", so its DHCP goes unanswered */
		if (rollout_holds(d, v[i].name))
			v[i].mac = NULL;
	}
	conf = dnsmasq_render_conf(d->cfg, &p, tftp_max, d->ipv6_ra);
	hosts = dnsmasq_render_hosts(d->cfg, v, d->nnodes);
	free(v);
	d->dnsmasq.nofile = dnsmasq_nofile(tftp_max);
	d->dnsmasq.nice = DNSMASQ_NICE;
	*hosts_changed = !d->hosts_text || strcmp(hosts, d->hosts_text);
	*conf_changed = !d->conf_text || strcmp(conf, d->conf_text);
	/* hosts first: a restarted dnsmasq must find the new one */
	if (*hosts_changed && write_file_atomic(d->hosts_path, hosts, strlen(hosts), 0644) < 0)
		rc = -1;
	if (rc == 0 && *conf_changed &&
	    write_file_atomic(d->conf_path, conf, strlen(conf), 0644) < 0)
		rc = -1;
	if (rc == 0) {
		free(d->conf_text);
		free(d->hosts_text);
		d->conf_text = conf;
		d->hosts_text = hosts;
	} else {
		free(conf);
		free(hosts);
	}
	return rc;
}

/*
 * dnsmasq drops root for an unprivileged user, and with it the parent-death
 * signal: a dnsmasq of a killed bootsrv lives on, holding port 67. Its pid
 * is in run/dnsmasq.pid; stop it if it still runs our config.
 */
int dnsmasq_stop_leftover(const struct state *st)
{
	char *pidf = state_path(st, DNSMASQ_PID), *conf = state_path(st, DNSMASQ_CONF);
	char *flag = xasprintf("--conf-file=%s", conf);
	int rc = leftover_stop("dnsmasq", pidf, flag, 5000);

	free(flag);
	free(conf);
	free(pidf);
	return rc;
}

static void write_pid(struct daemon *d)
{
	char *path = state_path(d->st, DNSMASQ_PID);
	char buf[32];

	snprintf(buf, sizeof buf, "%d\n", (int)d->dnsmasq.pid);
	if (write_file_atomic(path, buf, strlen(buf), 0644) < 0)
		log_warn("%s", err_get());
	free(path);
}

static int spawn(struct daemon *d)
{
	char *cflag = xasprintf("--conf-file=%s", d->conf_path);
	char *argv[] = { d->cfg->dnsmasq, cflag, "--keep-in-foreground", "--log-facility=-",
			 NULL };
	int rc;

	d->dnsmasq_up = 0;
	d->line_len = 0;
	d->last_fatal[0] = d->last_line[0] = '\0';
	rc = child_spawn(&d->dnsmasq, argv);
	free(cflag);
	if (rc == 0)
		write_pid(d);
	if (rc == 0 && loop_add(&d->loop, d->dnsmasq.out, EPOLLIN, on_output, d) < 0)
		rc = -1;
	return rc;
}

static void close_output(struct daemon *d)
{
	if (d->dnsmasq.out < 0)
		return;
	loop_del(&d->loop, d->dnsmasq.out);
	close(d->dnsmasq.out);
	d->dnsmasq.out = -1;
}

/* One line of dnsmasq's log: to watch.c, to our log at a fitting level. */
static void handle_line(struct daemon *d, const char *line)
{
	struct dnsmasq_line l;

	dnsmasq_parse_line(line, d->tftp_root, &l);
	if (!*l.msg)
		return;
	switch (l.kind) {
	case DL_STARTED:
		d->dnsmasq_up = 1;
		log_info("dnsmasq: %s", l.msg);
		return;
	case DL_FATAL:
		/* reported once, in the start-up error or the "exited" warning */
		snprintf(d->last_fatal, sizeof d->last_fatal, "%s", l.msg);
		log_debug("dnsmasq: %s", l.msg);
		return;
	case DL_TFTP_SENT:
	case DL_TFTP_FAILED:
	case DL_TFTP_NOT_FOUND:
	case DL_TFTP_ERROR:
		if (l.kind == DL_TFTP_SENT)
			metrics_tftp_sent(d, l.path);
		watch_tftp(d, &l);
		/* probes that miss and abort are normal (pi-netboot.md §3) */
		if (l.kind == DL_TFTP_ERROR && !strstr(l.msg, "Early terminate"))
			log_warn("dnsmasq: %s", l.msg);
		else
			log_debug("dnsmasq: %s", l.msg);
		return;
	case DL_READ:
	case DL_OTHER:
		/* before exiting, dnsmasq names the cause in the line before this */
		if (strcmp(l.msg, "FAILED to start up"))
			snprintf(d->last_line, sizeof d->last_line, "%s", l.msg);
		break;
	}
	/* log-dhcp is chatty: per-packet DHCP lines are debug */
	if (l.dhcp && strchr(l.msg, ' ') && l.msg[0] >= '0' && l.msg[0] <= '9')
		log_debug("dnsmasq: %s", l.msg);
	else
		log_info("dnsmasq: %s", l.msg);
}

/* Read what is there; 0 at EOF (dnsmasq gone). */
static int drain(struct daemon *d)
{
	for (;;) {
		ssize_t n = read(d->dnsmasq.out, d->line + d->line_len,
				 sizeof d->line - 1 - d->line_len);
		char *start, *nl;

		if (n < 0)
			return errno == EINTR || errno == EAGAIN ? 1 : 0;
		if (n == 0)
			return 0;
		d->line_len += (size_t)n;
		d->line[d->line_len] = '\0';
		start = d->line;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			handle_line(d, start);
			start = nl + 1;
		}
		d->line_len -= (size_t)(start - d->line);
		memmove(d->line, start, d->line_len);
		if (d->line_len == sizeof d->line - 1) {	/* overlong: cut */
			handle_line(d, d->line);
			d->line_len = 0;
		}
	}
}

static void on_output(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;

	(void)l, (void)fd, (void)events;
	if (!drain(d))
		close_output(d);
}

/* Start and wait until it says "started" (sockets bound) or dies. */
static int start_and_wait(struct daemon *d)
{
	long long deadline = now_ms() + START_TIMEOUT_MS;
	const char *why;
	int status;

	if (spawn(d) < 0)
		return -1;
	while (!d->dnsmasq_up && now_ms() < deadline) {
		struct pollfd p = { .fd = d->dnsmasq.out, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 && !drain(d))
			break;
	}
	if (d->dnsmasq_up)
		return 0;
	drain(d);
	close_output(d);
	if (waitpid(d->dnsmasq.pid, &status, WNOHANG) == d->dnsmasq.pid) {
		d->dnsmasq.pid = 0;
		d->dnsmasq.died = now_ms();
	} else
		child_stop(&d->dnsmasq, 2000);
	if (d->dnsmasq.pid > 0)
		return err_set("dnsmasq did not start within %d s: see the lines above",
			       START_TIMEOUT_MS / 1000);
	why = d->last_fatal[0] ? d->last_fatal : d->last_line;
	if (strstr(why, "Address already in use") || strstr(why, "Address in use"))
		return err_set("dnsmasq could not start: %s: another DHCP or TFTP server "
			       "(port 67/69) runs on this host; stop it", why);
	if (strstr(why, "inaccessible"))
		return err_set("dnsmasq could not start: %s: dnsmasq serves TFTP as an "
			       "unprivileged user; make %s and its parents searchable (chmod o+x)",
			       why, d->st->dir);
	return err_set("dnsmasq could not start: %s (config %s)", *why ? why : "no reason given",
		       d->conf_path);
}

int dnsmasq_setup(struct daemon *d)
{
	int conf_changed, hosts_changed;

	d->dnsmasq = (struct child){ .name = "dnsmasq", .out = -1 };
	d->tftp_root = state_path(d->st, "tftp");
	d->conf_path = state_path(d->st, DNSMASQ_CONF);
	d->hosts_path = state_path(d->st, "run/dnsmasq.hosts");
	d->leases_path = state_path(d->st, "run/dnsmasq.leases");
	/* leftovers of a killed bootsrv are stopped before (run.c): an old
	 * dnsmasq would answer ra_setup's solicitation */
	if (ra_setup(d) < 0 || render(d, &conf_changed, &hosts_changed) < 0 || start_and_wait(d) < 0)
		return -1;
	log_info("dnsmasq serving on %s (%s DHCP, TFTP root %s)", d->cfg->interface,
		 d->cfg->dhcp_mode == DHCP_PROXY ? "proxy" : "full", d->tftp_root);
	return 0;
}

int dnsmasq_reload(struct daemon *d)
{
	int conf_changed, hosts_changed;

	if (render(d, &conf_changed, &hosts_changed) < 0)
		return -1;
	if (d->dnsmasq.pid <= 0)
		return 0;	/* the restart reads the new files */
	if (conf_changed) {
		log_info("dnsmasq.conf changed: restarting dnsmasq");
		close_output(d);
		child_stop(&d->dnsmasq, 5000);
		return start_and_wait(d);
	}
	if (hosts_changed) {
		log_info("inventory changed: dnsmasq rereads %s", d->hosts_path);
		kill(d->dnsmasq.pid, SIGHUP);
	}
	return 0;
}

void dnsmasq_reaped(struct daemon *d, int status)
{
	char why[64];

	drain(d);
	close_output(d);
	d->dnsmasq.pid = 0;
	d->dnsmasq.died = now_ms();
	d->dnsmasq_up = 0;
	log_warn("dnsmasq %s%s%s: restarting it", child_status_str(status, why, sizeof why),
		 d->last_fatal[0] ? ": " : "", d->last_fatal);
	dnsmasq_tick(d);
}

void dnsmasq_tick(struct daemon *d)
{
	long long now = now_ms();

	if (d->dnsmasq.pid > 0 || !d->dnsmasq.died)
		return;
	if (now - d->dnsmasq.started < RESTART_GAP_MS && now - d->dnsmasq.died < RESTART_GAP_MS)
		return;	/* it died young: wait out the gap (next tick) */
	d->dnsmasq.restarts++;
	if (spawn(d) < 0)
		log_err("restarting dnsmasq: %s", err_get());
}

void dnsmasq_shutdown(struct daemon *d)
{
	close_output(d);
	child_stop(&d->dnsmasq, 5000);
	ra_shutdown(d);
	free(d->tftp_root);
	free(d->conf_path);
	free(d->hosts_path);
	free(d->leases_path);
	free(d->conf_text);
	free(d->hosts_text);
}

json_t *dnsmasq_health(const struct daemon *d)
{
	return json_pack("{s:s, s:i, s:I, s:i}",
			 "state", d->dnsmasq.pid > 0 && d->dnsmasq_up ? "running" :
				  d->dnsmasq.pid > 0 ? "starting" : "restarting",
			 "pid", (int)d->dnsmasq.pid,
			 "restarts", (json_int_t)d->dnsmasq.restarts,
			 "tftp_max", dnsmasq_tftp_max(d->cfg, d->nnodes));
}
