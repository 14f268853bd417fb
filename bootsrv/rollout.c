/*
 * bootsrv rollout NAME@VER [--nodes LIST] [--batch N] [--timeout S] [--reboot-cmd CMD]
 * bootsrv rollback [--nodes LIST] [--batch N] [--timeout S] [--reboot-cmd CMD]
 * bootsrv rollout --status [--wait] [--json]
 *
 * The client side: ask the daemon to start (rollout_run.c does the work),
 * then print its log as it grows until it ends. The rollout does not
 * depend on this process: ^C here leaves it running.
 */
#include "bootsrv.h"
#include "client.h"

#include "err.h"
#include "node_parse.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 300

static const char rollout_usage[] =
	"usage: bootsrv rollout NAME[@VER] [--nodes LIST] [--batch N] [--timeout SECONDS]\n"
	"                       [--reboot-cmd CMD]\n"
	"       bootsrv rollout --status [--wait] [--json]\n"
	"\n"
	"Move nodes to image version NAME@VER (the newest without @VER), a batch at a\n"
	"time: hold each node (its DHCP unanswered) and reboot it through the reboot\n"
	"hook on the root it runs on; when it asks to boot, switch its root while it is\n"
	"down (unexport, unmount, re-render its identity layer and boot dir, mount,\n"
	"export) and answer its next DHCP retry; wait for its heartbeat with a new boot\n"
	"id and the new version. A node not back in time stops the rollout: its batch\n"
	"goes back (a switched node rebooted and switched back the same way), the nodes\n"
	"after it are not touched, and the command exits 1 naming the node and how far\n"
	"its boot got (no DHCP, no TFTP, no NFS mount, no heartbeat). Each node keeps\n"
	"its own files ('imgtool node diff' shows those the new version changed too).\n"
	"The rollout runs in the daemon: it goes on if this command is interrupted, and\n"
	"resumes if bootsrv restarts.\n"
	"\n"
	"  --nodes LIST       nodes to move, comma-separated, ranges like node[01-08]\n"
	"                     (default: every node of image NAME not on NAME@VER yet)\n"
	"  --batch N          nodes switched and rebooted together (default 1)\n"
	"  --timeout SECONDS  how long a node may take from reboot to heartbeat, its\n"
	"                     switch included (300)\n"
	"  --reboot-cmd CMD   the reboot hook: sh runs 'CMD NODE ADDRESS MAC IMAGE' (the\n"
	"                     same in $BRAMBLE_NODE, $BRAMBLE_NODE_IP, $BRAMBLE_NODE_MAC,\n"
	"                     $BRAMBLE_IMAGE); it starts the reboot and exits 0. Default:\n"
	"                     bootsrv.reboot_cmd of bramble.conf, else ssh root@ADDRESS with\n"
	"                     the cluster key every node's identity layer authorizes\n"
	"  --status           the latest rollout or rollback: nodes, state, log\n"
	"  --wait             with --status: follow it until it ends (exit 1 if it failed)\n"
	"  --json             with --status: as JSON\n";

static const char rollback_usage[] =
	"usage: bootsrv rollback [--nodes LIST] [--batch N] [--timeout SECONDS]\n"
	"                        [--reboot-cmd CMD]\n"
	"\n"
	"Return nodes to the image version they ran before their last rollout (or\n"
	"rollback), as a rollout does: a batch at a time, each node rebooted and waited\n"
	"for, stopping and switching a batch back when a node does not come back.\n"
	"Without --nodes: the nodes the latest rollout moved. The options are those of\n"
	"'bootsrv rollout'.\n";

struct opts {
	const char *image;
	json_t *nodes;		/* NULL: the daemon's default */
	long batch, timeout;
	const char *reboot_cmd;
	int status, wait, json;
};

/* "a,node[01-04],b" -> node names. */
static int parse_nodes(const char *spec, json_t **out)
{
	char *copy = xstrdup(spec), *save = NULL;
	json_t *a = json_array();
	int rc = 0;

	for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
	     item = strtok_r(NULL, ",", &save)) {
		char **names;
		size_t n;

		if ((rc = node_range(item, &names, &n)) < 0)
			break;
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_string(names[i]));
		node_names_free(names, n);
	}
	free(copy);
	if (rc == 0 && json_array_size(a) == 0)
		rc = err_set("--nodes '%s' names no node", spec);
	if (rc < 0)
		json_decref(a);
	else
		*out = a;
	return rc;
}

static int positive(const char *opt, const char *arg, long *out)
{
	char *end;

	*out = strtol(arg, &end, 10);
	if (*arg == '\0' || *end || *out < 1 || *out > 86400)
		return err_set("%s %s: give a whole number from 1 to 86400", opt, arg);
	return 0;
}

static int parse(struct ctx *ctx, int rollback, int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "reboot-cmd", required_argument, NULL, 'r' },
		{ "status", no_argument, NULL, 's' },
		{ "wait", no_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb = rollback ? "rollback" : "rollout";
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int rc = 0;

		switch (c) {
		case 'n': rc = o->nodes ? err_set("give --nodes once") : parse_nodes(optarg, &o->nodes); break;
		case 'b': rc = positive("--batch", optarg, &o->batch); break;
		case 't': rc = positive("--timeout", optarg, &o->timeout); break;
		case 'r': o->reboot_cmd = optarg; break;
		case 's': o->status = !rollback; rc = rollback ? err_set("unknown option --status") : 0; break;
		case 'w': o->wait = 1; break;
		case 'j': o->json = 1; break;
		default: return cli_usage(ctx, "%s: see 'bootsrv %s --help'", verb, verb);
		}
		if (rc < 0)
			return cli_usage(ctx, "%s: %s", verb, err_get());
	}
	if (o->status && optind == argc)
		return 0;
	if (o->status || o->wait || o->json)
		return cli_usage(ctx, "%s: --wait and --json go with --status alone", verb);
	if (!rollback && optind == argc - 1) {
		o->image = argv[optind];
		return 0;
	}
	if (rollback && optind == argc)
		return 0;
	return cli_usage(ctx, rollback ? "rollback takes options only (see 'bootsrv rollback --help')"
				       : "rollout: give one NAME@VER (see 'bootsrv rollout --help')");
}

static json_t *request(const char *cmd, const struct opts *o)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd);

	if (o->image)
		json_object_set_new(req, "image", json_string(o->image));
	if (o->nodes)
		json_object_set(req, "nodes", o->nodes);
	if (o->batch)
		json_object_set_new(req, "batch", json_integer(o->batch));
	if (o->timeout)
		json_object_set_new(req, "timeout", json_integer(o->timeout));
	if (o->reboot_cmd)
		json_object_set_new(req, "reboot_cmd", json_string(o->reboot_cmd));
	return req;
}

/* Ask; no daemon is an error here: rollouts run in it. */
static int ask(struct ctx *ctx, json_t *req, json_t **resp)
{
	int rc = client_ask(ctx, req, resp);

	json_decref(req);
	if (rc == 1)
		return err_set("bootsrv is not running: rollouts run in the daemon, start it "
			       "('bootsrv run' or systemctl start bootsrv)");
	return rc;
}

static void print_log(json_t *st, long long *since)
{
	json_t *log = json_object_get(st, "log"), *l;
	size_t i;

	json_array_foreach(log, i, l) {
		time_t t = (time_t)(json_integer_value(json_object_get(l, "time")) / 1000);
		char when[16];

		strftime(when, sizeof when, "%H:%M:%S", localtime(&t));
		printf("%s %s\n", when, json_string_value(json_object_get(l, "line")));
		*since = json_integer_value(json_object_get(l, "seq"));
	}
	fflush(stdout);
}

/* The ended rollout's outcome: 0 done, -1 failed (err set). */
static int outcome(json_t *st)
{
	const char *state = json_string_value(json_object_get(st, "state"));
	const char *error = json_string_value(json_object_get(st, "error"));

	if (!strcmp(state, "done"))
		return 0;
	return err_set("%s %lld failed: %s", json_string_value(json_object_get(st, "kind")),
		       (long long)json_integer_value(json_object_get(st, "id")),
		       error ? error : "see 'bootsrv rollout --status'");
}

/* Print the log of rollout id from seq since on until it ends. */
static int follow(struct ctx *ctx, long long id, long long since)
{
	struct timespec pause = { 0, POLL_MS * 1000000L };
	int errors = 0;

	for (;;) {
		json_t *st, *req = json_pack("{s:s, s:I, s:I}", "cmd", "rollout-status", "id",
					     (json_int_t)id, "since", (json_int_t)since);
		const char *state;
		int rc = client_ask(ctx, req, &st);

		json_decref(req);
		if (rc == 1)
			return err_set("bootsrv stopped; the rollout resumes when it starts again "
				       "(follow it with 'bootsrv rollout --status --wait')");
		/* a daemon dying while it answers: the next try tells */
		if (rc < 0 && ++errors < 3) {
			nanosleep(&pause, NULL);
			continue;
		}
		if (rc < 0)
			return -1;
		errors = 0;
		print_log(st, &since);
		state = json_string_value(json_object_get(st, "state"));
		if (strcmp(state, "running") && strcmp(state, "reverting")) {
			rc = outcome(st);
			json_decref(st);
			return rc;
		}
		json_decref(st);
		nanosleep(&pause, NULL);
	}
}

static void print_status(json_t *st)
{
	json_t *nodes = json_object_get(st, "nodes"), *n;
	size_t i;

	printf("%s %lld to %s: %s\n", json_string_value(json_object_get(st, "kind")),
	       (long long)json_integer_value(json_object_get(st, "id")), jstr(st, "target"),
	       jstr(st, "state"));
	printf("%-12s %5s %-16s %-16s %-9s %s\n", "NODE", "BATCH", "FROM", "TO", "STATE", "WHY");
	json_array_foreach(nodes, i, n)
		printf("%-12s %5lld %-16s %-16s %-9s %s\n", jstr(n, "name"),
		       (long long)json_integer_value(json_object_get(n, "batch")), jstr(n, "from"),
		       jstr(n, "to"), jstr(n, "state"), jstr(n, "why"));
}

static int status(struct ctx *ctx, const struct opts *o)
{
	json_t *st;
	long long since = 0, id;
	int rc;

	if (ask(ctx, json_pack("{s:s}", "cmd", "rollout-status"), &st) < 0)
		return -1;
	id = json_integer_value(json_object_get(st, "id"));
	if (o->json)
		print_json(st);
	else if (!o->wait)
		print_status(st);
	if (!o->wait) {
		json_decref(st);
		return 0;
	}
	print_log(st, &since);
	json_decref(st);
	rc = follow(ctx, id, since);
	return rc;
}

static int run(struct ctx *ctx, int rollback, int argc, char **argv)
{
	struct opts o = { 0 };
	json_t *resp;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(rollback ? rollback_usage : rollout_usage, stdout);
		return 0;
	}
	if ((rc = parse(ctx, rollback, argc, argv, &o)) != 0)
		goto out;
	if (o.status)
		rc = status(ctx, &o);
	else if ((rc = ask(ctx, request(rollback ? "rollback" : "rollout", &o), &resp)) == 0) {
		long long id = json_integer_value(json_object_get(resp, "id"));

		json_decref(resp);
		rc = follow(ctx, id, 0);
	}
	rc = rc < 0 ? cli_fail(ctx) : 0;
out:
	json_decref(o.nodes);
	return rc;
}

int cmd_rollout(struct ctx *ctx, int argc, char **argv)
{
	return run(ctx, 0, argc, argv);
}

int cmd_rollback(struct ctx *ctx, int argc, char **argv)
{
	return run(ctx, 1, argc, argv);
}
