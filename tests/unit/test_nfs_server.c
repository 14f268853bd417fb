/*
 * nfs_server_start/stop with the real rpcbind and NFS-Ganesha, and the
 * publish -> verify -> unpublish cycle against them. Runs in a network and
 * mount namespace of its own (loopback only; everything it mounts goes
 * with it). Needs root and ganesha.nfsd; skipped otherwise.
 */
#include "db.h"
#include "err.h"
#include "fsutil.h"
#include "nfsroot.h"

#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[] = "/tmp/bramble-test-nfsd-XXXXXX";
static struct state st;
static struct config cfg;
static sqlite3 *db;
static struct nfs_server srv = NFS_SERVER_INIT;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char *p = state_path(&st, "%s", rel), *d = dir_of(p);

	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(write_file_atomic(p, text, strlen(text), mode), 0);
	free(d);
	free(p);
}

/*
 * Ganesha resolves Bind_Addr with AI_ADDRCONFIG, which finds nothing in a
 * namespace with loopback only: give ours a veth pair with an address.
 */
static void net_up(void)
{
	assert_int_equal(system("ip link set lo up && ip link add vt0 type veth peer name vt1 &&"
				" ip addr add 10.254.0.1/24 dev vt0 && ip link set vt1 up &&"
				" ip link set vt0 up"), 0);
}

static int setup(void **state)
{
	char *conf, *link;

	(void)state;
	if (geteuid() != 0 || system("command -v ganesha.nfsd rpcbind >/dev/null") != 0)
		return 0;
	/* Our own loopback and mounts: nothing leaks to the host. */
	assert_int_equal(unshare(CLONE_NEWNET | CLONE_NEWNS), 0);
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL), 0);
	net_up();
	assert_non_null(mkdtemp(dir));
	assert_int_equal(state_open(&st, dir), 0);
	assert_int_equal(db_open(dir, &db), 0);
	assert_int_equal(db_exec(db, "INSERT INTO images VALUES ('x', 'arm64', 0);"
				 "INSERT INTO versions (image, ver, created, files, bytes, source)"
				 " VALUES ('x', 1, 0, 0, 0, 'test');"
				 "INSERT INTO nodes (name, image, ver, ip, created)"
				 " VALUES ('n1', 'x', 1, '10.254.0.1', 0)"), 0);
	put("images/x/1/root/bin/busybox", "#!/bin/sh\n", 0755);
	put("images/x/1/root/etc/hostname", "raspberrypi\n", 0644);
	put("nodes/n1/ident/etc/hostname", "n1\n", 0644);
	put("images/x/1/root/sbin/.keep", "", 0644);
	link = state_path(&st, "images/x/1/root/sbin/init");
	assert_int_equal(symlink("../bin/busybox", link), 0);
	free(link);
	put("bramble.conf", "[cluster]\nserver_ip = 10.254.0.1\nprefix_len = 24\n", 0644);
	conf = state_path(&st, "bramble.conf");
	assert_int_equal(config_load(&cfg, conf), 0);
	free(conf);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!db)
		return 0;
	nfs_server_stop(&srv);
	db_close(db);
	umount2(dir, MNT_DETACH);	/* the shared bind and the roots under it */
	rm_rf(dir);
	state_close(&st);
	config_free(&cfg);
	return 0;
}

static int verify(const struct nfsroot *r, char **report)
{
	size_t len;
	FILE *f = open_memstream(report, &len);
	int problems = nfsroot_verify(r, "10.254.0.1", "/nodes/n1", f);

	fclose(f);
	return problems;
}

/* Kill a child as a crash would, reap it, restart what is missing, check the root. */
static void crash_and_restart(pid_t *pid, const struct nfsroot *r, const char *what)
{
	char *report;
	int status;

	kill(*pid, SIGKILL);
	assert_int_equal(waitpid(*pid, &status, 0), *pid);
	*pid = 0;
	assert_int_equal(nfs_server_start(&srv, &st, &cfg), 0);
	assert_true(srv.rpcbind > 0 && srv.ganesha > 0);
	if (verify(r, &report))
		fail_msg("after a %s restart: %s", what, report);
	free(report);
}

static void start_publish_verify_restart_stop(void **state)
{
	struct nfs_exporter b;
	struct node n = { .name = "n1", .image = "x", .ver = 1, .ip = "10.254.0.1" };
	struct nfsroot r;
	char *report;
	long t;

	(void)state;
	if (!db)
		skip();
	t = now_ms();
	if (nfs_server_start(&srv, &st, &cfg) < 0)
		fail_msg("%s", err_get());
	printf("# rpcbind + NFS-Ganesha start to ready: %ld ms\n", now_ms() - t);
	assert_true(srv.rpcbind > 0 && srv.ganesha > 0 && srv.mntns >= 0);

	/* A root mounted after the start reaches Ganesha's namespace. */
	assert_int_equal(nfs_exporter_open(&b, &st, &cfg, db), 0);
	assert_int_equal(nfsroot_paths(&st, &n, &r), 0);
	t = now_ms();
	assert_int_equal(nfsroot_publish(&b, &r), 0);
	assert_int_equal(nfs_exporter_apply(&b), 0);
	printf("# mount + publish + reload of one node: %ld ms\n", now_ms() - t);
	if (verify(&r, &report))
		fail_msg("%s", report);
	free(report);

	/* Crashes: reaped, restarted in the same namespace, serving again. */
	crash_and_restart(&srv.ganesha, &r, "Ganesha");
	crash_and_restart(&srv.rpcbind, &r, "rpcbind");	/* Ganesha restarts with it */

	/* Unpublished while served: the export goes first, so the umount works. */
	assert_int_equal(nfsroot_unpublish(&b, r.name, r.mountpoint), 0);
	assert_int_equal(nfsroot_mounted(r.mountpoint), 0);
	assert_int_equal(verify(&r, &report), 1);
	assert_non_null(strstr(report, "n1: cannot mount 10.254.0.1:/nodes/n1:"));
	free(report);

	nfs_server_stop(&srv);
	assert_true(srv.rpcbind == 0 && srv.ganesha == 0 && srv.mntns == -1);
	nfsroot_free(&r);
	nfs_exporter_close(&b);
}

static void foreign_server_ip_is_refused(void **state)
{
	struct config bad;
	char *conf;

	(void)state;
	if (!db)
		skip();
	put("bad.conf", "[cluster]\nserver_ip = 10.253.0.1\n", 0644);
	conf = state_path(&st, "bad.conf");
	assert_int_equal(config_load(&bad, conf), 0);
	free(conf);
	assert_int_equal(nfs_server_start(&srv, &st, &bad), -1);
	assert_string_equal(err_get(), "server_ip 10.253.0.1 is not an address of this host (in "
			    "this network namespace): configure it on the cluster interface, or "
			    "fix bramble.conf");
	assert_true(srv.ganesha == 0 && srv.rpcbind == 0);
	config_free(&bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(start_publish_verify_restart_stop),
		cmocka_unit_test(foreign_server_ip_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
