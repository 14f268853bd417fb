#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *prog = "bramble";
static enum log_level level = L_INFO;
static int journal;	/* stderr is connected to journald: use <N> prefixes */

void log_init(const char *name, enum log_level max)
{
	prog = name;
	level = max;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(enum log_level max)
{
	level = max;
}

enum log_level log_get_level(void)
{
	return level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { 3, 4, 6, 7 };
	va_list ap;

	if (lvl > level)
		return;
	if (journal)
		fprintf(stderr, "<%d>", prio[lvl]);
	else
		fprintf(stderr, "%s: %s: ", prog, names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
