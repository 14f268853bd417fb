#include "cli.h"

#include "db.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int take_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return 1;
	}
	if (strcmp(argv[*i], name))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*out = argv[++*i];
	return 1;
}

int cli_globals(struct ctx *ctx, int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		int r;

		if (strcmp(argv[i], "--") == 0) {	/* the rest belongs to a command */
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if ((r = take_value(argc, argv, &i, "--state", &ctx->state_arg)) ||
		    (r = take_value(argc, argv, &i, "--config", &ctx->config_arg))) {
			if (r < 0)
				return err_set("option %s needs a value", argv[i]);
			continue;
		}
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			ctx->quiet = 1;
		else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			ctx->verbose = 1;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	log_set_level(ctx->quiet ? L_ERR : ctx->verbose ? L_DEBUG : L_INFO);
	return out;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

static void list_verbs(struct ctx *ctx, const char *group, const struct cmd *table, FILE *f)
{
	fprintf(f, "usage: %s %s%s<command> [<args>]\n\ncommands:\n", ctx->prog,
		group ? group : "", group ? " " : "");
	for (const struct cmd *c = table; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun '%s %s%s<command> --help' for a command's options.\n",
		ctx->prog, group ? group : "", group ? " " : "");
}

int cli_dispatch(struct ctx *ctx, const char *group, const struct cmd *table,
		 int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		list_verbs(ctx, group, table, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (const struct cmd *c = table; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(ctx, argc - 1, argv + 1);
	return cli_usage(ctx, "'%s' is not a %s%scommand (see '%s %s%s--help')", argv[1],
			 group ? group : "", group ? " " : "", ctx->prog,
			 group ? group : "", group ? " " : "");
}

struct config *ctx_config(struct ctx *ctx)
{
	if (!ctx->have_config) {
		if (config_load(&ctx->cfg, ctx->config_arg) < 0)
			return NULL;
		ctx->have_config = 1;
	}
	return &ctx->cfg;
}

struct state *ctx_state(struct ctx *ctx)
{
	if (!ctx->have_state) {
		if (state_open(&ctx->st, ctx->state_arg) < 0)
			return NULL;
		ctx->have_state = 1;
	}
	return &ctx->st;
}

struct state *ctx_state_locked(struct ctx *ctx)
{
	struct state *st = ctx_state(ctx);

	return st && state_lock(st) == 0 ? st : NULL;
}

sqlite3 *ctx_db(struct ctx *ctx)
{
	struct state *st;

	if (!ctx->db && (st = ctx_state(ctx)) && db_open(st->dir, &ctx->db) < 0)
		ctx->db = NULL;
	return ctx->db;
}

void ctx_free(struct ctx *ctx)
{
	db_close(ctx->db);
	ctx->db = NULL;
	if (ctx->have_state)
		state_close(&ctx->st);
	if (ctx->have_config)
		config_free(&ctx->cfg);
	ctx->have_state = ctx->have_config = 0;
}

int cli_fail(struct ctx *ctx)
{
	(void)ctx;
	log_err("%s", err_get());
	return 1;
}

int cli_usage(struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ctx->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	return err_set("%s needs root (loop devices, mounts, file ownership): run it with sudo",
		       what);
}
