/*
 * Allocation that cannot fail (git's xmalloc idea): out of memory in a
 * short-lived tool or our daemon is not recoverable, so abort with a line.
 */
#ifndef BRAMBLE_XALLOC_H
#define BRAMBLE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
#include <stdarg.h>

char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
