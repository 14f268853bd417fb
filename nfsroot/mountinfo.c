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

/* Call fn for every line of /proc/self/mountinfo, in mount order. */
typedef void (*mount_fn)(char *point, const char *fstype, const char *opts, const char *tags,
			 void *arg);

static int each_mount(mount_fn fn, void *arg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return err_errno("cannot read /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		char *point, *tags, *fstype, *opts;

		if (parse_line(line, &point, &tags, &fstype, &opts) == 0)
			fn(unescape(point), fstype, opts, tags, arg);	/* fn owns the point */
	}
	free(line);
	fclose(f);
	return 0;
}

struct find {
	const char *path;
	bool exact;
	size_t best;
	int found;
	struct mnt *out;
};

static void find_one(char *mp, const char *fstype, const char *opts, const char *tags, void *arg)
{
	struct find *x = arg;
	size_t len = 0;

	/* Later lines are mounted later: on top at equal length. */
	if (x->exact ? strcmp(mp, x->path) == 0 :
	    covers(mp, x->path, &len) && (!x->found || len >= x->best)) {
		mnt_free(x->out);
		x->out->point = mp;
		x->out->fstype = xstrdup(fstype);
		x->out->opts = xstrdup(opts);
		x->out->tags = xstrdup(tags);
		x->best = x->exact ? 0 : len;
		x->found = 1;
	} else {
		free(mp);
	}
}

int mountinfo_find(const char *path, bool exact, struct mnt *out)
{
	char *real = realpath(path, NULL);
	struct find x = { real ? real : path, exact, 0, 0, out };
	int rc;

	memset(out, 0, sizeof *out);
	rc = each_mount(find_one, &x);
	free(real);
	return rc < 0 ? -1 : x.found;
}

struct under {
	const char *dir;
	char **v;
	size_t n;
};

static void under_one(char *mp, const char *fstype, const char *opts, const char *tags, void *arg)
{
	struct under *u = arg;
	size_t len;

	(void)fstype;
	(void)opts;
	(void)tags;
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i], mp))
			goto skip;	/* a mount stacked on another, or its copy in a bind */
	if (strcmp(mp, "/") && covers(u->dir, mp, &len)) {
		u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
		u->v[u->n++] = mp;
		return;
	}
skip:
	free(mp);
}

static int deepest_first(const void *a, const void *b)
{
	return -strcmp(*(char *const *)a, *(char *const *)b);
}

int nfsroot_mounts_under(const char *dir, char ***points, size_t *n)
{
	char *real = realpath(dir, NULL);
	struct under u = { real ? real : dir, NULL, 0 };
	int rc = each_mount(under_one, &u);

	free(real);
	if (u.n)
		qsort(u.v, u.n, sizeof *u.v, deepest_first);
	*points = u.v;
	*n = u.n;
	return rc;
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
