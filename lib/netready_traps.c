#include "netready_traps.h"

#include "err.h"
#include "fsutil.h"
#include "kconfig.h"
#include "xalloc.h"

#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file the image gets when it has the program it is for. */
static const struct dropin {
	const char *has;	/* in the root: the trap is there */
	const char *rel;	/* the file written */
	const char *text;
	const char *what;	/* the report line, before the path */
} dropins[] = {
	{ "usr/sbin/NetworkManager", "etc/NetworkManager/conf.d/90-bramble-nfsroot.conf",
	  "# bramble: the root is on NFS over the interface the kernel configured\n"
	  "# (ip=dhcp on the command line). No automatic DHCP profile for it, and what\n"
	  "# is configured stays: re-addressing it would cut the root off.\n"
	  "[main]\n"
	  "no-auto-default=*\n"
	  "\n"
	  "[device-bramble-nfsroot]\n"
	  "match-device=type:ethernet\n"
	  "keep-configuration=yes\n",
	  "NetworkManager: makes no DHCP profile of its own for the NFS root's interface" },
	{ "etc/rpi/swap.conf", "etc/rpi/swap.conf.d/90-bramble.conf",
	  "# bramble: the root is on NFS; swap in compressed RAM only, no swap file\n"
	  "[Main]\n"
	  "Mechanism=zram\n",
	  "rpi-swap: zram only, no swap file on the NFS root" },
};

/* Seeds Raspberry Pi Imager writes for cloud-init on the boot partition. */
static const char *const boot_seeds[] = { "user-data", "meta-data", "network-config" };

/* What the identity layer does about a trap the image has (overlays/root). */
static const struct {
	const char *has, *line;
} notes[] = {
	{ "usr/lib/systemd/system/userconfig.service",
	  "userconfig.service: masked on every node (identity layer); [login] in bramble.conf "
	  "makes the user" },
	{ "usr/lib/systemd/system/ssh.service",
	  "ssh: enabled on every node (identity layer), no 'ssh' file on a boot partition needed" },
	{ "usr/bin/cloud-init",
	  "cloud-init: every node has a NoCloud seed in its identity layer "
	  "(/var/lib/cloud/seed/nocloud: hostname, the [login] user, network config off)" },
	{ "usr/sbin/fake-hwclock",
	  "fake-hwclock: kept (no RTC): each node saves its clock in its own layer; timesyncd "
	  "sets it from [cluster] ntp_server" },
};

void netready_note(char **report, const char *fmt, ...)
{
	va_list ap;
	char *line, *all;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	all = xasprintf("%s%s\n", *report ? *report : "", line);
	free(line);
	free(*report);
	*report = all;
}

static int in_tree(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	int found = path_exists(p);

	free(p);
	return found;
}

static int add_dropin(const char *root, const struct dropin *d, struct objstore *os,
		      char **report)
{
	char *path = xasprintf("%s/%s", root, d->rel), *dir = dir_of(path);
	int rc = mkdir_p(dir, 0755) < 0 ||
		 write_file_atomic(path, d->text, strlen(d->text), 0644) < 0 ||
		 objstore_absorb(os, path) < 0 ? -1 : 0;

	if (rc == 0)
		netready_note(report, "%s (/%s)", d->what, d->rel);
	free(dir);
	free(path);
	return rc;
}

static int drop_seed(const char *boot, const char *name, char **report)
{
	char *path = xasprintf("%s/%s", boot, name);
	struct stat st;
	int rc = 0;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if (unlink(path) < 0)
			rc = err_errno("cannot remove %s", path);
		else
			netready_note(report, "boot/%s: removed (a cloud-init seed a netbooted node "
				      "never reads, with the image's user and password hash)", name);
	}
	free(path);
	return rc;
}

/* Whether the nodes will fetch the image's initramfs (lib/kconfig.h). */
static int initramfs_note(const char *root, const char *boot, char **report)
{
	char *pat = xasprintf("%s/initramfs*", boot), *why;
	glob_t g;
	int has = glob(pat, 0, NULL, &g) == 0, rc = 0;

	free(pat);
	if (has)
		globfree(&g);
	if (!has || (rc = kconfig_nfsroot(root, boot, &why)) < 0)
		return rc;
	if (rc)
		netready_note(report, "initramfs: not fetched by the Pis (auto_initramfs=0 in their "
			      "config.txt): the kernel mounts an NFS root itself (CONFIG_ROOT_NFS, "
			      "CONFIG_IP_PNP, CONFIG_IP_PNP_DHCP in %s)", why);
	else
		netready_note(report, "initramfs: fetched by the Pis as the image says: %s", why);
	free(why);
	return 0;
}

int netready_traps(const char *root, const char *boot, struct objstore *os, char **report)
{
	for (size_t i = 0; i < sizeof dropins / sizeof dropins[0]; i++)
		if (in_tree(root, dropins[i].has) && add_dropin(root, &dropins[i], os, report) < 0)
			return -1;
	for (size_t i = 0; i < sizeof boot_seeds / sizeof boot_seeds[0]; i++)
		if (drop_seed(boot, boot_seeds[i], report) < 0)
			return -1;
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
		if (in_tree(root, notes[i].has))
			netready_note(report, "%s", notes[i].line);
	return initramfs_note(root, boot, report);
}
