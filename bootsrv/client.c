/* What the client verbs share: asking the daemon, printing times. */
#include "bootsrv.h"
#include "client.h"

#include "bootsrv_ctl.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int client_ask(struct ctx *ctx, json_t *req, json_t **resp)
{
	struct state *st = ctx_state(ctx);
	int rc;

	*resp = NULL;
	if (!st)
		return -1;
	rc = bootsrv_call(st, req, resp);
	if (rc != 0)
		return rc;
	if (!json_is_true(json_object_get(*resp, "ok"))) {
		const char *e = json_string_value(json_object_get(*resp, "error"));

		err_set("%s", e ? e : "bootsrv answered an error without a message");
		json_decref(*resp);
		*resp = NULL;
		return -1;
	}
	return 0;
}

const char *fmt_ago(json_t *ms, char *buf, size_t len)
{
	long long then = json_integer_value(ms), s;

	if (!json_is_integer(ms) || then <= 0)
		return "-";
	s = (now_ms() - then) / 1000;
	if (s < 120)
		snprintf(buf, len, "%llds ago", s < 0 ? 0 : s);
	else if (s < 7200)
		snprintf(buf, len, "%lldmin ago", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%lldh ago", s / 3600);
	else
		snprintf(buf, len, "%lldd ago", s / 86400);
	return buf;
}

const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

int print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);

	puts(s);
	free(s);
	return 0;
}
