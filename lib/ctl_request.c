#include "ctl_request.h"

#include "err.h"

#include <limits.h>
#include <string.h>

enum arg_type { A_STR, A_NAMES, A_COUNT, A_ID };

struct arg {
	const char *key;
	enum arg_type type;
	int required;
};

/* Each command with the arguments bootsrv_ctl.h gives it; the list ends
 * at the first entry without a key (one is always left over). */
static const struct cmd {
	const char *name;
	struct arg args[6];
} cmds[] = {
	{ .name = "status" },
	{ .name = "discover" },
	{ .name = "reload" },
	{ .name = "adopt", .args = { { "node", A_STR, 1 }, { "mac", A_STR, 0 } } },
	{ .name = "rollout", .args = { { "image", A_STR, 1 }, { "nodes", A_NAMES, 0 },
				       { "batch", A_COUNT, 0 }, { "timeout", A_COUNT, 0 },
				       { "reboot_cmd", A_STR, 0 } } },
	{ .name = "rollback", .args = { { "nodes", A_NAMES, 0 }, { "batch", A_COUNT, 0 },
					{ "timeout", A_COUNT, 0 }, { "reboot_cmd", A_STR, 0 } } },
	{ .name = "rollout-status", .args = { { "id", A_ID, 0 }, { "since", A_ID, 0 } } },
};

#define NCMDS (sizeof cmds / sizeof cmds[0])

static int names_ok(const json_t *v)
{
	size_t i;
	const json_t *s;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, s)
		if (!json_is_string(s))
			return 0;
	return 1;
}

/* Does v have the type a names? Counts become C ints in the daemon. */
static int type_ok(const json_t *v, enum arg_type t)
{
	switch (t) {
	case A_STR:
		return json_is_string(v);
	case A_NAMES:
		return names_ok(v);
	case A_COUNT:
		return json_is_integer(v) && json_integer_value(v) >= 1 &&
		       json_integer_value(v) <= INT_MAX;
	case A_ID:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	}
	return 0;
}

static const char *const expected[] = {
	[A_STR] = "a string",
	[A_NAMES] = "an array of node names",
	[A_COUNT] = "a whole number from 1 to 2147483647",
	[A_ID] = "a whole number from 0",
};

static int check_args(const struct cmd *c, const json_t *req)
{
	for (const struct arg *a = c->args; a->key; a++) {
		const json_t *v = json_object_get(req, a->key);

		if (!v && a->required)
			return err_set("%s needs \"%s\"", c->name, a->key);
		if (v && !type_ok(v, a->type))
			return err_set("%s: \"%s\" must be %s", c->name, a->key,
				       expected[a->type]);
	}
	return 0;
}

int ctl_request_parse(const char *line, json_t **req, const char **cmd)
{
	json_error_t jerr;
	json_t *r = json_loads(line, JSON_DISABLE_EOF_CHECK, &jerr);
	const char *name;

	if (!r)
		return err_set("request is not JSON");
	if (!json_is_object(r)) {
		json_decref(r);
		return err_set("request is not a JSON object");
	}
	if (!(name = json_string_value(json_object_get(r, "cmd")))) {
		json_decref(r);
		return err_set("request has no \"cmd\"");
	}
	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		if (check_args(&cmds[i], r) < 0) {
			json_decref(r);
			return -1;
		}
		*req = r;
		*cmd = name;
		return 0;
	}
	json_decref(r);
	return err_set("unknown command (status, discover, adopt, reload, rollout, rollback, "
		       "rollout-status)");
}
