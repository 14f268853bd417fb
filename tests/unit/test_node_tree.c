#include "err.h"
#include "fsutil.h"
#include "node_tree.h"
#include "xalloc.h"

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

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_node_tree.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return rm_rf(dir);
}

static char *at(const char *rel)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%s/live/%s", dir, rel);
	return buf;
}

static ino_t ino(const char *rel)
{
	struct stat st;

	assert_int_equal(lstat(at(rel), &st), 0);
	return st.st_ino;
}

static void file(struct tree *t, const char *rel, const char *text, mode_t mode)
{
	tree_file(t, rel, mode, xstrdup(text), strlen(text));
}

static void content_is(const char *rel, const char *want)
{
	char *buf;

	assert_int_equal(read_file(at(rel), &buf, NULL), 0);
	assert_string_equal(buf, want);
	free(buf);
}

static void syncs_in_place(void **state)
{
	struct tree t = { 0 };
	struct sync_stats s = { 0 };
	char *live = xasprintf("%s/live", dir), *src = xasprintf("%s/src", dir);
	char target[64];
	struct stat st;
	ino_t hosts, live_ino;

	(void)state;
	assert_int_equal(write_file_atomic(src, "shared", 6, 0644), 0);
	file(&t, "etc/hostname", "node01\n", 0644);
	file(&t, "etc/hosts", "127.0.0.1 localhost\n", 0644);
	file(&t, "etc/ssh/key", "secret", 0600);
	tree_symlink(&t, "etc/wants/unit", "/etc/unit");
	tree_link(&t, "boot/kernel", src);
	tree_dir(&t, "keep", 0700, 1000, 1000);
	assert_int_equal(tree_finish(&t, "test"), 0);
	assert_non_null(tree_find(&t, "etc/ssh"));
	assert_int_equal(tree_sync(&t, live, &s), 0);
	assert_int_equal(s.written, t.n);
	content_is("etc/hostname", "node01\n");
	assert_int_equal(lstat(at("etc/ssh/key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(lstat(at("keep"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(readlink(at("etc/wants/unit"), target, sizeof target), 9);
	assert_int_equal(lstat(src, &st), 0);
	assert_int_equal(ino("boot/kernel"), st.st_ino);
	hosts = ino("etc/hosts");
	assert_int_equal(lstat(live, &st), 0);
	live_ino = st.st_ino;

	/* Same tree again: nothing written. */
	memset(&s, 0, sizeof s);
	assert_int_equal(tree_sync(&t, live, &s), 0);
	assert_int_equal(s.written + s.removed, 0);
	tree_free(&t);

	/* New content for one file, one file gone, a file turned into a dir,
	 * and a stray temp file of a killed build. */
	assert_int_equal(write_file_atomic(at("etc/hostname.bramble-tmp"), "x", 1, 0644), 0);
	file(&t, "etc/hostname", "node02\n", 0644);
	file(&t, "etc/hosts", "127.0.0.1 localhost\n", 0644);
	file(&t, "boot/kernel/inner", "now a dir", 0644);
	assert_int_equal(tree_finish(&t, "test"), 0);
	memset(&s, 0, sizeof s);
	assert_int_equal(tree_sync(&t, live, &s), 0);
	content_is("etc/hostname", "node02\n");
	content_is("boot/kernel/inner", "now a dir");
	assert_int_equal(ino("etc/hosts"), hosts);
	assert_int_equal(access(at("etc/ssh"), F_OK), -1);
	assert_int_equal(access(at("keep"), F_OK), -1);
	assert_int_equal(access(at("etc/hostname.bramble-tmp"), F_OK), -1);
	assert_int_equal(lstat(live, &st), 0);
	assert_int_equal(st.st_ino, live_ino);
	assert_int_equal(lstat(src, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	tree_free(&t);
	free(live);
	free(src);
}

static void later_entries_win_and_conflicts_fail(void **state)
{
	struct tree t = { 0 };

	(void)state;
	file(&t, "cmdline.txt", "image's", 0644);
	file(&t, "cmdline.txt", "node's", 0644);
	assert_int_equal(tree_finish(&t, "test"), 0);
	assert_int_equal(t.n, 1);
	assert_memory_equal(tree_find(&t, "cmdline.txt")->data, "node's", 6);
	tree_free(&t);

	file(&t, "a", "file", 0644);
	file(&t, "a/b", "under a file", 0644);
	assert_int_equal(tree_finish(&t, "overlay"), -1);
	assert_string_equal(err_get(), "overlay: 'a' is both a file and a directory");
	tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(syncs_in_place, make_dir, remove_dir),
		cmocka_unit_test(later_entries_win_and_conflicts_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
