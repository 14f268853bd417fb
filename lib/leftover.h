/*
 * Processes a killed daemon left behind: found by their pid file, and
 * only if that pid still runs with our argument (a config path unique to
 * the state directory), so a reused pid or the same program serving
 * another state directory is never touched.
 */
#ifndef BRAMBLE_LEFTOVER_H
#define BRAMBLE_LEFTOVER_H

#include <sys/types.h>

/* The pid in pidfile if its command line holds arg as one whole argument; else 0. */
pid_t pidfile_owner(const char *pidfile, const char *arg);
/*
 * If pidfile names a live process with arg, SIGTERM it, wait for it to
 * exit (SIGKILL after timeout_ms) and log that. 0 when none ran or it is
 * gone; -1 with err set when it will not exit.
 */
int leftover_stop(const char *what, const char *pidfile, const char *arg, int timeout_ms);

#endif
