#include "ctl_request.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* The error ctl_request_parse gives line, or NULL when it accepts it. */
static const char *refusal(const char *line)
{
	json_t *req;
	const char *cmd;

	err_clear();
	if (ctl_request_parse(line, &req, &cmd) < 0)
		return err_get();
	json_decref(req);
	return NULL;
}

static void accepts_what_the_clients_send(void **state)
{
	json_t *req;
	const char *cmd;

	(void)state;
	assert_int_equal(ctl_request_parse("{\"cmd\":\"status\"}\n", &req, &cmd), 0);
	assert_string_equal(cmd, "status");
	json_decref(req);
	assert_null(refusal("{\"cmd\":\"adopt\",\"node\":\"node01\",\"mac\":\"dc:a6:32:01:02:03\"}"));
	assert_null(refusal("{\"cmd\":\"rollout\",\"image\":\"os@2\",\"nodes\":[\"n1\",\"n2\"],"
			    "\"batch\":2,\"timeout\":60,\"reboot_cmd\":\"true\"}"));
	assert_null(refusal("{\"cmd\":\"rollback\"}"));
	assert_null(refusal("{\"cmd\":\"rollout-status\",\"id\":3,\"since\":0}"));
	/* keys a newer client may add are left to the daemon */
	assert_null(refusal("{\"cmd\":\"status\",\"verbose\":true}"));
}

static void refuses_what_is_not_a_request(void **state)
{
	(void)state;
	assert_string_equal(refusal("status"), "request is not JSON");
	assert_string_equal(refusal("[\"status\"]"), "request is not a JSON object");
	assert_string_equal(refusal("{\"cmd\":7}"), "request has no \"cmd\"");
	assert_non_null(strstr(refusal("{\"cmd\":\"reboot\"}"), "unknown command"));
}

static void refuses_arguments_of_the_wrong_type(void **state)
{
	(void)state;
	assert_string_equal(refusal("{\"cmd\":\"adopt\"}"), "adopt needs \"node\"");
	assert_string_equal(refusal("{\"cmd\":\"adopt\",\"node\":\"n1\",\"mac\":5}"),
			    "adopt: \"mac\" must be a string");
	assert_string_equal(refusal("{\"cmd\":\"rollout\",\"nodes\":[]}"), "rollout needs \"image\"");
	assert_non_null(strstr(refusal("{\"cmd\":\"rollback\",\"nodes\":[\"n1\",2]}"),
			       "\"nodes\" must be an array of node names"));
	assert_non_null(strstr(refusal("{\"cmd\":\"rollback\",\"batch\":\"2\"}"), "\"batch\""));
	assert_non_null(strstr(refusal("{\"cmd\":\"rollback\",\"timeout\":1.5}"), "\"timeout\""));
	/* 2^32 + 1 used to reach the daemon's int as a batch of 1 */
	assert_non_null(strstr(refusal("{\"cmd\":\"rollback\",\"batch\":4294967297}"),
			       "\"batch\""));
	assert_non_null(strstr(refusal("{\"cmd\":\"rollout-status\",\"id\":-1}"), "\"id\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_what_the_clients_send),
		cmocka_unit_test(refuses_what_is_not_a_request),
		cmocka_unit_test(refuses_arguments_of_the_wrong_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
