/*
 * Service state to systemd (Type=notify): one datagram to $NOTIFY_SOCKET
 * (sd_notify(3); the protocol is systemd's documented interface, "@" leads
 * an abstract socket name). Done here rather than with libsystemd, which
 * with its compression and crypto libraries is about 1 MB of bootsrv's
 * resident memory for these two messages.
 */
#include "bootsrv.h"

#include "log.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void notify_systemd(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = path ? strlen(path) : 0;
	int fd;

	if (len == 0)
		return;		/* not run by systemd */
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path) {
		log_warn("NOTIFY_SOCKET=%s is neither a path nor an abstract socket name: "
			 "not telling systemd '%s'", path, state);
		return;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
			     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		log_warn("cannot tell systemd '%s' through %s: %s", state, path, strerror(errno));
	if (fd >= 0)
		close(fd);
}
