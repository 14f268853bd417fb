#include "objstore.h"

#include "diskfull.h"
#include "err.h"
#include "filecopy.h"
#include "fsutil.h"
#include "shapipe.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Files up to this size are read once into memory: hashed, then written. */
#define SMALL (1 << 20)
#define KEYLEN SHAPIPE_LEN
/* "ab/" + 64 hex + "." + slot + NUL */
#define OBJNAME_MAX (3 + 2 * KEYLEN + 1 + 10 + 1)

struct slot {
	unsigned char key[KEYLEN];
	unsigned next;
};

struct objstore {
	char *dir;
	int dirfd;
	struct shapipe *sha;
	void *slots;		/* tsearch tree of struct slot */
	char *buf[2];		/* SMALL bytes each: one is read while the other is hashed */
	char fan_known[256];	/* fan-out dirs known to exist */
	char fan_made[256];	/* ... made since the last commit */
	char **created;		/* object names since the last commit */
	size_t ncreated, capcreated;
	struct objstore_stats stats;
	struct progress *progress;	/* bytes read, or NULL */
};

/*
 * Mark the store as a top of hierarchies (chattr +T): ext4 then spreads
 * the fan-out dirs, and with them the objects' inodes, over the disk
 * instead of packing them next to the store. Without a journal ext4 skips
 * recently freed inodes one by one from the start of a group, so an import
 * after a gc or a removed store spent a third of its time in that search
 * when every object lived in one group. A hint only: filesystems without
 * the flag (tmpfs, overlayfs) allocate as they will.
 */
static void spread_inodes(int dirfd)
{
	int flags;

	if (ioctl(dirfd, FS_IOC_GETFLAGS, &flags) == 0 && !(flags & FS_TOPDIR_FL)) {
		flags |= FS_TOPDIR_FL;
		(void)ioctl(dirfd, FS_IOC_SETFLAGS, &flags);
	}
}

int objstore_open(const char *dir, struct objstore **out)
{
	struct objstore *os;

	if (mkdir_p(dir, 0755) < 0)
		return -1;
	os = xcalloc(1, sizeof *os);
	os->dir = xstrdup(dir);
	os->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	os->sha = shapipe_new();
	os->buf[0] = xmalloc(SMALL);
	os->buf[1] = xmalloc(SMALL);
	if (os->dirfd < 0 || !os->sha) {
		err_errno("cannot open object store %s", dir);
		objstore_close(os);
		return -1;
	}
	spread_inodes(os->dirfd);
	*out = os;
	return 0;
}

/*
 * The fan-out dir of an object, made on first use: an import that fails
 * leaves the store as it found it, so it removes the dirs it made.
 */
static int fanout(struct objstore *os, const char sub[3])
{
	unsigned i = (unsigned)strtoul(sub, NULL, 16);

	if (os->fan_known[i])
		return 0;
	if (mkdirat(os->dirfd, sub, 0755) == 0)
		os->fan_made[i] = 1;
	else if (errno != EEXIST)
		return err_write("cannot create %s/%s", os->dir, sub);
	os->fan_known[i] = 1;
	return 0;
}

static int slot_cmp(const void *a, const void *b)
{
	return memcmp(((const struct slot *)a)->key, ((const struct slot *)b)->key, KEYLEN);
}

/*
 * Forget the objects created since the last commit, removing those nothing
 * links (all of them after a failure; a file replaced in staging, such as
 * the original /etc/fstab, after success) and the fan-out dirs left empty.
 */
static void sweep(struct objstore *os)
{
	for (size_t i = 0; i < os->ncreated; i++) {
		struct stat st;

		if (fstatat(os->dirfd, os->created[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_nlink == 1)
			unlinkat(os->dirfd, os->created[i], 0);
		free(os->created[i]);
	}
	os->ncreated = 0;
	for (int i = 0; i < 256; i++) {
		char sub[3];

		snprintf(sub, sizeof sub, "%02x", i);
		if (os->fan_made[i])
			unlinkat(os->dirfd, sub, AT_REMOVEDIR);	/* only when empty */
	}
	memset(os->fan_made, 0, sizeof os->fan_made);
	memset(os->fan_known, 0, sizeof os->fan_known);
}

void objstore_commit(struct objstore *os)
{
	sweep(os);
}

void objstore_close(struct objstore *os)
{
	if (!os)
		return;
	sweep(os);
	free(os->created);
	tdestroy(os->slots, free);
	if (os->dirfd >= 0)
		close(os->dirfd);
	shapipe_free(os->sha);
	free(os->buf[0]);
	free(os->buf[1]);
	free(os->dir);
	free(os);
}

void objstore_progress(struct objstore *os, struct progress *p)
{
	os->progress = p;
}

const struct objstore_stats *objstore_stats(const struct objstore *os)
{
	return &os->stats;
}

static void put64(struct shapipe *md, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	shapipe_update(md, b, sizeof b, 0);
}

/* The metadata hardlinks share; atime and ctime are not part of a file. */
static void hash_meta(struct shapipe *md, const struct stat *st, const struct xattrs *xa)
{
	static const char magic[] = "bramble-object-1";

	shapipe_update(md, magic, sizeof magic, 0);
	put64(md, st->st_mode);
	put64(md, st->st_uid);
	put64(md, st->st_gid);
	put64(md, (uint64_t)st->st_mtim.tv_sec);
	put64(md, (uint64_t)st->st_mtim.tv_nsec);
	put64(md, (uint64_t)st->st_size);
	put64(md, xa->n);
	for (size_t i = 0; i < xa->n; i++) {
		put64(md, strlen(xa->v[i].name));
		shapipe_update(md, xa->v[i].name, strlen(xa->v[i].name), 0);
		put64(md, xa->v[i].len);
		shapipe_update(md, xa->v[i].value, xa->v[i].len, 0);
	}
}

/*
 * Hash metadata and data extents (offset, length, bytes: a sparse file and
 * its filled twin are different objects, each copied faithfully). A small
 * file's data is left in os->buf[0] for writing without a second read; a
 * big one's is written to out as it is hashed (out < 0: hash only), one
 * chunk hashed on the pipe's thread while the next is read into the other
 * buffer.
 */
static int hash_file(struct objstore *os, int fd, const char *path, const struct stat *st,
		     const struct xattrs *xa, const struct extent *ex, size_t n, int out,
		     unsigned char key[KEYLEN])
{
	int small = st->st_size <= SMALL, flip = 0;
	uint64_t data = 0;

	shapipe_init(os->sha);
	hash_meta(os->sha, st, xa);
	for (size_t i = 0; i < n; i++) {
		put64(os->sha, (uint64_t)ex[i].off);
		put64(os->sha, (uint64_t)ex[i].len);
		data += (uint64_t)ex[i].len;
		for (off_t done = 0; done < ex[i].len;) {
			off_t at = ex[i].off + done;
			size_t want = ex[i].len - done < SMALL ? (size_t)(ex[i].len - done) : SMALL;
			char *p = small ? os->buf[0] + at : os->buf[flip ^= 1];

			if (file_pread(fd, p, want, at) < 0)
				return err_errno("cannot read %s", path);
			/* a small file is hashed whole, then stored or not */
			shapipe_update(os->sha, p, want, !small);
			if (out >= 0 && file_pwrite(out, p, want, at) < 0)
				return err_write("cannot write a new object in %s for %s",
						 os->dir, path);
			done += (off_t)want;
			if (os->progress)
				progress_add(os->progress, want, 0);
		}
	}
	shapipe_final(os->sha, key);
	if (os->progress)	/* holes count as done: progress is over sizes */
		progress_add(os->progress, (uint64_t)st->st_size - data, 0);
	return 0;
}

/* The object name for key at the next free slot of this version. */
static void next_name(struct objstore *os, const unsigned char key[KEYLEN],
		      char name[OBJNAME_MAX])
{
	struct slot *s = xmalloc(sizeof *s), **found;
	char *p = name;

	memcpy(s->key, key, KEYLEN);
	s->next = 0;
	found = tsearch(s, &os->slots, slot_cmp);
	if (!found)
		abort();	/* out of memory, as xmalloc would */
	if (*found != s)
		free(s);
	p += sprintf(p, "%02x/", key[0]);
	for (int i = 0; i < KEYLEN; i++)
		p += sprintf(p, "%02x", key[i]);
	sprintf(p, ".%u", (*found)->next++);
}

static void remember(struct objstore *os, const char *name, const struct stat *st)
{
	if (os->ncreated == os->capcreated)
		os->created = xrealloc(os->created, (os->capcreated = os->capcreated ?
						     os->capcreated * 2 : 256) * sizeof *os->created);
	os->created[os->ncreated++] = xstrdup(name);
	os->stats.new_files++;
	os->stats.new_bytes += (uint64_t)st->st_size;
}

/*
 * A new object's inode, nameless until publish() links it, made in dir
 * (a fan-out dir when the name is known): ext4 allocates inodes near their
 * dir's, so spreading them keeps each search for a free inode short.
 */
static int new_object(struct objstore *os, const char *dir, const char *path)
{
	int out = openat(os->dirfd, dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

	if (out < 0)
		return err_write("cannot create a new object in %s/%s for %s", os->dir, dir, path);
	return out;
}

/*
 * Give the object out, filled with the extents ex, its size, metadata and
 * name. Only a trailing hole needs the size set: most files end in data.
 */
static int publish(struct objstore *os, int out, const char *path, const struct stat *st,
		   const struct xattrs *xa, const struct extent *ex, size_t n, const char *name)
{
	off_t end = n ? ex[n - 1].off + ex[n - 1].len : 0;
	char sub[3] = { name[0], name[1], '\0' };
	char *opath = xasprintf("%s/%s", os->dir, name);
	int rc = -1;

	if (fanout(os, sub) < 0)
		goto done;
	if (end < st->st_size && ftruncate(out, st->st_size) < 0) {
		err_write("cannot write object %s for %s", opath, path);
		goto done;
	}
	if (inode_set_meta(out, opath, st, xa) < 0)
		goto done;
	if (linkat(out, "", os->dirfd, name, AT_EMPTY_PATH) < 0 && errno != EEXIST) {
		err_write("cannot link object %s", opath);
		goto done;
	}
	remember(os, name, st);
	rc = 0;
done:
	free(opath);
	return rc;
}

/* Hash the file (writing it to out unless out < 0) and name its object. */
static int key_name(struct objstore *os, int fd, const char *path, const struct stat *st,
		    const struct xattrs *xa, const struct extent *ex, size_t n, int out,
		    char name[OBJNAME_MAX])
{
	unsigned char key[KEYLEN];

	if (hash_file(os, fd, path, st, xa, ex, n, out, key) < 0)
		return -1;
	next_name(os, key, name);
	return 0;
}

/* A small file, hashed into os->buf[0]: write it out only when new. */
static int store_small(struct objstore *os, const char *path, const struct stat *st,
		       const struct xattrs *xa, const struct extent *ex, size_t n,
		       const char *name)
{
	char sub[3] = { name[0], name[1], '\0' };
	struct stat ost;
	int out, rc = -1;

	if (fstatat(os->dirfd, name, &ost, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (fanout(os, sub) < 0 || (out = new_object(os, sub, path)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (file_pwrite(out, os->buf[0] + ex[i].off, (size_t)ex[i].len, ex[i].off) < 0) {
			err_write("cannot write a new object in %s for %s", os->dir, path);
			goto done;
		}
	rc = publish(os, out, path, st, xa, ex, n, name);
done:
	close(out);
	return rc;
}

/*
 * A big file is copied while it is hashed: one read of the source. When
 * its object exists already, the copy is dropped unnamed.
 */
static int store_big(struct objstore *os, int fd, const char *path, const struct stat *st,
		     const struct xattrs *xa, const struct extent *ex, size_t n,
		     char name[OBJNAME_MAX])
{
	struct stat ost;
	int out = new_object(os, ".", path), rc = -1;

	if (out < 0)
		return -1;
	if (key_name(os, fd, path, st, xa, ex, n, out, name) == 0)
		rc = fstatat(os->dirfd, name, &ost, AT_SYMLINK_NOFOLLOW) == 0
			     ? 0 : publish(os, out, path, st, xa, ex, n, name);
	close(out);
	return rc;
}

int objstore_link(struct objstore *os, int fd, const char *path, const struct stat *st,
		  const struct xattrs *xa, int dirfd, const char *dname)
{
	char name[OBJNAME_MAX];
	struct extent *ex;
	size_t n;
	int rc;

	if (file_extents(fd, path, st, &ex, &n) < 0)
		return -1;
	if (st->st_size > SMALL)
		rc = store_big(os, fd, path, st, xa, ex, n, name);
	else
		rc = key_name(os, fd, path, st, xa, ex, n, -1, name) < 0
			     ? -1 : store_small(os, path, st, xa, ex, n, name);
	free(ex);
	if (rc == 0 && linkat(os->dirfd, name, dirfd, dname, 0) < 0)
		rc = err_write("cannot link %s/%s to %s", os->dir, name, path);
	if (rc == 0)
		os->stats.files++;
	return rc;
}

int objstore_absorb(struct objstore *os, const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char name[OBJNAME_MAX], *tmp = NULL;
	struct xattrs xa = { 0 };
	struct extent *ex = NULL;
	struct stat st;
	size_t n;
	int rc = -1;

	if (fd < 0 || fstat(fd, &st) < 0) {
		err_errno("cannot open %s", path);
		goto out;
	}
	if (xattrs_read(fd, path, &xa) < 0 || file_extents(fd, path, &st, &ex, &n) < 0 ||
	    key_name(os, fd, path, &st, &xa, ex, n, -1, name) < 0)
		goto out;
	if (fanout(os, (char[3]){ name[0], name[1], '\0' }) < 0)
		goto out;
	if (linkat(AT_FDCWD, path, os->dirfd, name, 0) == 0) {
		remember(os, name, &st);	/* the file itself is the new object */
	} else if (errno == EEXIST) {
		tmp = xasprintf("%s.absorb", path);
		unlink(tmp);
		if (linkat(os->dirfd, name, AT_FDCWD, tmp, 0) < 0 || rename(tmp, path) < 0) {
			err_write("cannot replace %s by its stored object", path);
			unlink(tmp);
			goto out;
		}
	} else {
		err_write("cannot store %s as object %s/%s", path, os->dir, name);
		goto out;
	}
	os->stats.files++;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	xattrs_free(&xa);
	free(ex);
	free(tmp);
	return rc;
}

/* The key of the open file fd, as hex: what its object's name starts with. */
static int key_hex(struct objstore *os, int fd, const char *path, char hex[2 * KEYLEN + 1])
{
	unsigned char key[KEYLEN];
	struct xattrs xa = { 0 };
	struct extent *ex = NULL;
	struct stat st;
	size_t n;
	int rc = -1;

	if (fstat(fd, &st) < 0) {
		err_errno("cannot stat %s", path);
		goto out;
	}
	if (xattrs_read(fd, path, &xa) < 0 || file_extents(fd, path, &st, &ex, &n) < 0 ||
	    hash_file(os, fd, path, &st, &xa, ex, n, -1, key) < 0)
		goto out;
	for (int i = 0; i < KEYLEN; i++)
		sprintf(hex + 2 * i, "%02x", key[i]);
	rc = 0;
out:
	xattrs_free(&xa);
	free(ex);
	return rc;
}

int objstore_verify(struct objstore *os, const char *name, int *ok)
{
	char hex[2 * KEYLEN + 1], *path = xasprintf("%s/%s", os->dir, name);
	int fd = openat(os->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;

	if (fd < 0)
		err_errno("cannot open object %s", path);
	else if (key_hex(os, fd, path, hex) == 0)
		rc = 0;
	*ok = rc == 0 && strlen(name) > 3 + 2 * KEYLEN &&
	      strncmp(name + 3, hex, 2 * KEYLEN) == 0 && name[3 + 2 * KEYLEN] == '.';
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int objstore_adopt(struct objstore *os, const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;
	char hex[2 * KEYLEN + 1], name[OBJNAME_MAX];
	struct stat st, ost;

	if (fd < 0 || fstat(fd, &st) < 0) {
		err_errno("cannot open %s", path);
		goto out;
	}
	if (key_hex(os, fd, path, hex) < 0 || fanout(os, (char[3]){ hex[0], hex[1], '\0' }) < 0)
		goto out;
	for (unsigned slot = 0;; slot++) {
		snprintf(name, sizeof name, "%.2s/%s.%u", hex, hex, slot);
		if (fstatat(os->dirfd, name, &ost, AT_SYMLINK_NOFOLLOW) < 0)
			break;
		if (ost.st_ino == st.st_ino && ost.st_dev == st.st_dev) {
			rc = 0;		/* already linked: a repeated repair */
			goto out;
		}
	}
	if (linkat(AT_FDCWD, path, os->dirfd, name, 0) < 0) {
		err_write("cannot store %s as object %s/%s", path, os->dir, name);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int gc_sub(int dirfd, const char *sub, uint64_t *files, uint64_t *bytes)
{
	int fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? 0 : err_errno("cannot open object dir %s", sub);
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.' || fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_nlink != 1)
			continue;
		if (unlinkat(fd, e->d_name, 0) < 0) {
			err_errno("cannot remove object %s/%s", sub, e->d_name);
			closedir(d);
			return -1;
		}
		(*files)++;
		*bytes += (uint64_t)st.st_blocks * 512;
	}
	closedir(d);
	return 0;
}

int objstore_gc(const char *dir, uint64_t *files, uint64_t *bytes)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	*files = *bytes = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : err_errno("cannot open object store %s", dir);
	for (int i = 0; i < 256 && rc == 0; i++) {
		char sub[3];

		snprintf(sub, sizeof sub, "%02x", i);
		rc = gc_sub(fd, sub, files, bytes);
		if (rc == 0)
			unlinkat(fd, sub, AT_REMOVEDIR);	/* only when empty */
	}
	close(fd);
	return rc;
}
