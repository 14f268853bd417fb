/* Netboot-ready edits: SD card fstab lines, first-boot services and init=
 * go; everything else stays; changed files are new inodes, not writes
 * through a link into a shared object. */
#include "fsutil.h"
#include "netready.h"
#include "objstore.h"
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

static char tmp[] = "/tmp/bramble-netready-XXXXXX";

static const char fstab[] =
	"proc            /proc           proc    defaults          0       0\n"
	"PARTUUID=5eedb0b0-01  /boot/firmware  vfat    defaults          0       2\n"
	"/dev/mmcblk0p2  /               ext4    defaults,noatime  0       1\n"
	"# PARTUUID=comment /x ext4 defaults 0 0\n"
	"UUID=1234 /data ext4 defaults 0 2\n";

static char *path(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

static void put(const char *rel, const char *text)
{
	char *p = path(rel), *d = dir_of(p);

	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(p);
	free(d);
}

static void link_to(const char *target, const char *rel)
{
	char *p = path(rel), *d = dir_of(p);

	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(symlink(target, p), 0);
	free(p);
	free(d);
}

static char *slurp(const char *rel)
{
	char *p = path(rel), *text;

	assert_int_equal(read_file(p, &text, NULL), 0);
	free(p);
	return text;
}

static void edits(void **state)
{
	char *root = path("root"), *boot = path("boot"), *objects = path("objects");
	char *report, *text, *old = path("held"), *fst = path("root/etc/fstab");
	struct objstore *os;
	struct stat before, after;

	(void)state;
	put("root/etc/fstab", fstab);
	put("boot/cmdline.txt", "console=tty1 root=PARTUUID=5eedb0b0-02 rootwait quiet "
				"init=/usr/lib/raspberrypi-sys-mods/firstboot\n");
	put("root/etc/init.d/resize2fs_once", "#!/bin/sh\n");
	link_to("../init.d/resize2fs_once", "root/etc/rc3.d/S01resize2fs_once");
	put("root/usr/lib/systemd/system/dphys-swapfile.service", "[Unit]\n");
	link_to("/lib/systemd/system/dphys-swapfile.service",
		"root/etc/systemd/system/multi-user.target.wants/dphys-swapfile.service");
	/* fstab is a link to a shared object: it must stay untouched. */
	assert_int_equal(link(fst, old), 0);
	assert_int_equal(stat(fst, &before), 0);

	assert_int_equal(objstore_open(objects, &os), 0);
	assert_int_equal(netready_apply(root, boot, os, &report), 0);
	objstore_commit(os);
	objstore_close(os);

	text = slurp("root/etc/fstab");
	assert_string_equal(text, "proc            /proc           proc    defaults          0       0\n"
				  "# PARTUUID=comment /x ext4 defaults 0 0\n"
				  "UUID=1234 /data ext4 defaults 0 2\n");
	free(text);
	text = slurp("held");
	assert_string_equal(text, fstab);	/* the shared inode kept its bytes */
	free(text);
	assert_int_equal(stat(fst, &after), 0);
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(after.st_nlink, 2);	/* stored as an object */
	text = slurp("boot/cmdline.txt");
	assert_string_equal(text, "console=tty1 root=PARTUUID=5eedb0b0-02 rootwait quiet\n");
	free(text);
	text = path("root/etc/rc3.d/S01resize2fs_once");
	assert_false(path_exists(text));
	free(text);
	assert_non_null(strstr(report, "/etc/fstab: removed SD card entry 'PARTUUID=5eedb0b0-01"));
	assert_non_null(strstr(report, "/etc/fstab: removed SD card entry '/dev/mmcblk0p2"));
	assert_non_null(strstr(report, "resize2fs_once: disabled (removed /etc/rc3.d/S01resize2fs_once)"));
	assert_non_null(strstr(report, "resize2fs_once: masked"));
	assert_non_null(strstr(report, "dphys-swapfile: masked"));
	assert_non_null(strstr(report, "cmdline.txt: removed first-boot"));
	assert_null(strstr(report, "rpi-resize"));	/* not in this image: not mentioned */
	free(report);
	free(root);
	free(boot);
	free(objects);
	free(old);
	free(fst);
}

static void nothing_to_do(void **state)
{
	char *root = path("plain"), *objects = path("objects"), *report;
	struct objstore *os;

	(void)state;
	assert_int_equal(mkdir_p(root, 0755), 0);
	assert_int_equal(objstore_open(objects, &os), 0);
	assert_int_equal(netready_apply(root, root, os, &report), 0);
	assert_string_equal(report, "");
	objstore_close(os);
	free(report);
	free(root);
	free(objects);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edits),
		cmocka_unit_test(nothing_to_do),
	};
	int rc;

	if (!mkdtemp(tmp))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rm_rf(tmp);
	return rc;
}
