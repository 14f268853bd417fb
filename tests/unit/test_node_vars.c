#include "err.h"
#include "node_vars.h"
#include "template.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static char *render(const char *src, const struct tscope *s)
{
	struct template *t;
	char *out = NULL;

	assert_int_equal(template_parse(src, strlen(src), "t", &t), 0);
	if (template_render(t, s, &out, NULL) < 0)
		fail_msg("%s", err_get());
	template_free(t);
	return out;
}

static void every_builtin_is_set(void **state)
{
	struct config cfg = { .name = "lab", .server_ip = "10.42.0.1", .prefix_len = 24,
			      .ntp_server = "10.42.0.1,192.0.2.1", .ssh_host_keys = "ed25519,ecdsa" };
	struct node all[2] = {
		{ .name = "node01", .mac = "dc:a6:32:01:02:03", .serial = "9ffefdef",
		  .model = "4", .image = "bookworm", .ver = 2, .ip = "10.42.0.11",
		  .vars = "config.gpu_mem=16\nrack=r1\n" },
		{ .name = "node02", .model = "5" },
	};
	struct node_env env = { .cfg = &cfg, .all = all, .nall = 2,
				.machine_id = "0123456789abcdef0123456789abcdef",
				.image_config = "arm_64bit=1" };
	struct tscope *s = node_vars(&all[0], &env);
	char *out;

	(void)state;
	out = render("{{name}} {{mac}} {{mac_dashed}} {{serial}} {{model}} {{ip}} "
		     "{{server_ip}}/{{prefix_len}} {{image}} {{version}} {{cluster}} "
		     "{{export}} {{nfsroot}} {{machine_id}} {{image_config}} {{rack}} [{{ntp_servers}}]\n"
		     "{{#each nodes}}{{name}}:{{ip}}:{{mac}}:{{serial}}:{{model}} {{/each}}\n"
		     "{{#each config}}{{key}}={{value}}{{/each}}", s);
	assert_string_equal(out,
		"node01 dc:a6:32:01:02:03 dc-a6-32-01-02-03 9ffefdef 4 10.42.0.11 "
		"10.42.0.1/24 bookworm bookworm@2 lab "
		"/nodes/node01 10.42.0.1:/nodes/node01,vers=3,tcp,nolock,noacl 0123456789abcdef0123456789abcdef "
		"arm_64bit=1 r1 [10.42.0.1 192.0.2.1]\n"
		"node01:10.42.0.11:dc:a6:32:01:02:03:9ffefdef:4 node02::::5 \n"
		"gpu_mem=16");
	free(out);
	tscope_free(s);
	s = node_vars(&all[1], &env);
	out = render("[{{mac}}][{{mac_dashed}}][{{ip}}][{{version}}]", s);
	assert_string_equal(out, "[][][][]");
	free(out);
	tscope_free(s);
	assert_true(node_var_builtin("nfsroot"));
	assert_true(node_var_builtin("nodes"));
	assert_false(node_var_builtin("rack"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_builtin_is_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
