#include "err.h"
#include "fsutil.h"
#include "node_manifest.h"
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

#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void file(struct tree *t, const char *rel, const char *text)
{
	tree_file(t, rel, 0644, xstrdup(text), strlen(text));
}

static void makes_sorted_hashes(void **state)
{
	char src[] = "/tmp/test_manifest.XXXXXX";
	int fd = mkstemp(src);
	struct tree boot = { 0 }, ident = { 0 };
	struct hcache *hc = hcache_new();
	char *m, *want;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	fchmod(fd, 0755);
	close(fd);
	tree_link(&boot, "start4.elf", src);
	file(&boot, "cmdline.txt", "");
	tree_symlink(&boot, "9ffefdef", "abc");
	file(&ident, "etc/hostname", "abc");
	assert_int_equal(tree_finish(&boot, "boot"), 0);
	assert_int_equal(tree_finish(&ident, "ident"), 0);
	assert_int_equal(manifest_make("x@1 created=5", &boot, &ident, hc, &m), 0);
	want = xasprintf("bramble-manifest 1\nimage x@1 created=5\n"
			 "l 0777 " ABC_SHA " boot/9ffefdef\n"
			 "f 0644 " EMPTY_SHA " boot/cmdline.txt\n"
			 "f 0755 " ABC_SHA " boot/start4.elf\n"
			 "f 0644 " ABC_SHA " ident/etc/hostname\n");
	assert_string_equal(m, want);
	/* The same again, the image file's hash now from the cache. */
	free(m);
	assert_int_equal(manifest_make("x@1 created=5", &boot, &ident, hc, &m), 0);
	assert_string_equal(m, want);
	free(m);
	free(want);
	unlink(src);
	tree_free(&boot);
	tree_free(&ident);
	hcache_free(hc);
}

static int diff(const char *a, const char *b, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	int n = manifest_diff(a, b, "old", f);

	fclose(f);
	return n;
}

static void diffs(void **state)
{
	const char *a = "bramble-manifest 1\nimage x@1 c=1\n"
			"f 0644 " ABC_SHA " boot/a\n"
			"f 0644 " ABC_SHA " boot/b\n"
			"f 0644 " ABC_SHA " ident/etc/x\n";
	const char *b = "bramble-manifest 1\nimage x@2 c=2\n"
			"f 0644 " ABC_SHA " boot/a\n"
			"f 0644 " EMPTY_SHA " boot/b\n"
			"f 0644 " ABC_SHA " boot/c\n";
	char *out;

	(void)state;
	assert_int_equal(diff(a, a, &out), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(diff(a, b, &out), 4);
	assert_string_equal(out, "M image x@1 c=1 -> x@2 c=2\nM boot/b\nA boot/c\nD ident/etc/x\n");
	free(out);
	assert_int_equal(diff("garbage", b, &out), -1);
	assert_string_equal(err_get(), "old is not a bramble manifest (version 1)");
	free(out);
	assert_int_equal(diff("bramble-manifest 1\nimage x\nshort line\n", b, &out), -1);
	assert_string_equal(err_get(), "old: malformed line 'short line'");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(makes_sorted_hashes),
		cmocka_unit_test(diffs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
