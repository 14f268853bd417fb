/*
 * Run a helper program to completion (mtools, mkfs ...) and turn its
 * failure into one error line: the program's name, its exit status and the
 * last line it wrote to stderr.
 */
#ifndef BRAMBLE_RUNCMD_H
#define BRAMBLE_RUNCMD_H

/*
 * Run argv (PATH searched) with env (NULL-terminated "K=V" entries added to
 * ours, may be NULL); stdout goes to /dev/null. 0 when it exits 0. The
 * child is killed if we die, so nothing outlives a killed command.
 */
int run_cmd(const char *const argv[], const char *const env[]);

/*
 * In a forked child before exec: unblock every signal. exec keeps the
 * signal mask, and a daemon that takes its signals through a signalfd has
 * them blocked, so its children would otherwise ignore SIGTERM forever.
 */
void child_reset_signals(void);

#endif
