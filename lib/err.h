/*
 * One-line error reporting.
 *
 * Deep code knows the object that failed; main() knows when to print. So a
 * failing function records one message with err_set()/err_errno() and
 * returns -1; callers may add context with err_wrap(); main prints err_get()
 * once. Every message names the object and, where there is one, the fix.
 */
#ifndef BRAMBLE_ERR_H
#define BRAMBLE_ERR_H

#define ERR_FMT __attribute__((format(printf, 1, 2)))

/* Record a message; returns -1 so callers can `return err_set(...)`. */
int err_set(const char *fmt, ...) ERR_FMT;
/* As err_set, with ": strerror(errno)" appended (errno read on entry). */
int err_errno(const char *fmt, ...) ERR_FMT;
/* Put context in front of the recorded message ("importing x: " + msg). */
int err_wrap(const char *fmt, ...) ERR_FMT;
/* The recorded message, or "unknown error" when none was set. */
const char *err_get(void);
void err_clear(void);

#endif
