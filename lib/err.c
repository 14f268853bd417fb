#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char msg[1024];

static void vset(const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof msg, fmt, ap);
}

int err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	return -1;
}

int err_errno(const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	n = strlen(msg);
	snprintf(msg + n, sizeof msg - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

int err_wrap(const char *fmt, ...)
{
	char old[sizeof msg];
	size_t n;
	va_list ap;

	memcpy(old, msg, sizeof old);
	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	n = strlen(msg);
	snprintf(msg + n, sizeof msg - n, "%s", old[0] ? old : "unknown error");
	return -1;
}

const char *err_get(void)
{
	return msg[0] ? msg : "unknown error";
}

void err_clear(void)
{
	msg[0] = '\0';
}
