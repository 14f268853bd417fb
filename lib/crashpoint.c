#include "crashpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static int named(const char *var, const char *name)
{
	const char *want = getenv(var);

	return want && strcmp(want, name) == 0;
}

/* Test-only: a failure to set up the wait just does not pause. */
static void pause_until_removed(const char *file)
{
	char buf[4096];
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), in;

	if (fd < 0)
		return;
	close(fd);
	in = inotify_init1(IN_CLOEXEC);
	/* removed before the watch is set: add_watch fails, go on at once */
	if (in >= 0 && inotify_add_watch(in, file, IN_DELETE_SELF) >= 0)
		while (read(in, buf, sizeof buf) < 0 && errno == EINTR)
			;
	if (in >= 0)
		close(in);
}

void crashpoint(const char *name)
{
	const char *file = getenv("BRAMBLE_PAUSEFILE");

	if (named("BRAMBLE_CRASHPOINT", name))
		raise(SIGKILL);
	if (file && named("BRAMBLE_PAUSEPOINT", name))
		pause_until_removed(file);
}
