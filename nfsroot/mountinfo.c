/*
 * /proc/self/mountinfo lookups. libmount would do, but we need three
 * fields of one line; the format is proc(5):
 *   id parent maj:min root mountpoint options [tags...] - fstype source superopts
 */
#include "nfsroot_int.h"

#include "err.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* Split one line; 0 ok, -1 malformed. Pointers go into line. */
static int parse_line(char *line, char **point, char **tags, char **fstype, char **opts)
{
	char *sep, *save = NULL, *tok;

	line[strcspn(line, "\n")] = '\0';
	if (!(sep = strstr(line, " - ")))
		return -1;
	*sep = '\0';
	tok = strtok_r(line, " ", &save);
	for (int i = 1; i < 5 && tok; i++)
		tok = strtok_r(NULL, " ", &save);
	if (!tok || !strtok_r(NULL, " ", &save))	/* mount point, then options */
		return -1;
	*point = tok;
	*tags = save;	/* what is left of the left side: "" or "shared:3 master:1" */
	*fstype = strtok_r(sep + 3, " ", &save);
	strtok_r(NULL, " ", &save);	/* source */
	*opts = strtok_r(NULL, " ", &save);
	return *fstype && *opts ? 0 : -1;
}

static bool covers(const char *point, const char *path, size_t *len)
{
	size_t n = strlen(point);

	if (strcmp(point, "/") == 0)
		n = 0;
	else if (strncmp(point, path, n) || (path[n] != '/' && path[n] != '\0'))
		return false;
	*len = n;
	return true;
}

int mountinfo_find(const char *path, bool exact, struct mnt *out)
{
	char *real = realpath(path, NULL), *line = NULL;
	const char *p = real ? real : path;
	size_t cap = 0, best = 0, len = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	memset(out, 0, sizeof *out);
	if (!f) {
		free(real);
		return err_errno("cannot read /proc/self/mountinfo");
	}
	while (getline(&line, &cap, f) > 0) {
		char *point, *tags, *fstype, *opts, *mp;

		if (parse_line(line, &point, &tags, &fstype, &opts) < 0)
			continue;
		mp = unescape(point);
		/* Later lines are mounted later: on top at equal length. */
		if (exact ? strcmp(mp, p) == 0 : covers(mp, p, &len) && (!found || len >= best)) {
			mnt_free(out);
			out->point = mp;
			out->fstype = xstrdup(fstype);
			out->opts = xstrdup(opts);
			out->tags = xstrdup(tags);
			best = exact ? 0 : len;
			found = 1;
		} else {
			free(mp);
		}
	}
	free(line);
	fclose(f);
	free(real);
	return found;
}

void mnt_free(struct mnt *m)
{
	free(m->point);
	free(m->fstype);
	free(m->opts);
	free(m->tags);
	memset(m, 0, sizeof *m);
}

bool opts_have(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *s = opts; s; s = strchr(s, ',')) {
		if (*s == ',')
			s++;
		if (strncmp(s, opt, n) == 0 && (s[n] == ',' || s[n] == '\0'))
			return true;
	}
	return false;
}
