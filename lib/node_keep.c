#include "node_keep.h"

#include "crashpoint.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "runcmd.h"
#include "xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uuid/uuid.h>

static const char *const key_types[] = { "ed25519", "ecdsa", "rsa" };
#define NTYPES (sizeof key_types / sizeof key_types[0])

int keep_machine_id(const char *keep, char out[MACHINE_ID_LEN + 1])
{
	char *path = xasprintf("%s/machine-id", keep), *buf;
	size_t len;
	uuid_t u;
	int rc;

	if (!path_exists(path)) {
		free(path);
		uuid_generate_random(u);
		for (int i = 0; i < 16; i++)
			sprintf(out + 2 * i, "%02x", u[i]);
		return 1;
	}
	rc = read_file(path, &buf, &len);
	if (rc == 0) {
		if (len < MACHINE_ID_LEN || strspn(buf, "0123456789abcdef") != MACHINE_ID_LEN)
			rc = err_set("%s is not a machine-id (32 hex digits): remove it and "
				     "the node gets a new one", path);
		else
			snprintf(out, MACHINE_ID_LEN + 1, "%s", buf);
		free(buf);
	}
	free(path);
	return rc;
}

int keep_write_machine_id(const char *keep, const char *id)
{
	char *path = xasprintf("%s/machine-id", keep), *text = xasprintf("%s\n", id);
	int rc = write_file_atomic(path, text, strlen(text), 0444);

	free(path);
	free(text);
	return rc;
}

/* Is type one of the comma-separated list's items? */
static bool type_listed(const char *list, const char *type)
{
	size_t len = strlen(type);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, type, len) && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

struct job {
	char *tmp, *final;	/* keep/ssh/.new-<file>, keep/ssh/<file> */
	const char *type, *name;
	pid_t pid;
};

static char *key_path(const char *keep, const char *type, const char *prefix)
{
	return xasprintf("%s/ssh/%sssh_host_%s_key", keep, prefix, type);
}

/* <state>/keep/<prefix>cluster_ed25519, from a node's <state>/nodes/<n>/keep. */
static char *cluster_key_path(const char *keep, const char *prefix)
{
	return xasprintf("%s/../../../keep/%scluster_ed25519", keep, prefix);
}

/* In the child: die with the command (an ssh-keygen outliving a killed
 * node add would write its temp key after the next command removed it,
 * and that one's ssh-keygen would then refuse to overwrite it), quiet. */
static void keygen_child(char *const argv[], pid_t parent)
{
	int null = open("/dev/null", O_RDWR);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || null < 0 ||
	    dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
		_exit(127);
	child_reset_signals();
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 126 : 127);
}

static int spawn(struct job *j)
{
	char *comment = xasprintf("root@%s", j->name);
	char *const argv[] = { "ssh-keygen", "-q", "-N", "", "-t", (char *)j->type,
			       "-C", comment, "-f", j->tmp, NULL };
	char *pub = xasprintf("%s.pub", j->tmp);
	pid_t parent = getpid();

	unlink(j->tmp);	/* ssh-keygen asks before overwriting */
	unlink(pub);
	free(pub);
	j->pid = fork();
	if (j->pid == 0)
		keygen_child(argv, parent);
	free(comment);
	if (j->pid > 0)
		return 0;
	j->pid = 0;
	return err_errno("cannot run ssh-keygen");
}

/*
 * Wait for the oldest running job; NULL when none runs or wait fails. Only
 * our own pids: inside bootsrv, reaping any child would steal dnsmasq's or
 * Ganesha's exit from the daemon, which would then never restart them.
 */
static struct job *wait_job(struct job *jobs, size_t n, int *status)
{
	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].pid)
			continue;
		while (waitpid(jobs[i].pid, status, 0) < 0)
			if (errno != EINTR)
				return NULL;
		jobs[i].pid = 0;
		return &jobs[i];
	}
	return NULL;
}

static int fsync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return err_errno("cannot open %s", path);
	rc = fsync(fd);
	close(fd);
	return rc < 0 ? err_errno("cannot sync %s", path) : 0;
}

/* Move a made key into place, durably (it is kept for the node's life), the
 * public half first: a key counts as made when its private half is there. */
static int finish(const struct job *j, int status)
{
	char *tpub = xasprintf("%s.pub", j->tmp), *fpub = xasprintf("%s.pub", j->final);
	char *dir = dir_of(j->final);
	int rc = 0;

	if (!WIFEXITED(status) || WEXITSTATUS(status))
		rc = WIFEXITED(status) && WEXITSTATUS(status) == 126 ?
			     err_set("cannot run ssh-keygen (install openssh-client)") :
			     err_set("ssh-keygen -t %s for node %s failed (wait status %d)", j->type,
				     j->name, status);
	else if (fsync_file(tpub) < 0 || fsync_file(j->tmp) < 0)
		rc = -1;
	else if ((crashpoint("ssh-key-made"), rename(tpub, fpub) < 0) ||
		 (crashpoint("ssh-pub-moved"), rename(j->tmp, j->final) < 0))
		rc = err_errno("cannot move %s into place", j->final);
	else
		rc = fsync_dir(dir);
	free(dir);
	free(tpub);
	free(fpub);
	return rc;
}

/* The cluster key's job when it is missing (found from the first node's keep). */
static int cluster_job(char *const *keeps, size_t n, struct job *jobs, size_t *njobs)
{
	char *final, *dir;
	int rc;

	if (n == 0)
		return 0;
	final = cluster_key_path(keeps[0], "");
	if (path_exists(final)) {
		free(final);
		return 0;
	}
	dir = dir_of(final);
	if ((rc = mkdir_p(dir, 0700)) == 0)
		jobs[(*njobs)++] = (struct job){ cluster_key_path(keeps[0], ".new-"), final,
						 "ed25519", "cluster", 0 };
	else
		free(final);
	free(dir);
	return rc;
}

/* The job making keep's key of type (a key_types entry) if it is missing. */
static int key_job(const char *keep, const char *name, const char *type, struct job *jobs,
		   size_t *njobs)
{
	char *final = key_path(keep, type, ""), *dir = xasprintf("%s/ssh", keep);
	int rc = 0;

	if (path_exists(final))
		free(final);
	else if ((rc = mkdir_p(dir, 0700)) == 0)
		jobs[(*njobs)++] = (struct job){ key_path(keep, type, ".new-"), final, type, name, 0 };
	else
		free(final);
	free(dir);
	return rc;
}

int keep_ssh_keys(char *const *keeps, char *const *names, size_t n, const char *types)
{
	struct job *jobs = xcalloc(n * NTYPES + 1, sizeof *jobs);
	size_t njobs = 0, next = 0, running = 0, keyed = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t max = cpus > 0 ? (size_t)cpus : 1;
	int rc = 0;

	/* key_types, not types, so a job's type outlives the config string */
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t before = njobs;

		for (size_t t = 0; t < NTYPES && rc == 0; t++)
			if (type_listed(types, key_types[t]))
				rc = key_job(keeps[i], names[i], key_types[t], jobs, &njobs);
		keyed += njobs > before;
	}
	if (rc == 0)
		rc = cluster_job(keeps, n, jobs, &njobs);
	if (keyed > 1)
		log_info("making ssh host keys for %zu nodes", keyed);
	while (running > 0 || (rc == 0 && next < njobs)) {
		struct job *j;
		int status;

		if (rc == 0 && next < njobs && running < max) {
			if (spawn(&jobs[next++]) < 0)
				rc = -1;
			else
				running++;
			continue;
		}
		if (!(j = wait_job(jobs, njobs, &status))) {
			rc = err_errno("waiting for ssh-keygen");
			break;
		}
		running--;
		if (rc == 0)
			rc = finish(j, status);
	}
	for (size_t i = 0; i < njobs; i++) {
		free(jobs[i].tmp);
		free(jobs[i].final);
	}
	free(jobs);
	return rc;
}

static int add_cluster_key(const char *keep, struct tree *ident)
{
	char *path = cluster_key_path(keep, ""), *pub = xasprintf("%s.pub", path), *data;
	size_t len;
	int rc = 0;

	if (path_exists(path) && (rc = read_file(pub, &data, &len)) == 0)
		tree_file(ident, "etc/bramble/authorized_keys.root", 0644, data, len);
	free(path);
	free(pub);
	return rc;
}

int keep_add_ssh(const char *keep, struct tree *ident)
{
	if (add_cluster_key(keep, ident) < 0)
		return -1;
	for (size_t t = 0; t < NTYPES; t++)
		for (int pub = 0; pub < 2; pub++) {
			char *src = key_path(keep, key_types[t], ""), *rel, *data;
			char *path = pub ? xasprintf("%s.pub", src) : xstrdup(src);
			size_t len;

			free(src);
			if (!path_exists(path)) {
				free(path);
				continue;
			}
			if (read_file(path, &data, &len) < 0) {
				free(path);
				return -1;
			}
			rel = xasprintf("etc/ssh/ssh_host_%s_key%s", key_types[t], pub ? ".pub" : "");
			tree_file(ident, rel, pub ? 0644 : 0600, data, len);
			free(rel);
			free(path);
		}
	return 0;
}
