#include "dnsmasq_log.h"

#include <stdio.h>
#include <string.h>

/* "<prefix><path><suffix><ip>": copy path and ip; 0 on match. */
static int take(const char *msg, const char *prefix, const char *suffix,
		struct dnsmasq_line *out)
{
	size_t pl = strlen(prefix);
	const char *end;

	if (strncmp(msg, prefix, pl))
		return -1;
	msg += pl;
	end = strstr(msg, suffix);
	if (!end || (size_t)(end - msg) >= sizeof out->path)
		return -1;
	memcpy(out->path, msg, (size_t)(end - msg));
	out->path[end - msg] = '\0';
	snprintf(out->ip, sizeof out->ip, "%s", end + strlen(suffix));
	return 0;
}

/* Split path into <root>/<mac-dashed>/<file>. */
static void split_path(const char *root, struct dnsmasq_line *out)
{
	size_t rl = strlen(root);
	const char *rest = out->path, *slash;
	char dir[MAC_STRLEN];

	if (!strncmp(rest, root, rl) && rest[rl] == '/')
		rest += rl + 1;
	slash = strchr(rest, '/');
	if (slash && slash - rest == MAC_STRLEN - 1) {
		memcpy(dir, rest, MAC_STRLEN - 1);
		dir[MAC_STRLEN - 1] = '\0';
		if (strchr(dir, '-') && mac_canonical(dir, out->mac) == 0)
			rest = slash + 1;
		else
			out->mac[0] = '\0';
	}
	snprintf(out->file, sizeof out->file, "%s", rest);
}

static void parse_tftp(const char *msg, const char *root, struct dnsmasq_line *out)
{
	if (take(msg, "sent ", " to ", out) == 0)
		out->kind = DL_TFTP_SENT;
	else if (take(msg, "failed sending ", " to ", out) == 0)
		out->kind = DL_TFTP_FAILED;
	else if (take(msg, "file ", " not found", out) == 0) {
		out->kind = DL_TFTP_NOT_FOUND;
		out->ip[0] = '\0';
	} else if (!strncmp(msg, "error ", 6) || strstr(msg, " from ")) {
		const char *from = strstr(msg, " from ");

		out->kind = DL_TFTP_ERROR;
		if (from)
			snprintf(out->ip, sizeof out->ip, "%s", from + 6);
		return;
	} else
		return;
	split_path(root, out);
}

void dnsmasq_parse_line(const char *line, const char *tftp_root, struct dnsmasq_line *out)
{
	const char *colon;

	out->kind = DL_OTHER;
	out->tftp = out->dhcp = 0;
	out->path[0] = out->file[0] = out->mac[0] = out->ip[0] = '\0';
	out->msg = line;
	if (strncmp(line, "dnsmasq", 7) || !(colon = strstr(line, ": ")))
		return;
	out->msg = colon + 2;
	if (line[7] == ':') {		/* "dnsmasq: ..." without a pid: fatal */
		out->kind = DL_FATAL;
		return;
	}
	out->tftp = !strncmp(line, "dnsmasq-tftp[", 13);
	out->dhcp = !strncmp(line, "dnsmasq-dhcp[", 13);
	if (out->tftp)
		parse_tftp(out->msg, tftp_root, out);
	else if (!strncmp(out->msg, "started, version ", 17))
		out->kind = DL_STARTED;
	else if (!strncmp(out->msg, "read ", 5))
		out->kind = DL_READ;
}
