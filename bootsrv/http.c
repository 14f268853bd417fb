/*
 * The status page (/), /status.json, /metrics and /sd/node_exporter (sd.c),
 * served by libmicrohttpd inside bootsrv's one event loop: MHD runs without
 * threads of its own (external polling, MHD_USE_EPOLL), its epoll fd sits in
 * our loop and MHD_run is called when that fd is readable and on every tick
 * (for its connection timeouts). Answers are built from the daemon's memory
 * and database at once; nothing here blocks.
 */
#include "bootsrv.h"

#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONN_TIMEOUT_S 10
#define MAX_CONNS 64

int http_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon = strrchr(spec, ':');
	char host[64];
	char *end;
	long port;

	memset(ss, 0, sizeof *ss);
	if (!colon || (size_t)(colon - spec) >= sizeof host)
		return err_set("'%s' is not ADDRESS:PORT ([ADDRESS]:PORT for IPv6) or off", spec);
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535)
		return err_set("'%s': the port must be a number from 1 to 65535", spec);
	snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof *a;
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1)
			return 0;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof *a;
		if (inet_pton(AF_INET, host, &a->sin_addr) == 1)
			return 0;
	}
	return err_set("'%s': '%s' is not an IP address", spec, host);
}

int http_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port :
		     ((const struct sockaddr_in *)ss)->sin_port);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body,
								  MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static char *status_text(struct daemon *d, int as_page)
{
	json_t *st = daemon_status(d);
	char *out;

	if (!json_is_true(json_object_get(st, "ok")))
		log_warn("status page: %s", json_string_value(json_object_get(st, "error")));
	out = as_page ? page_render(st) : json_dumps(st, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(st);
	return out;
}

/* A failed read is a 500, so Prometheus keeps the targets it had. */
static enum MHD_Result targets(struct MHD_Connection *conn, struct daemon *d)
{
	char *body = sd_render(d);

	if (body)
		return reply(conn, MHD_HTTP_OK, "application/json", body);
	log_warn("/sd/node_exporter: %s", err_get());
	return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
		     xasprintf("%s: see bootsrv's log\n", err_get()));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **state)
{
	struct daemon *d = cls;

	(void)version, (void)upload, (void)upload_size, (void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     xstrdup("only GET and HEAD\n"));
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8", status_text(d, 1));
	if (!strcmp(url, "/status.json"))
		return reply(conn, MHD_HTTP_OK, "application/json", status_text(d, 0));
	if (!strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
			     metrics_render(d));
	if (!strcmp(url, "/sd/node_exporter"))
		return targets(conn, d);
	return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain",
		     xstrdup("not found: try /, /status.json, /metrics or /sd/node_exporter\n"));
}

/* MHD's complaints: the last one explains a failed start. */
static char mhd_error[256];

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	vsnprintf(mhd_error, sizeof mhd_error, fmt, ap);
	mhd_error[strcspn(mhd_error, "\n")] = '\0';
	log_debug("http: %s", mhd_error);
}

static void on_http(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;

	(void)l, (void)fd, (void)events;
	MHD_run(d->http);
}

int http_open(struct daemon *d)
{
	const char *spec = d->cfg->http_listen;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	socklen_t len;

	d->http_fd = -1;
	if (!strcmp(spec, "off"))
		return 0;
	if (http_parse_listen(spec, &ss, &len) < 0)
		return err_wrap("bootsrv.http_listen: ");
	mhd_error[0] = '\0';
	d->http = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				   (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				   (uint16_t)http_port(&ss), NULL, NULL, on_request, d,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				   MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
				   MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNS,
				   MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				   MHD_OPTION_END);
	if (!d->http)
		return err_set("cannot serve the status page on %s: %s: set bootsrv.http_listen "
			       "to a free ADDRESS:PORT of this host, or off", spec,
			       *mhd_error ? mhd_error : "libmicrohttpd gave no reason");
	info = MHD_get_daemon_info(d->http, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || loop_add(&d->loop, info->epoll_fd, EPOLLIN, on_http, d) < 0) {
		MHD_stop_daemon(d->http);
		d->http = NULL;
		return err_set("cannot add the HTTP server to the event loop");
	}
	d->http_fd = info->epoll_fd;
	log_info("status page on http://%s/ (and /status.json, /metrics, /sd/node_exporter)",
		 spec);
	return 0;
}

void http_tick(struct daemon *d)
{
	if (d->http)
		MHD_run(d->http);
}

void http_close(struct daemon *d)
{
	if (!d->http)
		return;
	loop_del(&d->loop, d->http_fd);
	MHD_stop_daemon(d->http);
	d->http = NULL;
	d->http_fd = -1;
}
