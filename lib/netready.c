#include "netready.h"

#include "diskfull.h"
#include "err.h"
#include "filecopy.h"
#include "fsutil.h"
#include "netready_traps.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The last replaces the ssh host keys on first boot: a node's own, kept in
 * its identity layer, would be hidden under whiteouts of its upper layer. */
static const char *const services[] = {
	"resize2fs_once", "dphys-swapfile", "rpi-resize", "rpi-resize-swap-file",
	"regenerate_ssh_host_keys",
};

static const char *const firstboot_init[] = {
	"init=/usr/lib/raspberrypi-sys-mods/firstboot",
	"init=/usr/lib/raspi-config/init_resize.sh",
};

/*
 * Replace path by a new file holding buf, with the old file's owner, mode
 * and xattrs (and a new mtime: it changed), then store it as an object.
 */
static int rewrite(const char *path, const char *buf, size_t len, struct objstore *os)
{
	char *tmp = xasprintf("%s.netready", path);
	int in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, rc = -1;
	struct xattrs xa = { 0 };
	struct stat st;

	if (in < 0 || fstat(in, &st) < 0) {
		err_errno("cannot read %s", path);
		goto out;
	}
	if (xattrs_read(in, path, &xa) < 0)
		goto out;
	clock_gettime(CLOCK_REALTIME, &st.st_mtim);
	st.st_atim = st.st_mtim;
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0 || file_pwrite(out, buf, len, 0) < 0) {
		err_write("cannot write %s", tmp);
		goto out;
	}
	if (inode_set_meta(out, tmp, &st, &xa) < 0)
		goto out;
	if (rename(tmp, path) < 0) {
		err_errno("cannot replace %s", path);
		goto out;
	}
	rc = objstore_absorb(os, path);
out:
	if (rc < 0)
		unlink(tmp);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	xattrs_free(&xa);
	free(tmp);
	return rc;
}

/*
 * A filter writes the kept text of in (NUL-terminated) to out, which has
 * room for the input plus a newline, notes what it dropped, and returns the
 * output length; *changed says whether anything was dropped.
 */
typedef size_t (*filter_fn)(const char *in, char *out, char **report, int *changed);

/* Run path (if the image has it) through filter; rewrite it when changed. */
static int edit(const char *path, filter_fn filter, struct objstore *os, char **report)
{
	char *text, *out;
	struct stat st;
	size_t len;
	int changed = 0, rc;

	/* A symlink could point out of the tree, at the head node's own file. */
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (read_file(path, &text, &len) < 0)
		return -1;
	out = xmalloc(len + 2);
	len = filter(text, out, report, &changed);
	rc = changed ? rewrite(path, out, len, os) : 0;
	free(out);
	free(text);
	return rc;
}

static int sd_entry(const char *line)
{
	char spec[256], dir[256];

	if (sscanf(line, " %255s %255s", spec, dir) != 2 || spec[0] == '#')
		return 0;
	return !strncmp(spec, "PARTUUID=", 9) || !strncmp(spec, "/dev/mmcblk", 11) ||
	       !strcmp(dir, "/") || !strcmp(dir, "/boot") || !strcmp(dir, "/boot/firmware");
}

static size_t fstab_filter(const char *in, char *out, char **report, int *changed)
{
	char *o = out;

	for (const char *line = in, *next; *line; line = next) {
		size_t n = strcspn(line, "\n");

		next = line + n + (line[n] == '\n');
		if (sd_entry(line)) {
			netready_note(report, "/etc/fstab: removed SD card entry '%.*s'", (int)n, line);
			*changed = 1;
			continue;
		}
		memcpy(o, line, (size_t)(next - line));
		o += next - line;
	}
	return (size_t)(o - out);
}

static int unlink_matches(const char *root, const char *pattern, const char *name,
			  char **report)
{
	char *pat = xasprintf("%s/%s", root, pattern);
	size_t skip = strlen(root);
	glob_t g;
	int rc = 0;

	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
			if (unlink(g.gl_pathv[i]) < 0)
				rc = err_errno("cannot remove %s", g.gl_pathv[i]);
			else
				netready_note(report, "%s: disabled (removed %s)", name, g.gl_pathv[i] + skip);
		}
		globfree(&g);
	}
	free(pat);
	return rc;
}

/* Mask name.service (a link to /dev/null) when the image has the service. */
static int mask(const char *root, const char *name, char **report)
{
	char *unit = xasprintf("%s/etc/systemd/system/%s.service", root, name);
	char *lib = xasprintf("%s/lib/systemd/system/%s.service", root, name);
	char *usr = xasprintf("%s/usr/lib/systemd/system/%s.service", root, name);
	char *sysv = xasprintf("%s/etc/init.d/%s", root, name);
	int rc = 0;

	if (!path_exists(unit) && (path_exists(lib) || path_exists(usr) || path_exists(sysv))) {
		if (symlink("/dev/null", unit) < 0)
			rc = err_write("cannot mask %s", unit);
		else
			netready_note(report, "%s: masked (/etc/systemd/system/%s.service -> /dev/null)", name,
			     name);
	}
	free(unit);
	free(lib);
	free(usr);
	free(sysv);
	return rc;
}

static int disable_services(const char *root, char **report)
{
	for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
		char *rc_links = xasprintf("etc/rc[0-6S].d/[SK][0-9][0-9]%s", services[i]);
		char *wants = xasprintf("etc/systemd/system/*.wants/%s.service", services[i]);
		int rc = unlink_matches(root, rc_links, services[i], report) < 0 ||
			 unlink_matches(root, wants, services[i], report) < 0 ||
			 mask(root, services[i], report) < 0;
		free(rc_links);
		free(wants);
		if (rc)
			return -1;
	}
	return 0;
}

static int firstboot_token(const char *tok, size_t n)
{
	for (size_t i = 0; i < sizeof firstboot_init / sizeof firstboot_init[0]; i++)
		if (strlen(firstboot_init[i]) == n && !strncmp(tok, firstboot_init[i], n))
			return 1;
	return 0;
}

/* cmdline.txt is one line of space-separated kernel arguments. */
static size_t cmdline_filter(const char *in, char *out, char **report, int *changed)
{
	char *o = out;

	for (const char *p = in; *p;) {
		size_t n;

		p += strspn(p, " \t\n");
		if (!*p)
			break;
		n = strcspn(p, " \t\n");
		if (firstboot_token(p, n)) {
			netready_note(report, "cmdline.txt: removed first-boot '%.*s'", (int)n, p);
			*changed = 1;
		} else {
			if (o != out)
				*o++ = ' ';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o++ = '\n';
	return (size_t)(o - out);
}

int netready_apply(const char *root, const char *boot, struct objstore *os, char **report)
{
	char *fstab = xasprintf("%s/etc/fstab", root);
	char *cmdline = xasprintf("%s/cmdline.txt", boot);
	int rc;

	*report = NULL;
	rc = edit(fstab, fstab_filter, os, report) < 0 || disable_services(root, report) < 0 ||
	     edit(cmdline, cmdline_filter, os, report) < 0 || netready_traps(root, boot, os, report) < 0;
	free(fstab);
	free(cmdline);
	if (rc)
		return -1;
	if (!*report)
		*report = xstrdup("");
	return 0;
}
