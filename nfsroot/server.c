/*
 * NFS-Ganesha and rpcbind as children of the caller (bootsrv), which reaps
 * and restarts them. Both run in one mount namespace of their own:
 *  - a private tmpfs /run, because rpcbind's /run/rpcbind.sock is a path
 *    and not network-namespace scoped; sharing the host's would register
 *    our ports with another rpcbind (reference nfs.md §5, pitfall 1);
 *  - slave propagation from a shared state directory, so node roots
 *    mounted after the start reach Ganesha (pitfall 2).
 * The namespace fd is kept, so a restarted child rejoins the same /run.
 * Network: the caller's namespace; Ganesha binds cfg->server_ip.
 */
#include "nfsroot_int.h"

#include "clock.h"
#include "err.h"
#include "fsutil.h"
#include "leftover.h"
#include "log.h"
#include "runcmd.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>	/* libnfs.h 4.0 uses struct timeval without including it */
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>

#define RPCBIND_SOCK "/run/rpcbind.sock"
#define READY_WAIT_MS 10000
#define STOP_WAIT_MS 10000

/* In the child: the new namespace with its private /run, or the kept one. */
static int enter_namespace(int mntns, uid_t rpc_uid)
{
	if (mntns >= 0)
		return setns(mntns, CLONE_NEWNS);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0 ||
	    mkdir("/run/rpcbind", 0755) < 0 || chown("/run/rpcbind", rpc_uid, (gid_t)-1) < 0)
		return -1;
	return 0;
}

/*
 * fork + enter the namespace + exec. A failure before exec comes back as
 * errno through a close-on-exec pipe, so it is reported here, not lost.
 */
static pid_t spawn(const struct nfs_server *s, uid_t rpc_uid, const char *prog,
		   char *const argv[], bool is_rpcbind)
{
	int fds[2], e = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_errno("cannot create a pipe");
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_errno("cannot fork for %s", prog);
	}
	if (pid == 0) {
		close(fds[0]);
		child_reset_signals();
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (enter_namespace(s->mntns, rpc_uid) == 0 && chdir("/") == 0) {
			if (is_rpcbind)
				unlink(RPCBIND_SOCK);	/* a dead rpcbind's, when restarting */
			execvp(prog, argv);
		}
		e = errno;
		if (write(fds[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	while (read(fds[0], &e, sizeof e) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (e) {
		waitpid(pid, NULL, 0);
		errno = e;
		return err_errno("cannot start %s in its own mount namespace", prog);
	}
	return pid;
}

/* Has child pid exited? Reaps it. */
static bool exited(pid_t pid, int *status)
{
	pid_t r = waitpid(pid, status, WNOHANG);

	return r == pid || (r < 0 && errno == ECHILD);
}

static void stop_child(pid_t *pid, const char *what)
{
	int status;

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (long long end = mono_ms() + STOP_WAIT_MS; !exited(*pid, &status); usleep(20 * 1000)) {
		if (mono_ms() > end) {
			log_warn("%s (pid %d) ignored SIGTERM for %d s: killing it", what,
				 (int)*pid, STOP_WAIT_MS / 1000);
			kill(*pid, SIGKILL);
			waitpid(*pid, &status, 0);
			break;
		}
	}
	*pid = 0;
}

/* rpcbind is up when its socket, seen through its own /run, accepts. */
static int wait_rpcbind(pid_t pid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int status;

	snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/%d/root" RPCBIND_SOCK, (int)pid);
	for (long long end = mono_ms() + READY_WAIT_MS; mono_ms() < end; usleep(10 * 1000)) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;

		if (fd >= 0)
			close(fd);
		if (ok)
			return 0;
		if (exited(pid, &status))
			return err_set("rpcbind exited at start (status %d)", status);
	}
	return err_set("rpcbind did not open %s within %d s", RPCBIND_SOCK, READY_WAIT_MS / 1000);
}

struct probe {
	bool done;
	int status;
};

static void probe_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct probe *p = priv;

	(void)rpc;
	(void)data;
	p->done = true;
	p->status = status;
}

/* Does a MOUNT server answer on addr (through rpcbind, like a client)? */
static bool answers(const char *addr)
{
	struct rpc_context *rpc = rpc_init_context();
	struct probe p = { 0 };

	if (!rpc)
		return false;
	if (mount_getexports_async(rpc, addr, probe_cb, &p) == 0) {
		for (long long end = mono_ms() + 1000; !p.done && mono_ms() < end; ) {
			struct pollfd pfd = { .fd = rpc_get_fd(rpc), .events = rpc_which_events(rpc) };
			int n = poll(&pfd, 1, 100);

			if (n < 0 || rpc_service(rpc, n > 0 ? pfd.revents : 0) < 0)
				break;
		}
	}
	rpc_destroy_context(rpc);
	return p.done && p.status == 0;
}

/* The message part of a Ganesha log line of that level, or NULL. */
static const char *message(const char *line, const char *level)
{
	const char *m = strstr(line, level);

	return m && m < line + strcspn(line, "\n") ? m + strlen(level) : NULL;
}

char *ganesha_complaint(const char *log)
{
	const char *prev = NULL, *m;

	for (const char *l = log; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		/* Config errors name file, line and value: the first says it all. */
		if ((m = message(l, "config_errs_to_log :CONFIG :CRIT :")))
			return xasprintf("%.*s", (int)strcspn(m, "\n"), m);
		/* A fatal line says "cannot continue"; the complaint before it, why. */
		if ((m = message(l, " :FATAL :")))
			return prev ? xasprintf("%.*s; %.*s", (int)strcspn(prev, "\n"), prev,
						(int)strcspn(m, "\n"), m)
				    : xasprintf("%.*s", (int)strcspn(m, "\n"), m);
		if ((m = message(l, " :WARN :")) || (m = message(l, " :CRIT :")))
			prev = m;
	}
	return NULL;
}

static int wait_ganesha(pid_t pid, const char *addr, const char *log, off_t from)
{
	long long start = mono_ms();
	char *text = NULL, *why = NULL;
	int status;

	while (mono_ms() - start < READY_WAIT_MS) {
		if (answers(addr)) {
			log_info("NFS-Ganesha (pid %d) serving on %s after %lld ms", (int)pid, addr,
				 mono_ms() - start);
			return 0;
		}
		if (exited(pid, &status)) {
			if (read_file(log, &text, NULL) == 0 && (size_t)from <= strlen(text))
				why = ganesha_complaint(text + from);
			err_set("NFS-Ganesha exited at start (status %d)%s%s: see %s", status,
				why ? ": " : "", why ? why : "", log);
			free(why);
			free(text);
			return -2;	/* reaped */
		}
		usleep(10 * 1000);
	}
	return err_set("NFS-Ganesha (pid %d) did not answer on %s within %d s: see %s",
		       (int)pid, addr, READY_WAIT_MS / 1000, log);
}

/* Ganesha exits when Bind_Addr is not ours; say so in bramble.conf's terms. */
static int check_bind_addr(const struct config *cfg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, rc = 0;

	if (inet_pton(AF_INET, cfg->server_ip, &sa.sin_addr) != 1)
		return err_set("server_ip '%s' is not an IPv4 address (bramble.conf)",
			       cfg->server_ip);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_errno("cannot create a socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno == EADDRNOTAVAIL)
		rc = err_set("server_ip %s is not an address of this host (in this network "
			     "namespace): configure it on the cluster interface, or fix "
			     "bramble.conf", cfg->server_ip);
	close(fd);
	return rc;
}

/*
 * rpcbind has no config file to name ours by, so its argv[0] names the
 * state dir: a later bootsrv finds the one a killed bootsrv left (it
 * outlives its parent, see nfsroot.h) without touching another's.
 */
static char *rpcbind_tag(const struct config *cfg, const char *run)
{
	return xasprintf("%s [bramble %s]", cfg->rpcbind, run);
}

static void write_rpcbind_pid(const char *run, pid_t pid)
{
	char *path = xasprintf("%s/" RPCBIND_PID, run), *text = xasprintf("%d\n", (int)pid);

	if (write_file_atomic(path, text, strlen(text), 0644) < 0)
		log_warn("%s: a bootsrv started after a crash will not find this rpcbind",
			 err_get());
	free(text);
	free(path);
}

static int start_rpcbind(struct nfs_server *s, const struct config *cfg, const char *run,
			 uid_t rpc_uid)
{
	char *tag = rpcbind_tag(cfg, run);
	char *argv[] = { tag, "-f", "-w", NULL };
	char *ns;
	pid_t pid = spawn(s, rpc_uid, cfg->rpcbind, argv, true);

	free(tag);
	if (pid < 0)
		return -1;
	write_rpcbind_pid(run, pid);
	if (s->mntns < 0) {
		ns = xasprintf("/proc/%d/ns/mnt", (int)pid);
		s->mntns = open(ns, O_RDONLY | O_CLOEXEC);
		free(ns);
		if (s->mntns < 0) {
			err_errno("cannot keep the NFS server's mount namespace");
			stop_child(&pid, "rpcbind");
			return -1;
		}
	}
	s->rpcbind = pid;
	return wait_rpcbind(pid);
}

static int start_ganesha(struct nfs_server *s, const struct config *cfg, const char *run)
{
	char *conf = xasprintf("%s/" GANESHA_CONF, run), *log = xasprintf("%s/" GANESHA_LOG, run);
	char *pidf = xasprintf("%s/" GANESHA_PID, run);
	char *argv[] = { cfg->ganesha, "-F", "-f", conf, "-L", log, "-p", pidf, NULL };
	struct stat st;
	off_t from = stat(log, &st) == 0 ? st.st_size : 0;
	int rc = -1;

	s->ganesha = spawn(s, 0, cfg->ganesha, argv, false);
	if (s->ganesha > 0) {
		rc = wait_ganesha(s->ganesha, cfg->server_ip, log, from);
		if (rc == -2)
			s->ganesha = 0;
		else if (rc < 0)
			stop_child(&s->ganesha, "NFS-Ganesha");
	} else {
		s->ganesha = 0;
	}
	free(conf);
	free(log);
	free(pidf);
	return rc < 0 ? -1 : 0;
}

int nfs_server_start(struct nfs_server *s, const struct state *st, const struct config *cfg)
{
	char *dir = nfsroot_state_dir(st), *run = NULL;
	struct passwd *pw;
	int rc = -1;

	if (!dir)
		return -1;
	run = xasprintf("%s/run/ganesha", dir);
	if (strncmp(dir, "/run/", 5) == 0 || strcmp(dir, "/run") == 0) {
		err_set("state directory %s is under /run, which the NFS server's namespace "
			"replaces with its own: use another state directory", dir);
		goto out;
	}
	/* Looked up before fork: getpwnam is not safe in a child of a threaded caller. */
	if (!(pw = getpwnam("_rpc")) && !(pw = getpwnam("rpc"))) {
		err_set("no _rpc user for rpcbind: install the rpcbind package");
		goto out;
	}
	if (check_bind_addr(cfg) < 0 || ganesha_write_conf(st, cfg) < 0 ||
	    nfsroot_share(dir) < 0)
		goto out;
	if (!s->rpcbind) {
		/* Ganesha's registrations died with the old rpcbind. */
		stop_child(&s->ganesha, "NFS-Ganesha");
		if (start_rpcbind(s, cfg, run, pw->pw_uid) < 0)
			goto out;
	}
	if (!s->ganesha && start_ganesha(s, cfg, run) < 0)
		goto out;
	rc = 0;
out:
	free(run);
	free(dir);
	return rc;
}

void nfs_server_stop(struct nfs_server *s)
{
	stop_child(&s->ganesha, "NFS-Ganesha");
	stop_child(&s->rpcbind, "rpcbind");
	if (s->mntns >= 0)
		close(s->mntns);
	s->mntns = -1;
}

int nfs_server_stop_leftovers(const struct state *st, const struct config *cfg)
{
	char *dir = nfsroot_state_dir(st), *run, *pidf, *arg;
	int rc;

	if (!dir)
		return -1;
	run = xasprintf("%s/run/ganesha", dir);
	/* Ganesha first: it unregisters from rpcbind as it exits */
	pidf = xasprintf("%s/" GANESHA_PID, run);
	arg = xasprintf("%s/" GANESHA_CONF, run);
	rc = leftover_stop("NFS-Ganesha", pidf, arg, STOP_WAIT_MS);
	free(pidf);
	free(arg);
	pidf = xasprintf("%s/" RPCBIND_PID, run);
	arg = rpcbind_tag(cfg, run);
	if (rc == 0)
		rc = leftover_stop("rpcbind", pidf, arg, STOP_WAIT_MS);
	free(pidf);
	free(arg);
	free(run);
	free(dir);
	return rc;
}
