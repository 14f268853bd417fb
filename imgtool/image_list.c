/*
 * imgtool image list [--json]: every version with its size, the bytes only
 * it holds (what rm + gc would free) and the nodes using it. Reads without
 * the lock, so it answers while an import runs.
 */
#include "commands.h"

#include "db.h"
#include "err.h"
#include "store.h"
#include "xalloc.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MiB (1024.0 * 1024.0)

struct row {
	const char *name, *arch, *source, *report;
	int ver;
	long long created, files, bytes;
	unsigned long long unique;
	char *nodes;
};

static int usage(FILE *f)
{
	fputs("usage: imgtool image list [--json]\n\n"
	      "List the image versions in the store: name, version, architecture, when it\n"
	      "was imported, its file count and size, the bytes only it holds (freed by\n"
	      "'imgtool image rm' and then 'imgtool image gc'), and the nodes using it.\n\n"
	      "  --json      one JSON array of objects, with the source and import report\n"
	      "  -h, --help  this text\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static void print_header(void)
{
	printf("%-20s %4s %-6s %-16s %8s %10s %10s  %s\n", "IMAGE", "VER", "ARCH", "CREATED",
	       "FILES", "SIZE", "UNIQUE", "NODES");
}

static void print_text(const struct row *r)
{
	char when[32];
	time_t t = (time_t)r->created;

	strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&t));
	printf("%-20s %4d %-6s %-16s %8lld %8.1f M %8.1f M  %s\n", r->name, r->ver, r->arch, when,
	       r->files, r->bytes / MiB, r->unique / MiB, r->nodes ? r->nodes : "-");
}

static json_t *to_json(const struct row *r)
{
	json_t *nodes = json_array();

	for (const char *p = r->nodes; p && *p;) {
		size_t n = strcspn(p, ",");
		json_array_append_new(nodes, json_stringn(p, n));
		p += n;
		p += strspn(p, ", ");
	}
	return json_pack("{s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:o, s:s, s:s}",
			 "name", r->name, "version", r->ver, "arch", r->arch,
			 "created", (json_int_t)r->created, "files", (json_int_t)r->files,
			 "bytes", (json_int_t)r->bytes, "unique_bytes", (json_int_t)r->unique,
			 "nodes", nodes, "source", r->source, "report", r->report);
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);

	return s ? (const char *)s : "";
}

static int fill(struct ctx *ctx, sqlite3_stmt *q, struct row *r)
{
	char *vdir;
	int rc;

	r->name = col(q, 0);
	r->ver = sqlite3_column_int(q, 1);
	r->created = sqlite3_column_int64(q, 2);
	r->files = sqlite3_column_int64(q, 3);
	r->bytes = sqlite3_column_int64(q, 4);
	r->source = col(q, 5);
	r->report = col(q, 6);
	r->arch = col(q, 7);
	vdir = store_version_dir(&ctx->st, r->name, r->ver);
	rc = store_unique_bytes(vdir, &r->unique);
	free(vdir);
	return rc < 0 ? -1 : store_users(ctx->db, r->name, r->ver, &r->nodes);
}

static int list(struct ctx *ctx, int json)
{
	sqlite3_stmt *q;
	json_t *all = json_array();
	struct row r;
	int rc, n = 0;

	if (db_prepare(ctx->db, "SELECT v.image, v.ver, v.created, v.files, v.bytes, v.source,"
		       " v.report, i.arch FROM versions v JOIN images i ON i.name = v.image"
		       " ORDER BY v.image, v.ver", &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		if (fill(ctx, q, &r) < 0)
			break;
		if (json)
			json_array_append_new(all, to_json(&r));
		else if (n++ == 0)
			print_header();
		if (!json)
			print_text(&r);
		free(r.nodes);
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW || (rc != SQLITE_DONE && db_fail(ctx->db, "listing versions"))) {
		json_decref(all);
		return -1;
	}
	if (json) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (n == 0) {
		printf("no images yet: add one with 'imgtool image import SRC --name NAME'\n");
	}
	json_decref(all);
	return 0;
}

int cmd_image_list(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, json = 0;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);
	if (!ctx_state(ctx) || !ctx_db(ctx) || list(ctx, json) < 0)
		return cli_fail(ctx);
	return 0;
}
