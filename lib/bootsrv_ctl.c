#include "bootsrv_ctl.h"

#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* A reload may mount and export many roots; give it time. */
#define CALL_TIMEOUT_S 120

static int connect_sock(const struct state *st)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CALL_TIMEOUT_S };
	char *path = state_path(st, BOOTSRV_SOCK);
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		err_set("control socket path %s is too long: use a shorter --state", path);
		free(path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	free(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_errno("cannot create a socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return fd;
	close(fd);
	if (errno == ENOENT || errno == ECONNREFUSED)
		return -2;	/* no daemon */
	return err_errno("cannot reach bootsrv at %s/%s", st->dir, BOOTSRV_SOCK);
}

/*
 * The daemon may answer and hang up before reading a word (it refuses a
 * peer that is not root that way): MSG_NOSIGNAL keeps that from killing
 * us with SIGPIPE, and the answer waiting in the socket says why.
 */
static int send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)
			return 0;
		if (n <= 0)
			return err_errno("cannot send request to bootsrv");
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int bootsrv_call(const struct state *st, json_t *req, json_t **resp)
{
	json_error_t jerr;
	char *line;
	int fd, rc = -1;

	if ((fd = connect_sock(st)) == -2)
		return 1;
	if (fd < 0)
		return -1;
	line = json_dumps(req, JSON_COMPACT);
	if (send_all(fd, line, strlen(line)) == 0 && send_all(fd, "\n", 1) == 0) {
		shutdown(fd, SHUT_WR);
		*resp = json_loadfd(fd, JSON_DISABLE_EOF_CHECK, &jerr);
		if (*resp && json_is_object(*resp))
			rc = 0;
		else {
			json_decref(*resp);
			*resp = NULL;
			err_set("bootsrv sent no valid answer (%s): see its log", jerr.text);
		}
	}
	free(line);
	close(fd);
	return rc;
}

int bootsrv_notify_reload(const struct state *st)
{
	json_t *req = json_pack("{s:s}", "cmd", "reload"), *resp = NULL;
	int rc = bootsrv_call(st, req, &resp);

	json_decref(req);
	if (rc == 0 && !json_is_true(json_object_get(resp, "ok")))
		rc = err_set("bootsrv could not apply the inventory change: %s",
			     json_string_value(json_object_get(resp, "error")) ?: "unknown error");
	json_decref(resp);
	if (rc < 0)
		log_warn("%s (the change is saved; bootsrv applies it at its next reload "
			 "or start)", err_get());
	return rc < 0 ? -1 : 0;
}
