/* The object store: slots keep equal files apart inside a version and
 * together across versions; absorb, rollback and gc keep link counts right. */
#include "fsutil.h"
#include "objstore.h"
#include "xalloc.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char tmp[] = "/tmp/bramble-objstore-XXXXXX";
static char *objects, *src, *ver;

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmp))
		return -1;
	objects = xasprintf("%s/objects", tmp);
	src = xasprintf("%s/src", tmp);
	ver = xasprintf("%s/ver", tmp);
	return mkdir(src, 0755) | mkdir(ver, 0755);
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmp);
	free(objects);
	free(src);
	free(ver);
	return 0;
}

static void put(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", src, name);
	const struct timespec t[2] = { { 1700000000, 0 }, { 1700000000, 0 } };

	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
	free(p);
}

/* Link src/name into ver/<dst> through os. */
static void link_one(struct objstore *os, const char *name, const char *dst)
{
	char *p = xasprintf("%s/%s", src, name);
	struct xattrs xa = { 0 };
	struct stat st;
	int fd = open(p, O_RDONLY), vfd = open(ver, O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0 && vfd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(objstore_link(os, fd, p, &st, &xa, vfd, dst), 0);
	close(fd);
	close(vfd);
	free(p);
}

static struct stat stat_of(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	free(p);
	return st;
}

static void slots(void **state)
{
	struct objstore *os;

	(void)state;
	put("a", "same bytes\n");
	put("b", "same bytes\n");
	assert_int_equal(objstore_open(objects, &os), 0);
	link_one(os, "a", "a1");
	link_one(os, "b", "b1");
	objstore_commit(os);
	objstore_close(os);
	/* Two independent equal files of one version: two inodes. */
	assert_true(stat_of(ver, "a1").st_ino != stat_of(ver, "b1").st_ino);
	assert_int_equal(stat_of(ver, "a1").st_nlink, 2);

	/* The next version maps them to the same two objects, in order. */
	assert_int_equal(objstore_open(objects, &os), 0);
	link_one(os, "a", "a2");
	link_one(os, "b", "b2");
	assert_int_equal(objstore_stats(os)->new_files, 0);
	objstore_commit(os);
	objstore_close(os);
	assert_int_equal(stat_of(ver, "a1").st_ino, stat_of(ver, "a2").st_ino);
	assert_int_equal(stat_of(ver, "b1").st_ino, stat_of(ver, "b2").st_ino);
	assert_int_equal(stat_of(ver, "a2").st_nlink, 3);
}

static void metadata_is_part_of_the_key(void **state)
{
	struct objstore *os;
	char *p = xasprintf("%s/a", src);

	(void)state;
	put("a", "same bytes\n");
	assert_int_equal(objstore_open(objects, &os), 0);
	link_one(os, "a", "m1");
	assert_int_equal(chmod(p, 0600), 0);
	objstore_close(os);	/* m1 still links its object: kept */
	assert_int_equal(objstore_open(objects, &os), 0);
	link_one(os, "a", "m2");
	objstore_commit(os);
	objstore_close(os);
	assert_true(stat_of(ver, "m1").st_ino != stat_of(ver, "m2").st_ino);
	assert_int_equal(stat_of(ver, "m2").st_mode & 07777, 0600);
	assert_int_equal(stat_of(ver, "m2").st_mtim.tv_sec, 1700000000);
	free(p);
}

static void rollback_and_gc(void **state)
{
	struct objstore *os;
	char *v = xasprintf("%s/r1", ver);
	uint64_t files, bytes;

	(void)state;
	put("r", "rolled back\n");
	assert_int_equal(objstore_open(objects, &os), 0);
	link_one(os, "r", "r1");
	/* A failed import removes its staging tree, then closes uncommitted. */
	assert_int_equal(unlink(v), 0);
	objstore_close(os);
	assert_int_equal(objstore_gc(objects, &files, &bytes), 0);
	assert_int_equal(files, 0);	/* nothing left over */

	/* A committed object whose version link goes is gc's to free. */
	assert_int_equal(objstore_open(objects, &os), 0);
	link_one(os, "r", "r1");
	objstore_commit(os);
	objstore_close(os);
	assert_int_equal(unlink(v), 0);
	assert_int_equal(objstore_gc(objects, &files, &bytes), 0);
	assert_int_equal(files, 1);
	assert_true(bytes > 0);
	free(v);
}

static void absorb(void **state)
{
	struct objstore *os;
	char *x = xasprintf("%s/x", ver), *y = xasprintf("%s/y", ver);
	const struct timespec t[2] = { { 1700000000, 0 }, { 1700000000, 0 } };

	(void)state;
	assert_int_equal(write_file_atomic(x, "edited\n", 7, 0644), 0);
	assert_int_equal(write_file_atomic(y, "edited\n", 7, 0644), 0);
	assert_int_equal(utimensat(AT_FDCWD, x, t, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, y, t, 0), 0);
	assert_int_equal(objstore_open(objects, &os), 0);
	/* New content: the file itself becomes the object. */
	ino_t ino = stat_of(ver, "x").st_ino;
	assert_int_equal(objstore_absorb(os, x), 0);
	assert_int_equal(stat_of(ver, "x").st_ino, ino);
	assert_int_equal(stat_of(ver, "x").st_nlink, 2);
	objstore_commit(os);
	objstore_close(os);
	/* The same file in the next version is replaced by a link to it. */
	assert_int_equal(objstore_open(objects, &os), 0);
	assert_int_equal(objstore_absorb(os, y), 0);
	objstore_commit(os);
	objstore_close(os);
	assert_int_equal(stat_of(ver, "y").st_ino, ino);
	free(x);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slots),
		cmocka_unit_test(metadata_is_part_of_the_key),
		cmocka_unit_test(rollback_and_gc),
		cmocka_unit_test(absorb),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
