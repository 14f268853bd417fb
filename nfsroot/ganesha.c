/*
 * The Ganesha backend: exports.d/<node>.conf per node, applied by SIGHUP.
 * Ganesha 4.3 rereads the EXPORT blocks on HUP, adding, updating and
 * pruning exports (reference nfs.md §3), and logs "Reread exports
 * complete" when done; we wait for that line so that a caller may unmount
 * a root right after unpublishing it, or a node may mount right after
 * publishing.
 */
#include "nfsroot_int.h"

#include "err.h"
#include "fsutil.h"
#include "leftover.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RELOAD_DONE "Reread exports complete"
#define RELOAD_WAIT_MS 5000

/*
 * The pid of the Ganesha that wrote run/ganesha.pid, 0 if it is not
 * running. A stale pid file may name some other process by now, even
 * another Ganesha: ours is the one started with our config file.
 */
static pid_t running_pid(const char *run)
{
	char *path = xasprintf("%s/" GANESHA_PID, run), *conf = xasprintf("%s/" GANESHA_CONF, run);
	pid_t pid = pidfile_owner(path, conf);

	free(conf);
	free(path);
	return pid;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Does the log hold needle after offset from? */
static bool log_has(const char *log, off_t from, const char *needle)
{
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 8192;
	char *buf;
	ssize_t n;
	bool found;

	if (fd < 0)
		return false;
	if (lseek(fd, file_size(log) < from ? 0 : from, SEEK_SET) < 0) {
		close(fd);
		return false;
	}
	buf = xmalloc(cap);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0)
		if ((len += (size_t)n) + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
	close(fd);
	buf[len] = '\0';
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

static int ganesha_apply(struct nfs_exporter *b)
{
	pid_t pid = running_pid(b->run);
	char *log;
	off_t from;
	int rc = -1;

	if (!pid) {
		log_debug("NFS-Ganesha is not running; it reads %s when it starts", b->dir);
		return 0;
	}
	log = xasprintf("%s/" GANESHA_LOG, b->run);
	from = file_size(log);
	if (kill(pid, SIGHUP) < 0) {
		err_errno("cannot signal NFS-Ganesha (pid %d) to reload its exports", (int)pid);
		goto out;
	}
	for (int waited = 0; waited < RELOAD_WAIT_MS; waited += 20) {
		if (log_has(log, from, RELOAD_DONE)) {
			rc = 0;
			goto out;
		}
		usleep(20 * 1000);
	}
	err_set("NFS-Ganesha (pid %d) did not confirm the export reload within %d s: see %s",
		(int)pid, RELOAD_WAIT_MS / 1000, log);
out:
	free(log);
	return rc;
}

const struct backend_kind ganesha_backend = {
	.name = "ganesha",
	.prefix = "",
	.suffix = ".conf",
	.render = ganesha_export_render,
	.apply = ganesha_apply,
	.share_prefix = "",
	.share_suffix = ".conf",
	.render_share = ganesha_share_render,
};
