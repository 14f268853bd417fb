#include "err.h"
#include "node_vars.h"
#include "share.h"
#include "template.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void mount_paths(void **state)
{
	static const char *const good[] = { "/home", "/srv/data", "/scratch", "/var/www",
					    "/opt/sw", "/data.1", "/home/shared", NULL };
	static const char *const bad[] = {
		"home", "", "/", "/etc", "/etc/x", "/usr", "/usr/local", "/boot/firmware",
		"/var", "/var/lib", "/var/log", "/tmp", "/proc", "/sys/x", "/dev", "/run/user",
		"/bin", "/sbin", "/lib", "/lib64", "/srv/../etc", "/srv/./x", "/srv//x", "/srv/x/",
		"/srv/..", "/srv/a b", "/srv/a,b", "/var/lib/bramble", NULL,
	};

	(void)state;
	for (size_t i = 0; good[i]; i++)
		if (share_check_mount(good[i]) < 0)
			fail_msg("%s refused: %s", good[i], err_get());
	for (size_t i = 0; bad[i]; i++)
		if (share_check_mount(bad[i]) == 0)
			fail_msg("%s accepted", bad[i]);
}

static void names_and_modes(void **state)
{
	(void)state;
	assert_int_equal(share_check_name("home"), 0);
	assert_int_equal(share_check_name("a-1"), 0);
	assert_int_equal(share_check_name("-a"), -1);
	assert_int_equal(share_check_name("A"), -1);
	assert_int_equal(share_check_name("a/b"), -1);
	assert_int_equal(share_check_name(""), -1);
	assert_int_equal(share_check_squash("root"), 0);
	assert_int_equal(share_check_squash("Root"), -1);
	assert_int_equal(share_check_proto("v4"), 0);
	assert_int_equal(share_check_proto("4"), -1);
}

static void members(void **state)
{
	struct node n1 = { .name = "node01", .model = "4", .image = "os", .vars = "rack=r1\n" };
	struct node n9 = { .name = "node09", .model = "5", .image = "k8s",
			   .vars = "rack=r1\nrack=r2\n" };
	struct share s = { .name = "x" };
	static const struct { const char *spec; bool n1, n9; } cases[] = {
		{ "all", true, true },
		{ "node01", true, false },
		{ "node[01-08]", true, false },
		{ "node[01-08],node09", true, true },
		{ "image=os", true, false },
		{ "model=5", false, true },
		{ "var.rack=r1", true, false },	/* node09's last setting is r2 */
		{ "var.rack=r2,node01", true, true },
		{ "var.colour=r1", false, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s.nodes = (char *)cases[i].spec;
		if (share_has_member(&s, &n1) != cases[i].n1 ||
		    share_has_member(&s, &n9) != cases[i].n9)
			fail_msg("'%s': node01 %d node09 %d", cases[i].spec,
				 share_has_member(&s, &n1), share_has_member(&s, &n9));
	}
}

static void fstab_variables(void **state)
{
	struct config cfg = { .name = "lab", .server_ip = "10.42.0.1", .prefix_len = 24,
			      .ssh_host_keys = "ed25519", .nfs_backend = NFS_GANESHA };
	struct node n = { .name = "node01", .model = "4" };
	struct share shares[2] = {
		{ .name = "home", .path = "/s/home", .nodes = "all", .mount = "/home",
		  .squash = "root", .proto = "v4" },
		{ .name = "sw", .path = "/s/sw", .nodes = "node02", .mount = "/opt/sw",
		  .squash = "root", .proto = "v3", .ro = 1 },
	};
	struct node_env env = { .cfg = &cfg, .all = &n, .nall = 1, .shares = shares, .nshares = 2 };
	struct tscope *s = node_vars(&n, &env);
	const char *src = "{{#each shares}}{{server_ip}}:{{export}} {{mount}} {{options}}\n{{/each}}";
	struct template *t;
	char *out;

	(void)state;
	assert_int_equal(template_parse(src, strlen(src), "t", &t), 0);
	assert_int_equal(template_render(t, s, &out, NULL), 0);
	assert_string_equal(out, "10.42.0.1:/shares/home /home rw,vers=4.1\n");
	free(out);
	/* the kernel server: the directory itself; v3 without locks */
	cfg.nfs_backend = NFS_KERNEL;
	shares[1].nodes = "all";
	tscope_free(s);
	s = node_vars(&n, &env);
	assert_int_equal(template_render(t, s, &out, NULL), 0);
	assert_string_equal(out, "10.42.0.1:/s/home /home rw,vers=4.1\n"
				 "10.42.0.1:/s/sw /opt/sw ro,vers=3,nolock\n");
	free(out);
	template_free(t);
	tscope_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mount_paths),
		cmocka_unit_test(names_and_modes),
		cmocka_unit_test(members),
		cmocka_unit_test(fstab_variables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
