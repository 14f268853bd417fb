#include "config.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static char path[] = "/tmp/bramble-test-conf-XXXXXX";

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void defaults_without_file(void **state)
{
	struct config cfg;

	(void)state;
	unsetenv("BRAMBLE_CONFIG");
	/* An explicit path must exist. */
	assert_int_equal(config_load(&cfg, "/nonexistent/bramble.conf"), -1);
	assert_non_null(strstr(err_get(), "/nonexistent/bramble.conf"));
	config_free(&cfg);
}

static void parses_keys(void **state)
{
	struct config cfg;
	char *s, *e;

	(void)state;
	write_conf("[cluster]\nname = rack1\nserver_ip = 10.9.0.1 ; head\n"
		   "dhcp_mode = full\ndhcp_range = 10.9.0.100,10.9.0.200\n"
		   "nfs_backend = kernel\n[bootsrv]\ntftp_max = 300\n"
		   "node_exporter_port = 9109\n");
	assert_int_equal(config_load(&cfg, path), 0);
	assert_string_equal(cfg.name, "rack1");
	assert_string_equal(cfg.server_ip, "10.9.0.1");
	assert_int_equal(cfg.dhcp_mode, DHCP_FULL);
	assert_int_equal(cfg.nfs_backend, NFS_KERNEL);
	assert_int_equal(cfg.tftp_max, 300);
	assert_int_equal(cfg.node_exporter_port, 9109);
	assert_int_equal(config_dhcp_range(&cfg, &s, &e), 0);
	assert_string_equal(s, "10.9.0.100");
	assert_string_equal(e, "10.9.0.200");
	free(s);
	free(e);
	config_free(&cfg);
}

/* Default: the head itself; a list is kept comma-separated; off: none. */
static void ntp_servers(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "[cluster]\nserver_ip = 10.9.0.1\n", "10.9.0.1" },
		{ "[cluster]\nntp_server = 10.9.0.5, 192.0.2.1\nserver_ip = 10.9.0.1\n",
		  "10.9.0.5,192.0.2.1" },
		{ "[cluster]\nntp_server = off\n", "" },
	};
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_conf(cases[i].text);
		assert_int_equal(config_load(&cfg, path), 0);
		assert_string_equal(cfg.ntp_server, cases[i].want);
		assert_int_equal(cfg.ipv6_ra, RA_AUTO);
		config_free(&cfg);
	}
}

static void rejects_bad_input(void **state)
{
	static const struct { const char *text, *needle; } cases[] = {
		{ "[cluster]\nnmae = x\n", ":2: unknown key 'nmae'" },
		{ "[cluster]\ndhcp_mode = maybe\n", ":2: cluster.dhcp_mode" },
		{ "[cluster]\nserver_ip = 10.0.0.300\n", "not an IPv4 address" },
		{ "[bootsrv]\ntftp_max = lots\n", "not a number" },
		{ "[bootsrv]\nnode_exporter_port = 0\n", ":2: bootsrv.node_exporter_port: '0' is not" },
		{ "[bootsrv]\nnode_exporter_port = 65536\n", "from 1 to 65535" },
		{ "[cluster]\ndhcp_mode = full\n", "needs dhcp_range" },
		{ "[cluster\nname = x\n", ":1: syntax error" },
		{ "[cluster]\nntp_server = pool.ntp.org\n",
		  ":2: cluster.ntp_server: 'pool.ntp.org' is not an IPv4 address" },
		{ "[cluster]\nntp_server = 10.0.0.1,off\n", "'off' is not an IPv4 address" },
		{ "[cluster]\nipv6_ra = yes\n", ":2: cluster.ipv6_ra: 'yes' must be auto, on or off" },
	};
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_conf(cases[i].text);
		assert_int_equal(config_load(&cfg, path), -1);
		if (!strstr(err_get(), cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err_get(), cases[i].needle);
		config_free(&cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_without_file),
		cmocka_unit_test(parses_keys),
		cmocka_unit_test(ntp_servers),
		cmocka_unit_test(rejects_bad_input),
	};
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
