/* treecopy: every attribute of every kind of inode arrives, plain and
 * through the object store. */
#include "fsutil.h"
#include "objstore.h"
#include "treecopy.h"
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
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

static char tmp[] = "/tmp/bramble-treecopy-XXXXXX";

static const char *const names[] = {
	"dir", "dir/file", "dir/link-a", "dir/link-b", "dir/sym", "dir/fifo",
	"dir/null", "dir/sparse", "dir/tail-hole", "dir/setuid",
};

static char *at(const char *top, const char *rel)
{
	return xasprintf("%s/%s/%s", tmp, top, rel);
}

static void make_source(void)
{
	char *p;
	int fd;

	p = at("src", "dir/file");
	assert_int_equal(mkdir_p(p, 0755), 0);
	rmdir(p);
	assert_int_equal(write_file_atomic(p, "hello\n", 6, 0640), 0);
	assert_int_equal(chown(p, 1000, 1001), 0);
	assert_int_equal(setxattr(p, "user.k", "v", 1, 0), 0);
	free(p);
	p = at("src", "dir/link-a");
	assert_int_equal(write_file_atomic(p, "two names\n", 10, 0644), 0);
	char *q = at("src", "dir/link-b");
	assert_int_equal(link(p, q), 0);
	free(p);
	free(q);
	p = at("src", "dir/sym");
	assert_int_equal(symlink("/etc/hostname", p), 0);
	assert_int_equal(lchown(p, 1000, 1000), 0);
	free(p);
	p = at("src", "dir/fifo");
	assert_int_equal(mkfifo(p, 0620), 0);
	free(p);
	p = at("src", "dir/null");
	assert_int_equal(mknod(p, S_IFCHR | 0666, makedev(1, 3)), 0);
	free(p);
	p = at("src", "dir/sparse");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "x", 1, 32 << 20), 1);
	close(fd);
	free(p);
	/* Past the size a big object is copied in: only its size says the hole. */
	p = at("src", "dir/tail-hole");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "x", 1, 0), 1);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	close(fd);
	free(p);
	p = at("src", "dir/setuid");
	assert_int_equal(write_file_atomic(p, "#!/bin/sh\n", 10, 0755), 0);
	assert_int_equal(chmod(p, 04755), 0);
	free(p);
	/* Last: the directory's own times, which its contents must not move. */
	p = at("src", "dir");
	const struct timespec t[2] = { { 1600000000, 5 }, { 1600000000, 123456789 } };
	assert_int_equal(utimensat(AT_FDCWD, p, t, AT_SYMLINK_NOFOLLOW), 0);
	free(p);
}

static void same_inode_data(const char *top)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *s = at("src", names[i]), *d = at(top, names[i]);
		struct stat a, b;
		char va[8] = "", vb[8] = "";

		assert_int_equal(lstat(s, &a), 0);
		assert_int_equal(lstat(d, &b), 0);
		assert_int_equal(a.st_mode, b.st_mode);
		assert_int_equal(a.st_uid, b.st_uid);
		assert_int_equal(a.st_gid, b.st_gid);
		assert_int_equal(a.st_size, b.st_size);
		assert_int_equal(a.st_rdev, b.st_rdev);
		assert_int_equal(a.st_mtim.tv_sec, b.st_mtim.tv_sec);
		assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
		if (S_ISREG(a.st_mode))
			assert_true(b.st_blocks <= a.st_blocks + 8);	/* holes kept */
		lgetxattr(s, "user.k", va, sizeof va);
		lgetxattr(d, "user.k", vb, sizeof vb);
		assert_string_equal(va, vb);
		free(s);
		free(d);
	}
	char *a = at(top, "dir/link-a"), *b = at(top, "dir/link-b");
	struct stat sa, sb;
	assert_int_equal(stat(a, &sa), 0);
	assert_int_equal(stat(b, &sb), 0);
	assert_int_equal(sa.st_ino, sb.st_ino);
	free(a);
	free(b);
}

static void plain_copy(void **state)
{
	char *src = xasprintf("%s/src", tmp), *dst = xasprintf("%s/plain", tmp);
	struct treecopy tc = { 0 };
	uint64_t files, bytes;

	(void)state;
	assert_int_equal(treecopy_scan(src, &files, &bytes), 0);
	assert_int_equal(files, 9);
	assert_int_equal(treecopy(src, dst, &tc), 0);
	assert_int_equal(tc.files, 9);
	assert_int_equal(tc.dirs, 2);
	same_inode_data("plain");
	/* An existing destination is refused, not merged into. */
	assert_int_equal(treecopy(src, dst, &tc), -1);
	free(src);
	free(dst);
}

static void store_copy(void **state)
{
	char *src = xasprintf("%s/src", tmp), *dst = xasprintf("%s/stored", tmp);
	char *objects = xasprintf("%s/objects", tmp);
	struct treecopy tc = { 0 };

	(void)state;
	assert_int_equal(objstore_open(objects, &tc.store), 0);
	assert_int_equal(treecopy(src, dst, &tc), 0);
	/* file, link pair (one object), sparse, tail-hole, setuid */
	assert_int_equal(objstore_stats(tc.store)->new_files, 5);
	objstore_commit(tc.store);
	objstore_close(tc.store);
	same_inode_data("stored");
	free(src);
	free(dst);
	free(objects);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_copy),
		cmocka_unit_test(store_copy),
	};
	int rc;

	if (geteuid() != 0) {
		printf("treecopy: needs root (owners, device nodes), skipped\n");
		return 0;
	}
	if (!mkdtemp(tmp))
		return 1;
	make_source();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rm_rf(tmp);
	return rc;
}
