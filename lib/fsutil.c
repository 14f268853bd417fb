#include "fsutil.h"

#include "crashpoint.h"
#include "diskfull.h"
#include "err.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_p(const char *path, mode_t mode)
{
	struct stat st;
	char *p;
	int rc = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;	/* the common case: one stat, not a mkdir per component */
	p = xstrdup(path);

	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = err_errno("cannot create directory %s", p);
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

char *dir_of(const char *path)
{
	char *tmp = xstrdup(path);
	char *d = xstrdup(dirname(tmp));

	free(tmp);
	return d;
}

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return err_errno("cannot open directory %s", dir);
	rc = fsync(fd);
	close(fd);
	return rc < 0 ? err_errno("cannot sync directory %s", dir) : 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int temp_writer_gone(const char *name)
{
	const char *t = strstr(name, ".tmp.");
	char *end;
	long pid;

	while (t && strstr(t + 1, ".tmp."))
		t = strstr(t + 1, ".tmp.");
	if (!t || !t[5])
		return 0;
	errno = 0;
	pid = strtol(t + 5, &end, 10);
	if (errno || *end || pid <= 0 || pid > INT32_MAX)
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

void remove_dead_temps(const char *path, const char *dir)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, base, n) && !strncmp(e->d_name + n, ".tmp.", 5) &&
		    temp_writer_gone(e->d_name))
			unlinkat(dirfd(d), e->d_name, 0);	/* a leftover: fine if it fails */
	if (d)
		closedir(d);
}

static int sync_open(const char *dir, struct fs_sync *s)
{
	s->threaded = 0;
	s->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->fd < 0)
		return err_errno("cannot open %s", dir);
	s->dir = xstrdup(dir);
	return 0;
}

static void *sync_run(void *arg)
{
	struct fs_sync *s = arg;

	s->err = syncfs(s->fd) < 0 ? errno : 0;
	return NULL;
}

int sync_fs_begin(const char *dir, struct fs_sync *s)
{
	if (sync_open(dir, s) < 0)
		return -1;
	s->threaded = pthread_create(&s->thread, NULL, sync_run, s) == 0;
	if (!s->threaded)
		sync_run(s);	/* no thread to be had: the caller waits now */
	return 0;
}

int sync_fs_end(struct fs_sync *s)
{
	int rc = 0;

	if (s->threaded)
		pthread_join(s->thread, NULL);
	close(s->fd);
	if (s->err) {
		errno = s->err;
		rc = err_write("cannot sync %s", s->dir);
	}
	free(s->dir);
	return rc;
}

int sync_fs(const char *dir)
{
	struct fs_sync s;

	if (sync_open(dir, &s) < 0)
		return -1;
	sync_run(&s);
	return sync_fs_end(&s);
}

int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	char *dir = dir_of(path);
	int fd, rc = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		err_errno("cannot create %s", tmp);
		goto out;
	}
	if (write_all(fd, buf, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		err_errno("cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	crashpoint("atomic-write-synced");
	if (rename(tmp, path) < 0) {
		err_errno("cannot rename %s to %s", tmp, path);
		unlink(tmp);
		goto out;
	}
	rc = fsync_dir(dir);
	remove_dead_temps(path, dir);
out:
	free(tmp);
	free(dir);
	return rc;
}

int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return err_errno("cannot open %s", path);
	buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_errno("cannot read %s", path);
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return err_errno("cannot remove %s", path);
	return 0;
}

int rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_errno("cannot stat %s", path);
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
		return -1;
	return 0;
}

int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int dir_in_use(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), busy;

	if (fd < 0)
		return err_errno("cannot open %s", dir);
	busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
	close(fd);
	return busy;
}
