#include "leftover.h"

#include "clock.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#define KILL_WAIT_MS 5000

pid_t pidfile_owner(const char *pidfile, const char *arg)
{
	char *text = NULL, *cmdline = NULL, *cpath;
	size_t len = 0;
	long pid = 0;
	int ours = 0;

	if (read_file(pidfile, &text, NULL) == 0)
		pid = strtol(text, NULL, 10);
	cpath = xasprintf("/proc/%ld/cmdline", pid);
	/* NUL-separated arguments: look for arg as one of them */
	if (pid > 0 && read_file(cpath, &cmdline, &len) == 0)
		for (size_t i = 0; i < len && !ours; i += strlen(cmdline + i) + 1)
			ours = strcmp(cmdline + i, arg) == 0;
	err_clear();	/* no pid file, or no such process: nothing left */
	free(cpath);
	free(cmdline);
	free(text);
	return ours ? (pid_t)pid : 0;
}

/* A pidfd is readable once the process exited, child of ours or not. */
static int exited_within(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n;

	while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return n > 0;
}

int leftover_stop(const char *what, const char *pidfile, const char *arg, int timeout_ms)
{
	pid_t pid = pidfile_owner(pidfile, arg);
	long long start = mono_ms();
	int fd;

	if (!pid)
		return 0;
	/* the pidfd pins this process: the pid cannot be reused under us */
	if ((fd = pidfd_open(pid, 0)) < 0)
		return errno == ESRCH ? 0 : err_errno("cannot watch %s (pid %d)", what, (int)pid);
	if (pidfile_owner(pidfile, arg) != pid) {
		close(fd);
		return 0;	/* it exited between the two looks */
	}
	log_warn("stopping %s (pid %d) left running by an earlier bootsrv", what, (int)pid);
	pidfd_send_signal(fd, SIGTERM, NULL, 0);
	if (!exited_within(fd, timeout_ms)) {
		log_warn("%s (pid %d) ignored SIGTERM for %d ms: killing it", what, (int)pid,
			 timeout_ms);
		pidfd_send_signal(fd, SIGKILL, NULL, 0);
		if (!exited_within(fd, KILL_WAIT_MS)) {
			close(fd);
			return err_set("%s (pid %d) left by an earlier bootsrv does not exit, even "
				       "on SIGKILL: find out why (cat /proc/%d/stack), then start "
				       "bootsrv again", what, (int)pid, (int)pid);
		}
	}
	close(fd);
	log_info("%s (pid %d) stopped after %lld ms", what, (int)pid, mono_ms() - start);
	return 0;
}
