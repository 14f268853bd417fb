/*
 * Who holds the ports bootsrv needs: the sockets bound to a port come from
 * /proc/net/{tcp,udp}{,6} (this network namespace's), their owners from
 * the socket links in /proc/<pid>/fd. A port held by the bootsrv serving
 * this state directory or by one of its children (dnsmasq, Ganesha,
 * rpcbind) is fine; with nfs_backend = kernel so are the kernel's nfsd
 * and a system rpcbind, which that server needs.
 */
#include "bootsrv.h"
#include "check.h"

#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define MAX_SOCKS 16

struct port {
	int num;
	const char *proto;	/* "tcp" or "udp" */
	const char *what;
	const char *fix;	/* how to free it from a foreign program */
};

static const struct port ports[] = {
	{ 67, "udp", "DHCP", "bootsrv runs its own dnsmasq: stop that DHCP server "
	  "(systemctl disable --now NAME) or bind it to other interfaces" },
	{ 69, "udp", "TFTP", "bootsrv's dnsmasq serves TFTP: stop that TFTP server "
	  "(systemctl disable --now NAME)" },
	{ 111, "tcp", "rpcbind", "with nfs_backend = ganesha bootsrv runs its own rpcbind: "
	  "systemctl disable --now rpcbind.socket rpcbind, or set nfs_backend = kernel" },
	{ 111, "udp", "rpcbind", "with nfs_backend = ganesha bootsrv runs its own rpcbind: "
	  "systemctl disable --now rpcbind.socket rpcbind, or set nfs_backend = kernel" },
	{ 2049, "tcp", "NFS", "with nfs_backend = ganesha bootsrv runs NFS-Ganesha: stop the "
	  "other NFS server (systemctl disable --now nfs-server), or set nfs_backend = kernel" },
};

struct sock {
	unsigned long inode;	/* 0: a kernel socket (nfsd) */
	pid_t pid;		/* owner, 0 if none found */
	char comm[32];
};

/* Sockets bound to port in /proc/net/<file>: listening (TCP) or bound (UDP). */
static void scan_table(const char *file, int port, int tcp, struct sock *v, size_t *n)
{
	char *path = xasprintf("/proc/net/%s", file), line[512];
	FILE *f = fopen(path, "re");

	free(path);
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned lport, st;
		unsigned long inode;

		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*s %*s %*s %*d %*d %lu",
			   &lport, &st, &inode) != 3 || (int)lport != port || (tcp && st != 0x0A))
			continue;
		if (*n < MAX_SOCKS)
			v[(*n)++] = (struct sock){ .inode = inode };
	}
	fclose(f);
}

/* Fill in the owner of each socket: one pass over every process's fds. */
static void find_owners(struct sock *v, size_t n)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;

	while (proc && (p = readdir(proc))) {
		pid_t pid = (pid_t)atoi(p->d_name);
		char *fds = xasprintf("/proc/%d/fd", (int)pid);
		DIR *d = pid > 0 ? opendir(fds) : NULL;
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char *link = xasprintf("%s/%s", fds, e->d_name), target[64];
			ssize_t len = readlink(link, target, sizeof target - 1);
			unsigned long inode;

			free(link);
			if (len <= 0)
				continue;
			target[len] = '\0';
			if (sscanf(target, "socket:[%lu]", &inode) != 1)
				continue;
			for (size_t i = 0; i < n; i++)
				if (v[i].inode == inode && inode && !v[i].pid)
					v[i].pid = pid;
		}
		if (d)
			closedir(d);
		free(fds);
	}
	if (proc)
		closedir(proc);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("/proc/%d/comm", (int)v[i].pid), *comm = NULL;

		snprintf(v[i].comm, sizeof v[i].comm, "%s", v[i].inode ? "?" : "the kernel");
		if (v[i].pid && read_file(path, &comm, NULL) == 0) {
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(v[i].comm, sizeof v[i].comm, "%s", comm);
		}
		err_clear();
		free(comm);
		free(path);
	}
}

static pid_t parent_of(pid_t pid)
{
	char *path = xasprintf("/proc/%d/stat", (int)pid), *text = NULL, *end;
	int ppid = 0;

	/* "pid (comm) state ppid": comm may hold spaces and parentheses */
	if (read_file(path, &text, NULL) == 0 && (end = strrchr(text, ')')))
		sscanf(end + 1, " %*c %d", &ppid);
	err_clear();
	free(text);
	free(path);
	return (pid_t)ppid;
}

static int descends_from(pid_t pid, pid_t ancestor)
{
	for (int depth = 0; pid > 1 && depth < 64; depth++, pid = parent_of(pid))
		if (pid == ancestor)
			return 1;
	return 0;
}

/* The pid of the bootsrv serving st (it holds the lock on run/bootsrv.pid), or 0. */
static pid_t running_bootsrv(const struct state *st)
{
	char *path = state_path(st, "run/bootsrv.pid"), buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	pid_t pid = 0;

	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);

		buf[n > 0 ? n : 0] = '\0';
		pid = (pid_t)atoi(buf);
	}
	close(fd);
	return pid;
}

/* Is a socket held by this owner expected? */
static int ours(const struct sock *s, const struct port *p, const struct config *cfg, pid_t srv)
{
	if (s->pid && srv && descends_from(s->pid, srv))
		return 1;
	if (cfg->nfs_backend != NFS_KERNEL)
		return 0;
	if (p->num == 2049)
		return s->inode == 0;		/* the kernel's nfsd */
	return p->num == 111 && !strcmp(s->comm, "rpcbind");
}

static void check_port(struct check *c, const struct config *cfg, const struct port *p,
		       pid_t srv)
{
	struct sock v[MAX_SOCKS];
	size_t n = 0;
	char file[8];

	snprintf(file, sizeof file, "%s", p->proto);
	scan_table(file, p->num, !strcmp(p->proto, "tcp"), v, &n);
	snprintf(file, sizeof file, "%s6", p->proto);
	scan_table(file, p->num, !strcmp(p->proto, "tcp"), v, &n);
	find_owners(v, n);
	for (size_t i = 0; i < n; i++) {
		if (ours(&v[i], p, cfg, srv))
			continue;
		if (v[i].pid)
			check_problem(c, "port %d/%s (%s) is held by %s (pid %d): %s", p->num,
				      p->proto, p->what, v[i].comm, (int)v[i].pid, p->fix);
		else if (!v[i].inode)
			check_problem(c, "port %d/%s (%s) is held by the kernel (its NFS server?): %s",
				      p->num, p->proto, p->what, p->fix);
		else
			check_problem(c, "port %d/%s (%s) is held by a process we cannot see: "
				      "find it with 'ss -lnp sport = :%d'", p->num, p->proto, p->what,
				      p->num);
		return;
	}
	if (n && v[0].pid)
		check_ok(c, "port %d/%s (%s) is held by %s (pid %d), as it should", p->num,
			 p->proto, p->what, v[0].comm, (int)v[0].pid);
	else if (n)
		check_ok(c, "port %d/%s (%s) is held by %s, as it should", p->num, p->proto,
			 p->what, v[0].comm);
	else
		check_ok(c, "port %d/%s (%s) is free", p->num, p->proto, p->what);
}

void check_ports(struct check *c, const struct config *cfg, const struct state *st)
{
	pid_t srv = running_bootsrv(st);
	struct sockaddr_storage ss;
	socklen_t len;

	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
		check_port(c, cfg, &ports[i], srv);
	if (!strcmp(cfg->http_listen, "off"))
		return;
	if (http_parse_listen(cfg->http_listen, &ss, &len) < 0) {
		check_problem(c, "bootsrv.http_listen: %s", err_get());
		return;
	}
	check_port(c, cfg, &(struct port){ http_port(&ss), "tcp", "status page",
		   "set bootsrv.http_listen to a free ADDRESS:PORT, or off" }, srv);
}
