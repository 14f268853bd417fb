/*
 * A supervised child process (dnsmasq): started with fork+exec so its
 * file-descriptor limit and scheduling priority can be set first, stdout+stderr on a pipe the
 * event loop reads, dies with bootsrv (PR_SET_PDEATHSIG).
 */
#ifndef BOOTSRV_CHILD_H
#define BOOTSRV_CHILD_H

#include <sys/types.h>

struct child {
	const char *name;
	pid_t pid;		/* 0 while not running */
	int out;		/* read end of its output pipe, -1 if none */
	long nofile;		/* RLIMIT_NOFILE for it, 0: inherit ours */
	int nice;		/* its nice value, 0: inherit ours */
	unsigned restarts;	/* times restarted after dying */
	long long started;	/* ms */
	long long died;		/* ms, 0 while running or never started */
};

/* Start argv[0] (searched in PATH); 0 or -1 with err set. */
int child_spawn(struct child *c, char *const argv[]);
/* SIGTERM, wait up to timeout_ms, then SIGKILL; reaps it. */
void child_stop(struct child *c, int timeout_ms);
/* Describe a wait status: "exited with status 2", "killed by signal 9". */
const char *child_status_str(int status, char *buf, size_t len);
/* Milliseconds since the epoch. */
long long now_ms(void);

#endif
