#include "child.h"

#include "err.h"
#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the forked child: nothing here may allocate or report; exit 127. */
static void exec_child(const struct child *c, char *const argv[], int pipe_w, pid_t parent)
{
	int devnull = open("/dev/null", O_RDONLY);

	child_reset_signals();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	if (c->nofile > 0) {
		struct rlimit rl = { (rlim_t)c->nofile, (rlim_t)c->nofile };
		struct rlimit cur;

		getrlimit(RLIMIT_NOFILE, &cur);
		if (cur.rlim_max > rl.rlim_max)
			rl.rlim_max = cur.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(pipe_w, 1);
	dup2(pipe_w, 2);
	/* on the pipe, so it reaches our log; the child runs on at the old priority */
	if (c->nice && setpriority(PRIO_PROCESS, 0, c->nice) < 0)
		dprintf(2, "%s: cannot set nice %d (%s): run bootsrv as root\n", c->name, c->nice,
			strerror(errno));
	execvp(argv[0], argv);
	dprintf(2, "%s: cannot run %s: %s\n", c->name, argv[0], strerror(errno));
	_exit(127);
}

int child_spawn(struct child *c, char *const argv[])
{
	int p[2];
	pid_t parent = getpid(), pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_errno("cannot create a pipe for %s", c->name);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_errno("cannot start %s", c->name);
	}
	if (pid == 0)
		exec_child(c, argv, p[1], parent);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	/* room for a burst of log lines: a full pipe stalls the child */
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	c->pid = pid;
	c->out = p[0];
	c->started = now_ms();
	c->died = 0;
	return 0;
}

void child_stop(struct child *c, int timeout_ms)
{
	int status;

	if (c->pid <= 0)
		return;
	kill(c->pid, SIGTERM);
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		if (waitpid(c->pid, &status, WNOHANG) == c->pid)
			goto reaped;
		usleep(20000);
	}
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &status, 0);
reaped:
	c->pid = 0;
	c->died = now_ms();
}

const char *child_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "stopped (status 0x%x)", status);
	return buf;
}
