/*
 * bootsrv check: is this machine ready to serve the cluster? Each check
 * prints one line; a problem says what is wrong and how to fix it. Nothing
 * is changed, except a test overlay mounted and removed in <state>/tmp.
 */
#include "bootsrv.h"
#include "check.h"

#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* An imported image takes 2-6 GiB; less free than this is a problem. */
#define MIN_FREE_GIB 4

static const char usage[] =
	"usage: bootsrv check\n"
	"\n"
	"Preflight of a head node; changes nothing. One line per check, each problem\n"
	"with its fix; exit status 1 if there is any. Checks that cluster.interface\n"
	"exists and holds server_ip; that ports 67, 69 (DHCP, TFTP), 111, 2049\n"
	"(rpcbind, NFS) and the http_listen port are free or held by the bootsrv of\n"
	"this state directory (with nfs_backend = kernel: by the kernel NFS server and\n"
	"rpcbind); that overlayfs mounts a root with nfs_export=on (test mount in\n"
	"<state>/tmp); that dnsmasq and the NFS backend are installed; that the state\n"
	"directory has room for images; that a DHCP server answers on the segment in\n"
	"proxy mode and none does in full mode (one DHCPDISCOVER for 02:62:72:6d:62:6c,\n"
	"up to 4 s for an answer); whether a bridge's STP delays the Pis' first\n"
	"packets; and that a bridge keeps one MAC address (set, not its ports').\n"
	"Needs root.\n";

static void say(const char *tag, const char *fmt, va_list ap)
{
	printf("%-8s", tag);
	vprintf(fmt, ap);
	putchar('\n');
}

void check_ok(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	say("ok", fmt, ap);
	va_end(ap);
}

void check_problem(struct check *c, const char *fmt, ...)
{
	va_list ap;

	c->problems++;
	va_start(ap, fmt);
	say("PROBLEM", fmt, ap);
	va_end(ap);
}

void check_note(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	say("note", fmt, ap);
	va_end(ap);
}

/* The program's path: as given when it has a '/', else found in $PATH. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	copy = xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin");
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, name);

		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

static void check_program(struct check *c, const char *key, const char *prog, const char *pkg)
{
	char *p = find_program(prog);

	if (p)
		check_ok(c, "%s is %s", prog, p);
	else
		check_problem(c, "%s not found (paths.%s): apt-get install %s, or set paths.%s "
			      "in bramble.conf", prog, key, pkg, key);
	free(p);
}

static void check_nfs_backend(struct check *c, const struct config *cfg)
{
	if (cfg->nfs_backend == NFS_GANESHA) {
		check_program(c, "ganesha", cfg->ganesha, "nfs-ganesha nfs-ganesha-vfs");
		check_program(c, "rpcbind", cfg->rpcbind, "rpcbind");
		return;
	}
	check_program(c, "exportfs", cfg->exportfs, "nfs-kernel-server");
	if (access("/proc/fs/nfsd/threads", F_OK) == 0)
		check_ok(c, "the kernel NFS server is loaded (/proc/fs/nfsd)");
	else
		check_problem(c, "the kernel NFS server is not running (no /proc/fs/nfsd/threads): "
			      "apt-get install nfs-kernel-server; systemctl enable --now nfs-server");
}

/*
 * A tiny root mounted exactly as a node's (nfsroot_mount: index=on,
 * nfs_export=on, and its explanation when the kernel drops nfs_export).
 */
static void check_overlay(struct check *c, const struct state *st)
{
	char *tmp = state_path(st, "tmp/check-XXXXXX");
	struct nfsroot r = { .name = xstrdup("test overlay") };
	int rc;

	char *parent = dir_of(tmp);
	int made = mkdir_p(parent, 0755) == 0 && mkdtemp(tmp);

	free(parent);
	if (!made) {
		check_problem(c, "cannot make a test directory in %s/tmp: %s", st->dir,
			      errno ? strerror(errno) : err_get());
		free(tmp);
		return;
	}
	r.ident = xasprintf("%s/ident", tmp);
	r.image_root = xasprintf("%s/image", tmp);
	r.upper = xasprintf("%s/upper", tmp);
	r.work = xasprintf("%s/work", tmp);
	r.mountpoint = xasprintf("%s/root", tmp);
	r.state_dir = xstrdup(tmp);
	rc = mkdir_p(r.ident, 0755) < 0 || mkdir_p(r.image_root, 0755) < 0 ? -1 : nfsroot_mount(&r);
	if (rc == 0) {
		check_ok(c, "overlayfs mounts a node root with index=on,nfs_export=on");
		nfsroot_umount(r.mountpoint);
	} else if (strstr(err_get(), "No such device"))
		check_problem(c, "overlayfs is not available (%s): modprobe overlay, and add it to "
			      "/etc/modules", err_get());
	else
		check_problem(c, "%s", err_get());
	/* nfsroot_mount shares the directory (a bind mount on itself) */
	umount2(tmp, MNT_DETACH);
	rm_rf(tmp);
	err_clear();
	nfsroot_free(&r);
	free(tmp);
}

static void check_disk(struct check *c, const struct state *st)
{
	struct statvfs s;
	double gib;

	if (statvfs(st->dir, &s) < 0) {
		check_problem(c, "cannot read the free space of %s: %s", st->dir, strerror(errno));
		return;
	}
	gib = (double)s.f_bavail * (double)s.f_frsize / (1024.0 * 1024 * 1024);
	if (gib < MIN_FREE_GIB)
		check_problem(c, "only %.1f GiB free for %s: an imported image takes 2-6 GiB; free "
			      "space, or put the state directory on a bigger disk (--state)",
			      gib, st->dir);
	else if (s.f_files && s.f_favail < 500000)
		check_problem(c, "only %llu inodes free for %s: an image has about 100000 files; "
			      "use a filesystem with more inodes", (unsigned long long)s.f_favail,
			      st->dir);
	else
		check_ok(c, "%.0f GiB free for %s", gib, st->dir);
}

long check_sysfs_long(const char *ifname, const char *file)
{
	char *path = xasprintf("/sys/class/net/%s/%s", ifname, file), *text = NULL;
	long v = -1;

	if (read_file(path, &text, NULL) == 0)
		v = strtol(text, NULL, 10);
	err_clear();
	free(text);
	free(path);
	return v;
}

/*
 * Spanning tree holds a new link's port blocked for the forward delay
 * (15 s by default), longer than a Pi's bootloader waits for its first
 * DHCP answer.
 */
static void check_stp(struct check *c, const struct config *cfg)
{
	long stp = check_sysfs_long(cfg->interface, "bridge/stp_state");
	long delay = check_sysfs_long(cfg->interface, "bridge/forward_delay");	/* centiseconds */

	if (stp > 0 || delay > 0)
		check_problem(c, "bridge %s has STP %s and a forward delay of %.0f s: a Pi's port "
			      "stays blocked longer than its bootloader waits for DHCP: ip link set "
			      "%s type bridge stp_state 0 forward_delay 0 (and the same in the "
			      "bridge's network configuration)", cfg->interface, stp > 0 ? "on" : "off",
			      delay / 100.0, cfg->interface);
	else if (stp == 0)
		check_ok(c, "bridge %s forwards at once (STP off, no forward delay)", cfg->interface);
	check_note(c, "on the switch, make the Pis' ports edge ports (portfast) or turn off "
		   "spanning tree there: a port that waits 15-30 s before forwarding makes the "
		   "bootloader give up");
}

int cmd_check(struct ctx *ctx, int argc, char **argv)
{
	struct check c = { .quiet = ctx->quiet };
	const struct config *cfg;
	struct state *st;
	int net_ok;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1)
		return cli_usage(ctx, "check takes no arguments (see 'bootsrv check --help')");
	if (cli_need_root("bootsrv check") < 0 || !(cfg = ctx_config(ctx)) ||
	    !(st = ctx_state(ctx)))
		return cli_fail(ctx);
	net_ok = check_network(cfg) == 0;
	if (net_ok)
		check_ok(&c, "interface %s holds %s/%d", cfg->interface,
			 cfg->server_ip, cfg->prefix_len);
	else
		check_problem(&c, "%s", err_get());
	check_ports(&c, cfg, st);
	check_overlay(&c, st);
	check_program(&c, "dnsmasq", cfg->dnsmasq, "dnsmasq-base");
	check_nfs_backend(&c, cfg);
	check_disk(&c, st);
	if (net_ok) {
		check_dhcp(&c, cfg);
		check_stp(&c, cfg);
		check_bridge_mac(&c, cfg);
	}
	if (c.problems)
		printf("%d problem%s\n", c.problems, c.problems == 1 ? "" : "s");
	else if (!c.quiet)
		printf("all checks passed\n");
	return c.problems ? 1 : 0;
}
