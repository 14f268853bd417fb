#include "state.h"

#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static const char *const layout[] = { "images", "objects", "nodes", "tftp", "run", "tmp" };

int state_open(struct state *st, const char *dir)
{
	const char *env = getenv("BRAMBLE_STATE");

	st->lock_fd = -1;
	st->dir = xstrdup(dir ? dir : env && *env ? env : STATE_DEFAULT_DIR);
	if (mkdir_p(st->dir, 0755) < 0)
		return err_wrap("state directory: ");
	for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) {
		char *p = state_path(st, "%s", layout[i]);
		int rc = mkdir_p(p, 0755);
		free(p);
		if (rc < 0)
			return -1;
	}
	return 0;
}

void state_close(struct state *st)
{
	state_unlock(st);
	free(st->dir);
	st->dir = NULL;
}

static int take_lock(struct state *st, int wait)
{
	char *path;

	if (st->lock_fd >= 0)
		return 0;
	path = state_path(st, "lock");
	st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (st->lock_fd < 0) {
		err_errno("cannot open lock file %s", path);
		free(path);
		return -1;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			goto fail;
		if (!wait) {
			err_set("another bramble command (an image import or a node change) holds "
				"%s: try again when it is done", path);
			goto out;
		}
		log_info("waiting for another bramble command holding %s", path);
		if (flock(st->lock_fd, LOCK_EX) < 0)
			goto fail;
	}
	free(path);
	return 0;
fail:
	err_errno("cannot lock %s", path);
out:
	close(st->lock_fd);
	st->lock_fd = -1;
	free(path);
	return -1;
}

int state_lock(struct state *st)
{
	return take_lock(st, 1);
}

int state_trylock(struct state *st)
{
	return take_lock(st, 0);
}

void state_unlock(struct state *st)
{
	if (st->lock_fd >= 0) {
		close(st->lock_fd);
		st->lock_fd = -1;
	}
}

char *state_path(const struct state *st, const char *fmt, ...)
{
	char *rel, *p;
	va_list ap;

	va_start(ap, fmt);
	rel = xvasprintf(fmt, ap);
	va_end(ap);
	p = xasprintf("%s/%s", st->dir, rel);
	free(rel);
	return p;
}
