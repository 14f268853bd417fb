#include "runcmd.h"

#include "err.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char **merged_env(const char *const env[])
{
	size_t n = 0, m = 0;
	char **out;

	while (environ[n])
		n++;
	while (env && env[m])
		m++;
	out = xcalloc(n + m + 1, sizeof *out);
	for (size_t i = 0; i < m; i++)
		out[i] = (char *)env[i];
	/* Ours first: getenv() takes the first match. */
	memcpy(out + m, environ, n * sizeof *out);
	return out;
}

/* Last non-empty line of what the child wrote to fd. */
static void last_line(int fd, char *line, size_t cap)
{
	char buf[4096], *cur = xmalloc(cap);
	size_t len = 0;
	ssize_t n;

	line[0] = '\0';
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				if (len) {
					memcpy(line, cur, len);
					line[len] = '\0';
				}
				len = 0;
			} else if (len + 1 < cap) {
				cur[len++] = buf[i];
			}
		}
	}
	if (len) {
		memcpy(line, cur, len);
		line[len] = '\0';
	}
	free(cur);
}

void child_reset_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In the child: die with the parent (a killed import must not leave a
 * helper writing into its staging dir), quiet stdout, stderr to the pipe. */
static void child(const char *const argv[], char **envp, int errfd, pid_t parent)
{
	int null = open("/dev/null", O_WRONLY);

	/* The parent may have died before prctl: then getppid() changed. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || null < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0)
		_exit(127);
	child_reset_signals();
	environ = envp;
	execvp(argv[0], (char *const *)argv);
	dprintf(errfd, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int run_cmd(const char *const argv[], const char *const env[])
{
	char **envp = merged_env(env), line[512];
	int pipefd[2], status;
	pid_t pid, parent = getpid();

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(envp);
		return err_errno("cannot run %s", argv[0]);
	}
	pid = fork();
	if (pid == 0)
		child(argv, envp, pipefd[1], parent);
	free(envp);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return err_errno("cannot run %s", argv[0]);
	}
	last_line(pipefd[0], line, sizeof line);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_errno("cannot wait for %s", argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return err_set("%s failed (exit %d)%s%s", argv[0], WEXITSTATUS(status),
			       line[0] ? ": " : "", line);
	return err_set("%s killed by signal %d", argv[0], WTERMSIG(status));
}
