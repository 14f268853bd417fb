#include "filecopy.h"

#include "diskfull.h"
#include "err.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define CHUNK (1 << 20)

int file_extents(int fd, const char *path, const struct stat *st,
		 struct extent **out, size_t *n)
{
	struct extent *v = NULL;
	size_t len = 0, cap = 0;
	off_t pos = 0;

	if ((off_t)st->st_blocks * 512 >= st->st_size) {
		*out = NULL;
		*n = 0;
		if (st->st_size > 0) {
			*out = xmalloc(sizeof **out);
			(*out)[0] = (struct extent){ 0, st->st_size };
			*n = 1;
		}
		return 0;
	}
	while (pos < st->st_size) {
		off_t data = lseek(fd, pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0 || (hole = lseek(fd, data, SEEK_HOLE)) < 0) {
			free(v);
			return err_errno("cannot map holes of %s", path);
		}
		if (hole > st->st_size)
			hole = st->st_size;
		if (len == cap)
			v = xrealloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
		v[len++] = (struct extent){ data, hole - data };
		pos = hole;
	}
	*out = v;
	*n = len;
	return 0;
}

int file_pread(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = pread(fd, p, len, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* the file shrank under us */
			return -1;
		}
		p += r;
		off += r;
		len -= (size_t)r;
	}
	return 0;
}

int file_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t r = pwrite(fd, p, len, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		off += r;
		len -= (size_t)r;
	}
	return 0;
}

int file_copy_data(int src, const char *spath, int dst, const char *dpath,
		   const struct extent *ex, size_t n, off_t size)
{
	char *buf = xmalloc(CHUNK);
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		for (off_t done = 0; done < ex[i].len;) {
			size_t want = ex[i].len - done < CHUNK ? (size_t)(ex[i].len - done) : CHUNK;
			off_t at = ex[i].off + done;

			if (file_pread(src, buf, want, at) < 0) {
				err_errno("cannot read %s", spath);
				goto out;
			}
			if (file_pwrite(dst, buf, want, at) < 0) {
				err_write("cannot write %s", dpath);
				goto out;
			}
			done += (off_t)want;
		}
	}
	if (ftruncate(dst, size) < 0) {
		err_write("cannot set the size of %s", dpath);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

int inode_set_meta(int fd, const char *path, const struct stat *st, const struct xattrs *xa)
{
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	int rc;

	rc = fd >= 0 ? fchown(fd, st->st_uid, st->st_gid)
		     : fchownat(AT_FDCWD, path, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return err_write("cannot set the owner of %s", path);
	/* Symlinks have no mode of their own on Linux. */
	if (!S_ISLNK(st->st_mode)) {
		rc = fd >= 0 ? fchmod(fd, st->st_mode & 07777)
			     : fchmodat(AT_FDCWD, path, st->st_mode & 07777, 0);
		if (rc < 0)
			return err_errno("cannot set the mode of %s", path);
	}
	if (xattrs_apply(fd, path, xa) < 0)
		return -1;
	rc = fd >= 0 ? futimens(fd, times)
		     : utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return err_errno("cannot set the times of %s", path);
	return 0;
}
