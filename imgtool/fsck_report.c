/*
 * How fsck reports: one line per problem on stdout, with its repair.
 */
#include "fsck.h"

#include "err.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct fsck_fix FSCK_REMOVE = { "removes it", "removed" };
const struct fsck_fix FSCK_REBUILD = { "rebuilds them", "rebuilt" };
const struct fsck_fix FSCK_UNMOUNT = { "unmounts it", "unmounted" };
const struct fsck_fix FSCK_DETACH = { "detaches it", "detached" };
const struct fsck_fix FSCK_RELINK = { "stores it again", "stored again" };

static void line(struct fsck *f, const char *msg, const char *tail)
{
	if (f->progress.drawn) {	/* the line replaces the bar on the terminal */
		fputs("\r\033[K", stderr);
		f->progress.drawn = 0;
	}
	printf("%s%s\n", msg, tail);
	fflush(stdout);
}

void fsck_fixable(struct fsck *f, const struct fsck_fix *how, fsck_fix_fn fn, const void *arg,
		  const char *fmt, ...)
{
	char *msg, *tail;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	f->problems++;
	if (!f->repair) {
		tail = xasprintf(" (imgtool fsck --repair %s)", how->will);
	} else if (fn(f, arg) == 0) {
		f->fixed++;
		tail = xasprintf(": %s", how->done);
	} else {
		tail = xasprintf(": not repaired: %s", err_get());
	}
	line(f, msg, tail);
	free(msg);
	free(tail);
}

void fsck_unfixable(struct fsck *f, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	f->problems++;
	line(f, msg, "");
	free(msg);
}

const char *fsck_rel(const struct fsck *f, const char *path)
{
	size_t n = strlen(f->st->dir);

	if (strncmp(path, f->st->dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}
