/*
 * The control socket <state>/run/bootsrv.sock: one JSON request line in,
 * one JSON answer line out (protocol in lib/bootsrv_ctl.h). Root only:
 * the socket is mode 0600 and every peer's uid is checked (SO_PEERCRED).
 */
#include "bootsrv.h"

#include "bootsrv_ctl.h"
#include "ctl_request.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_REQUEST 65536

struct conn {
	struct daemon *d;
	int fd;
	size_t len;
	char buf[MAX_REQUEST];
};

static json_t *fail(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static json_t *services_json(struct daemon *d)
{
	return json_pack("{s:o, s:o, s:{s:I, s:I}}", "dnsmasq", dnsmasq_health(d),
			 "nfs", nfs_health(d), "dhcp_watch", "packets",
			 (json_int_t)d->dhcp_packets, "malformed", (json_int_t)d->dhcp_malformed);
}

/* Nodes with their latest boot's timeline, discovered Pis, services, shares. */
json_t *daemon_status(struct daemon *d)
{
	json_t *rows, *disc;

	watch_flush(d);
	if (!(rows = bootdb_nodes_json(d->db)) || bootdb_timelines(d->db, rows) < 0 ||
	    !(disc = bootdb_discovered_json(d->db))) {
		json_decref(rows);
		return fail(err_get());
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:O, s:b, s:s, s:s}", "ok", 1, "nodes", rows,
			 "discovered", disc, "services", services_json(d), "shares",
			 shares_status(d), "daemon", 1, "cluster", d->cfg->name,
			 "server_ip", d->cfg->server_ip);
}

/* req passed ctl_request_parse: cmd is known, its arguments typed. */
static json_t *handle(struct daemon *d, json_t *req, const char *cmd)
{
	json_t *rows;

	watch_flush(d);		/* answers and other writers see everything */
	if (!strcmp(cmd, "status"))
		return daemon_status(d);
	if (!strcmp(cmd, "discover")) {
		if (!(rows = bootdb_discovered_json(d->db)))
			return fail(err_get());
		return json_pack("{s:b, s:o}", "ok", 1, "discovered", rows);
	}
	if (!strcmp(cmd, "reload"))
		return daemon_reload(d) < 0 ? fail(err_get()) : json_pack("{s:b}", "ok", 1);
	if (!strcmp(cmd, "adopt"))
		return adopt_request(d, json_string_value(json_object_get(req, "node")),
				     json_string_value(json_object_get(req, "mac")));
	if (!strcmp(cmd, "rollout") || !strcmp(cmd, "rollback"))
		return rollout_request(d, cmd, req);
	if (!strcmp(cmd, "rollout-status"))
		return rollout_status_request(d, req);
	/* a command ctl_request.c knows and this does not: a bug here */
	return fail("internal: no handler for this command");
}

static void finish(struct conn *c, json_t *resp)
{
	char *out = json_dumps(resp, JSON_COMPACT);
	size_t len = strlen(out), off = 0;
	int flags = fcntl(c->fd, F_GETFL);
	struct timeval tv = { .tv_sec = 2 };

	/* answers are small; a client too slow to take one in 2 s loses it */
	fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	out = xrealloc(out, len + 2);
	strcpy(out + len++, "\n");
	while (off < len) {
		ssize_t n = write(c->fd, out + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(out);
	json_decref(resp);
	loop_del(&c->d->loop, c->fd);
	close(c->fd);
	free(c);
}

static void on_client(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;
	ssize_t n;
	json_t *req;
	const char *cmd;

	(void)l, (void)fd, (void)events;
	n = read(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (n > 0 && !memchr(c->buf, '\n', c->len) && c->len < sizeof c->buf - 1)
		return;		/* not a whole line yet */
	if (n <= 0 && c->len == 0) {
		finish(c, fail("empty request"));
		return;
	}
	if (ctl_request_parse(c->buf, &req, &cmd) < 0) {
		finish(c, fail(err_get()));
		return;
	}
	finish(c, handle(c->d, req, cmd));
	json_decref(req);
}

static void on_accept(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct ucred cred;
		socklen_t len = sizeof cred;
		struct conn *c = xmalloc(sizeof *c);

		c->d = d;
		c->fd = cfd;
		c->len = 0;
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
			log_warn("refused a control connection from uid %d", (int)cred.uid);
			finish(c, fail("bootsrv's control socket is for root only"));
			continue;
		}
		if (loop_add(l, cfd, EPOLLIN, on_client, c) < 0) {
			close(cfd);
			free(c);
		}
	}
}

int control_open(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = state_path(d->st, BOOTSRV_SOCK);
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		err_set("control socket path %s is too long: use a shorter state directory", path);
		free(path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);	/* a stale socket: the pid lock says no daemon owns it */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || fchmod(fd, 0600) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 16) < 0) {
		err_errno("cannot create control socket %s", path);
		if (fd >= 0)
			close(fd);
		free(path);
		return -1;
	}
	free(path);
	d->ctl_fd = fd;
	return loop_add(&d->loop, fd, EPOLLIN, on_accept, d);
}

void control_close(struct daemon *d)
{
	char *path;

	if (d->ctl_fd < 0)
		return;
	close(d->ctl_fd);
	d->ctl_fd = -1;
	path = state_path(d->st, BOOTSRV_SOCK);
	unlink(path);
	free(path);
}
