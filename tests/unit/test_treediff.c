#include "err.h"
#include "fsutil.h"
#include "treediff.h"
#include "xalloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[64];

static int make_dir(void **state)
{
	char *a, *b;
	int rc;

	(void)state;
	strcpy(dir, "/tmp/test_treediff.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	a = xasprintf("%s/a", dir);
	b = xasprintf("%s/b", dir);
	rc = mkdir(a, 0755) || mkdir(b, 0755);
	free(a);
	free(b);
	return rc;
}

static int remove_dir(void **state)
{
	(void)state;
	return rm_rf(dir);
}

static char *at(const char *side, const char *rel)
{
	static char buf[2][256];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof buf[i], "%s/%s/%s", dir, side, rel);
	return buf[i];
}

/* A file with fixed content and mtime on one side. */
static void put(const char *side, const char *rel, const char *text, mode_t mode)
{
	const struct timeval t[2] = { { 1700000000, 0 }, { 1700000000, 0 } };

	assert_int_equal(write_file_atomic(at(side, rel), text, strlen(text), mode), 0);
	assert_int_equal(utimes(at(side, rel), t), 0);
}

static char *out;

static int collect(void *arg, char kind, const char *path)
{
	char *next = xasprintf("%s%c %s\n", out ? out : "", kind, path);

	(void)arg;
	free(out);
	out = next;
	return 0;
}

static const char *diff(void)
{
	free(out);
	out = NULL;
	assert_int_equal(treediff(at("a", ""), at("b", ""), "t", collect, NULL), 0);
	return out ? out : "";
}

static void equal_trees_have_no_diff(void **state)
{
	(void)state;
	put("a", "same", "x", 0644);
	put("b", "same", "x", 0644);
	/* one inode in both trees: equal without reading */
	put("a", "shared", "y", 0644);
	assert_int_equal(link(at("a", "shared"), at("b", "shared")), 0);
	/* overlayfs' own xattrs are not part of an entry */
	assert_int_equal(lsetxattr(at("b", "same"), "trusted.overlay.origin", "z", 1, 0), 0);
	assert_string_equal(diff(), "");
}

static void changes_are_listed_sorted(void **state)
{
	struct stat st;

	(void)state;
	put("a", "content", "aaaa", 0644);
	put("b", "content", "bbbb", 0644);	/* same size and mtime */
	put("a", "mode", "m", 0644);
	put("b", "mode", "m", 0600);
	put("a", "gone", "g", 0644);
	put("b", "new", "n", 0644);
	assert_int_equal(symlink("x", at("a", "link")), 0);
	assert_int_equal(symlink("y", at("b", "link")), 0);
	assert_int_equal(mkdir(at("b", "newdir"), 0755), 0);
	put("b", "newdir/f", "f", 0644);
	assert_int_equal(lsetxattr(at("b", "same"), "user.k", "v", 1, 0), 0);
	assert_string_equal(diff(), "M t/content\n- t/gone\nM t/link\nM t/mode\n+ t/new\n"
				    "+ t/newdir\n+ t/newdir/f\nM t/same\n");
	/* tree_same on its own: a file against itself */
	assert_int_equal(lstat(at("a", "mode"), &st), 0);
	assert_int_equal(tree_same(at("a", "mode"), &st, at("a", "mode"), &st), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_trees_have_no_diff),
		cmocka_unit_test(changes_are_listed_sorted),
	};

	int rc = cmocka_run_group_tests(tests, make_dir, remove_dir);

	free(out);
	return rc;
}
