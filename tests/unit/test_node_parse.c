#include "config.h"
#include "err.h"
#include "node_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void names(void **state)
{
	static const char *const good[] = { "node01", "a", "pi-3", "x1234567890" };
	static const char *const bad[] = {
		"", "-node", "node-", "Node01", "node_1", "node.lab", "nöde",
		"a234567890123456789012345678901234567890123456789012345678901234",
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(node_check_name(good[i]), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(node_check_name(bad[i]), -1);
}

static void serials(void **state)
{
	char out[SERIAL_STRLEN];

	(void)state;
	assert_int_equal(node_check_serial("9FFEFDEF", out), 0);
	assert_string_equal(out, "9ffefdef");
	assert_int_equal(node_check_serial("0000abcd", out), 0);
	assert_int_equal(node_check_serial("abcd", out), -1);
	assert_int_equal(node_check_serial("9ffefdeg", out), -1);
	assert_int_equal(node_check_serial("100000009ffefdef", out), -1);
	assert_non_null(strstr(err_get(), "'9ffefdef'"));
}

static void models(void **state)
{
	(void)state;
	assert_int_equal(node_check_model("4"), 0);
	assert_int_equal(node_check_model("pxe"), 0);
	assert_int_equal(node_check_model("2"), -1);
	assert_int_equal(node_check_model(""), -1);
}

static void ips(void **state)
{
	struct config cfg = { .server_ip = "10.42.0.1", .prefix_len = 24 };
	char out[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(node_check_ip(&cfg, "10.42.0.11"), 0);
	assert_int_equal(node_check_ip(&cfg, "10.42.0.254"), 0);
	assert_int_equal(node_check_ip(&cfg, "10.42.1.11"), -1);
	assert_non_null(strstr(err_get(), "outside the cluster network 10.42.0.1/24"));
	assert_int_equal(node_check_ip(&cfg, "10.42.0.1"), -1);
	assert_int_equal(node_check_ip(&cfg, "10.42.0.0"), -1);
	assert_int_equal(node_check_ip(&cfg, "10.42.0.255"), -1);
	assert_int_equal(node_check_ip(&cfg, "10.42.0"), -1);
	assert_int_equal(node_check_ip(&cfg, "10.42.0.011"), -1);
	assert_int_equal(node_ip_add("10.42.0.250", 7, out), 0);
	assert_string_equal(out, "10.42.1.1");
	assert_int_equal(node_ip_add("255.255.255.255", 1, out), -1);
}

static void ranges(void **state)
{
	char **v;
	size_t n;

	(void)state;
	assert_int_equal(node_range("node[01-16]", &v, &n), 0);
	assert_int_equal(n, 16);
	assert_string_equal(v[0], "node01");
	assert_string_equal(v[15], "node16");
	node_names_free(v, n);
	assert_int_equal(node_range("r[8-10]-pi", &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "r8-pi");
	assert_string_equal(v[2], "r10-pi");
	node_names_free(v, n);
	assert_int_equal(node_range("solo", &v, &n), 0);
	assert_int_equal(n, 1);
	node_names_free(v, n);
	assert_int_equal(node_range("node[16-01]", &v, &n), -1);
	assert_int_equal(node_range("node[1-]", &v, &n), -1);
	assert_int_equal(node_range("node[a-b]", &v, &n), -1);
	assert_int_equal(node_range("node[1-2][3-4]", &v, &n), -1);
	assert_int_equal(node_range("node[1-99999]", &v, &n), -1);
	assert_int_equal(node_range("Node[1-2]", &v, &n), -1);
}

static void vars(void **state)
{
	char *k, *v, *s, *t;

	(void)state;
	assert_int_equal(node_parse_var("rack=a=3", &k, &v), 0);
	assert_string_equal(k, "rack");
	assert_string_equal(v, "a=3");
	free(k);
	free(v);
	assert_int_equal(node_parse_var("config.gpu_mem=16", &k, &v), 0);
	assert_string_equal(k, "config.gpu_mem");
	free(k);
	free(v);
	assert_int_equal(node_parse_var("rack", &k, &v), -1);
	assert_int_equal(node_parse_var("=x", &k, &v), -1);
	assert_int_equal(node_parse_var("1x=y", &k, &v), -1);
	assert_int_equal(node_parse_var("config.=y", &k, &v), -1);
	assert_int_equal(node_parse_var("a-b=y", &k, &v), -1);
	assert_int_equal(node_parse_var("a=two\nlines", &k, &v), -1);

	s = node_vars_set("", "rack", "3");
	t = node_vars_set(s, "config.gpu_mem", "16");
	free(s);
	s = node_vars_set(t, "zone", "b");
	free(t);
	assert_string_equal(s, "config.gpu_mem=16\nrack=3\nzone=b\n");
	t = node_vars_set(s, "rack", "4");
	free(s);
	assert_string_equal(t, "config.gpu_mem=16\nrack=4\nzone=b\n");
	s = node_vars_set(t, "rack", "");
	free(t);
	assert_string_equal(s, "config.gpu_mem=16\nzone=b\n");
	t = node_vars_set(s, "ra", "1");
	free(s);
	assert_string_equal(t, "config.gpu_mem=16\nra=1\nzone=b\n");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),  cmocka_unit_test(serials), cmocka_unit_test(models),
		cmocka_unit_test(ips),    cmocka_unit_test(ranges),  cmocka_unit_test(vars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
