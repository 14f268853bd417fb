/*
 * The status page: daemon_status's object as one self-contained HTML page
 * (inline CSS, no script, no external assets: it works on an offline
 * cluster network) that reloads itself every REFRESH_S seconds. Every
 * string from the inventory is escaped.
 */
#include "bootsrv.h"
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REFRESH_S 2

static const char css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
	"Arial,sans-serif;color:#1f2328;background:#f4f6f8}"
	"header{display:flex;align-items:baseline;gap:16px;padding:14px 28px;background:#24292f;"
	"color:#fff}"
	"header h1{margin:0;font-size:20px;font-weight:600}"
	"header h1 span{font-weight:400;color:#9ea7b3;margin-left:6px}"
	"header .meta{margin-left:auto;color:#c9d1d9;font-size:13px}"
	"main{padding:20px 28px;max-width:1400px}"
	"section{margin-bottom:22px}"
	"h2{font-size:15px;margin:0 0 8px;color:#424a53;font-weight:600}"
	".summary{display:flex;gap:10px;flex-wrap:wrap}"
	".tile{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;"
	"min-width:110px}"
	".tile b{display:block;font-size:22px;font-weight:600}"
	".tile span{color:#57606a;font-size:12px;text-transform:uppercase;letter-spacing:.04em}"
	".card{background:#fff;border:1px solid #d0d7de;border-radius:8px;overflow:hidden}"
	"table{width:100%;border-collapse:collapse}"
	"th{text-align:left;font-size:12px;font-weight:600;color:#57606a;background:#f6f8fa;"
	"padding:8px 12px;border-bottom:1px solid #d0d7de;text-transform:uppercase;"
	"letter-spacing:.03em}"
	"td{padding:8px 12px;border-bottom:1px solid #eaeef2;vertical-align:middle}"
	"tr:last-child td{border-bottom:0}"
	".mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}"
	".sub{color:#6e7781;font-size:12px}"
	".badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;"
	"font-weight:600}"
	".up,.running{background:#dafbe1;color:#116329}"
	".dhcp,.tftp,.nfs,.starting{background:#fff8c5;color:#7d4e00}"
	".offline,.stopped{background:#eaeef2;color:#57606a}"
	".restarting{background:#ffebe9;color:#a40e26}"
	".steps{display:flex;gap:4px}"
	".step{padding:1px 7px;border-radius:4px;font-size:12px;border:1px solid #d0d7de;"
	"color:#8c959f;white-space:nowrap}"
	".step.done{background:#ddf4ff;border-color:#54aeff;color:#0a3069}"
	".step i{font-style:normal;color:#57606a;margin-left:4px}"
	".empty{padding:14px 12px;color:#6e7781}"
	"code{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:1px 6px}"
	".services{display:flex;gap:12px;flex-wrap:wrap}"
	".services .card{padding:10px 16px;min-width:260px}"
	".services h3{margin:0 0 6px;font-size:14px}"
	".kv{color:#57606a;font-size:13px}"
	"footer{padding:0 28px 24px;color:#6e7781;font-size:12px}"
	"footer a{color:#0969da}";

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static long long jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* "14:02:11" local time of ms since the epoch. */
static const char *clock_of(long long ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	strftime(buf, len, "%H:%M:%S", localtime_r(&t, &tm));
	return buf;
}

static int count_state(json_t *nodes, const char *state)
{
	json_t *n;
	size_t i;
	int c = 0;

	json_array_foreach(nodes, i, n)
		c += !strcmp(jstr(n, "state"), state);
	return c;
}

static void summary(FILE *f, json_t *nodes)
{
	static const char *const states[] = { "up", "dhcp", "tftp", "nfs", "offline" };

	fprintf(f, "<section class=\"summary\"><div class=\"tile\"><b>%zu</b><span>nodes</span></div>",
		json_array_size(nodes));
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		fprintf(f, "<div class=\"tile\"><b>%d</b><span class=\"badge %s\">%s</span></div>",
			count_state(nodes, states[i]), states[i], states[i]);
	fputs("</section>\n", f);
}

/* DHCP at its clock time, then each later step as seconds after it. */
static void timeline(FILE *f, json_t *tl)
{
	static const char *const steps[][2] = {
		{ "dhcp", "DHCP" }, { "tftp", "TFTP" }, { "nfs", "NFS" }, { "up", "up" } };
	long long t0 = jint(tl, "dhcp");
	char buf[16];

	fputs("<div class=\"steps\">", f);
	for (size_t i = 0; i < 4; i++) {
		json_t *t = json_object_get(tl, steps[i][0]);

		if (!json_is_integer(t)) {
			fprintf(f, "<span class=\"step\">%s</span>", steps[i][1]);
			continue;
		}
		fprintf(f, "<span class=\"step done\">%s", steps[i][1]);
		if (i == 0)
			fprintf(f, "<i>%s</i>", clock_of(json_integer_value(t), buf, sizeof buf));
		else
			fprintf(f, "<i>+%.1f s</i>", (json_integer_value(t) - t0) / 1000.0);
		fputs("</span>", f);
	}
	fputs("</div>", f);
}

static void node_row(FILE *f, json_t *n)
{
	const char *state = jstr(n, "state"), *running = jstr(n, "running_image");
	json_t *ms = json_object_get(n, "last_boot_ms");
	char ago[32];

	fputs("<tr id=\"node-", f);
	esc(f, jstr(n, "name"));
	fputs("\" data-state=\"", f);
	esc(f, state);
	fputs("\"><td><b>", f);
	esc(f, jstr(n, "name"));
	fputs("</b><div class=\"sub mono\">", f);
	esc(f, strcmp(jstr(n, "mac"), "-") ? jstr(n, "mac") : "no board yet");
	fprintf(f, "</div></td><td><span class=\"badge %s\">", state);
	esc(f, state);
	fputs("</span></td><td>", f);
	esc(f, jstr(n, "model"));
	fputs("</td><td class=\"mono\">", f);
	esc(f, jstr(n, "image"));
	if (strcmp(running, "-") && strcmp(running, jstr(n, "image"))) {
		fputs("<div class=\"sub\">running ", f);
		esc(f, running);
		fputs("</div>", f);
	}
	fputs("</td><td class=\"mono\">", f);
	esc(f, strcmp(jstr(n, "ip"), "-") ? jstr(n, "ip") : jstr(n, "fixed_ip"));
	fputs("</td><td>", f);
	timeline(f, json_object_get(n, "timeline"));
	if (json_is_integer(ms))
		fprintf(f, "</td><td>%.1f s</td>", json_integer_value(ms) / 1000.0);
	else
		fputs("</td><td>-</td>", f);
	fprintf(f, "<td>%s</td></tr>\n", fmt_ago(json_object_get(n, "last_seen"), ago, sizeof ago));
}

static void nodes_table(FILE *f, json_t *nodes)
{
	json_t *n;
	size_t i;

	fputs("<section><h2>Nodes</h2><div class=\"card\">", f);
	if (!json_array_size(nodes)) {
		fputs("<div class=\"empty\">No nodes yet: <code>imgtool node add NAME --mac MAC "
		      "--image IMAGE</code></div></div></section>\n", f);
		return;
	}
	fputs("<table id=\"nodes\"><tr><th>Node</th><th>State</th><th>Model</th><th>Image</th>"
	      "<th>Address</th><th>Last boot</th><th>Took</th><th>Last seen</th></tr>\n", f);
	json_array_foreach(nodes, i, n)
		node_row(f, n);
	fputs("</table></div></section>\n", f);
}

static void discovered_table(FILE *f, json_t *disc)
{
	json_t *p;
	size_t i;
	char ago[32];

	fputs("<section><h2>Pis waiting to be adopted</h2><div class=\"card\">", f);
	if (!json_array_size(disc)) {
		fputs("<div class=\"empty\">None: every Pi that asked to boot is a node.</div>"
		      "</div></section>\n", f);
		return;
	}
	fputs("<table id=\"discovered\"><tr><th>MAC</th><th>Serial</th><th>Model</th>"
	      "<th>Last seen</th><th>Adopt with</th></tr>\n", f);
	json_array_foreach(disc, i, p) {
		fputs("<tr><td class=\"mono\">", f);
		esc(f, jstr(p, "mac"));
		fputs("</td><td class=\"mono\">", f);
		esc(f, jstr(p, "serial"));
		fputs("</td><td>", f);
		esc(f, jstr(p, "model"));
		fprintf(f, "</td><td>%s</td><td><code>bootsrv adopt NAME --mac ",
			fmt_ago(json_object_get(p, "last_seen"), ago, sizeof ago));
		esc(f, jstr(p, "mac"));
		fputs("</code></td></tr>\n", f);
	}
	fputs("</table></div></section>\n", f);
}

static void service(FILE *f, const char *title, json_t *s, const char *detail)
{
	const char *state = jstr(s, "state");

	fprintf(f, "<div class=\"card\" id=\"svc-%s\"><h3>%s <span class=\"badge ", title, title);
	esc(f, state);
	fputs("\">", f);
	esc(f, state);
	fprintf(f, "</span></h3><div class=\"kv\">%s</div></div>", detail);
}

static void services(FILE *f, json_t *svc)
{
	json_t *dm = json_object_get(svc, "dnsmasq"), *nfs = json_object_get(svc, "nfs");
	json_t *dw = json_object_get(svc, "dhcp_watch");
	char buf[256];

	fputs("<section><h2>Services</h2><div class=\"services\">", f);
	snprintf(buf, sizeof buf, "DHCP + TFTP &middot; pid %lld &middot; %lld restarts &middot; "
		 "up to %lld transfers", jint(dm, "pid"), jint(dm, "restarts"), jint(dm, "tftp_max"));
	service(f, "dnsmasq", dm, buf);
	snprintf(buf, sizeof buf, "%s &middot; %lld roots published &middot; restarts: ganesha "
		 "%lld, rpcbind %lld", !strcmp(jstr(nfs, "backend"), "kernel") ? "kernel server" :
		 "NFS-Ganesha", jint(nfs, "published"), jint(nfs, "ganesha_restarts"),
		 jint(nfs, "rpcbind_restarts"));
	service(f, "nfs", nfs, buf);
	fprintf(f, "<div class=\"card\"><h3>DHCP watch</h3><div class=\"kv\">%lld packets seen "
		"&middot; %lld malformed</div></div>", jint(dw, "packets"), jint(dw, "malformed"));
	fputs("</div></section>\n", f);
}

/* Bytes as the page shows them: 1.2 GiB. */
static void size_cell(FILE *f, long long b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	fprintf(f, "<td>%.*f %s</td>", u ? 1 : 0, v, units[u]);
}

static void shares_table(FILE *f, json_t *shares)
{
	json_t *s, *m;
	size_t i, j;

	fputs("<section><h2>Shares</h2><div class=\"card\">", f);
	if (!json_array_size(shares)) {
		fputs("<div class=\"empty\">None: <code>imgtool share add NAME</code> makes one."
		      "</div></div></section>\n", f);
		return;
	}
	fputs("<table id=\"shares\"><tr><th>Share</th><th>Mounted at</th><th>Members</th>"
	      "<th>Mode</th><th>Used</th><th>Free</th></tr>\n", f);
	json_array_foreach(shares, i, s) {
		fputs("<tr><td>", f);
		esc(f, jstr(s, "name"));
		fputs("</td><td class=\"mono\">", f);
		esc(f, jstr(s, "mount"));
		fputs("</td><td>", f);
		json_array_foreach(json_object_get(s, "members"), j, m) {
			fputs(j ? ", " : "", f);
			esc(f, json_string_value(m));
		}
		fprintf(f, "</td><td>%s, %s squash, %s</td>",
			json_is_true(json_object_get(s, "ro")) ? "ro" : "rw",
			!strcmp(jstr(s, "squash"), "root") ? "root" :
			!strcmp(jstr(s, "squash"), "all") ? "all" : "no",
			!strcmp(jstr(s, "proto"), "v3") ? "NFSv3" : "NFSv4.1");
		size_cell(f, jint(s, "bytes_used"));
		size_cell(f, jint(s, "bytes_free"));
		fputs("</tr>\n", f);
	}
	fputs("</table></div></section>\n", f);
}

char *page_render(json_t *st)
{
	json_t *nodes = json_object_get(st, "nodes");
	char *out = NULL, now[16];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		abort();	/* out of memory, as xmalloc */
	fprintf(f, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta http-equiv=\"refresh\" content=\"%d\">"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		"<title>bramble &middot; ", REFRESH_S);
	esc(f, jstr(st, "cluster"));
	fprintf(f, "</title><style>%s</style></head><body>\n<header><h1>bramble<span>cluster ",
		css);
	esc(f, jstr(st, "cluster"));
	fputs("</span></h1><div class=\"meta\">server ", f);
	esc(f, jstr(st, "server_ip"));
	fprintf(f, " &middot; updated %s</div></header>\n<main>\n",
		clock_of(now_ms(), now, sizeof now));
	if (!json_is_true(json_object_get(st, "ok"))) {
		fputs("<p class=\"card empty\">Cannot read the status: ", f);
		esc(f, jstr(st, "error"));
		fputs("</p>", f);
	}
	/* what needs attention first; the node list can be long */
	summary(f, nodes);
	services(f, json_object_get(st, "services"));
	discovered_table(f, json_object_get(st, "discovered"));
	nodes_table(f, nodes);
	shares_table(f, json_object_get(st, "shares"));
	fprintf(f, "</main><footer>Refreshes every %d s &middot; <a href=\"/status.json\">"
		"status.json</a> &middot; <a href=\"/metrics\">metrics</a></footer>"
		"</body></html>\n", REFRESH_S);
	fclose(f);
	return out;
}
