#include "nfsboot.h"

#include "err.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>	/* before libnfs.h, which uses struct timeval (nfs.md §2) */
#include <time.h>
#include <nfsc/libnfs.h>

#define RPC_TIMEOUT_MS	10000
#define MAX_LINKS	40	/* the kernel's symlink limit */
#define SMALL_FILE	65536
#define HEARTBEAT_DIR	"/var/lib/bramble"

/* libnfs 6.0 reordered the read/write arguments (nfs.md §2). */
static int nfs_pread_at(struct nfs_context *nfs, struct nfsfh *fh, uint64_t off, size_t n, void *buf)
{
#ifdef LIBNFS_API_V2
	return nfs_pread(nfs, fh, buf, n, off);
#else
	return nfs_pread(nfs, fh, off, n, buf);
#endif
}

static int nfs_pwrite_at(struct nfs_context *nfs, struct nfsfh *fh, uint64_t off, size_t n,
			 const void *buf)
{
#ifdef LIBNFS_API_V2
	return nfs_pwrite(nfs, fh, buf, n, off);
#else
	return nfs_pwrite(nfs, fh, off, n, buf);
#endif
}

/* Record a libnfs failure; returns rc (-errno) so callers can test for -ENOENT. */
static int nfs_fail(struct nfs_context *nfs, int rc, const char *what, const char *path)
{
	err_set("NFS %s %s: %s", what, path, nfs_get_error(nfs));
	return rc < 0 ? rc : -EIO;
}

/*
 * Resolve path inside the export as the node's kernel would under this
 * root: symlinks in every component, absolute ones from the export root.
 * Hand-written because a libnfs lookup treats absolute links by its own
 * rules. 0 with *out allocated, or -errno with err set.
 */
static int resolve(struct nfs_context *nfs, const char *path, char **out)
{
	char *rest = xstrdup(path), *cur = xstrdup("");
	int links = 0, rc = 0;

	for (;;) {
		char *p = rest, *comp, *cand, *target = NULL;
		struct nfs_stat_64 st;
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		comp = xasprintf("%.*s", (int)n, p);
		memmove(rest, p + n, strlen(p + n) + 1);
		if (!strcmp(comp, "..")) {	/* up, but never above the export root */
			char *slash = strrchr(cur, '/');

			if (slash)
				*slash = '\0';
		}
		if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
			free(comp);
			continue;
		}
		cand = xasprintf("%s/%s", cur, comp);
		free(comp);
		rc = nfs_lstat64(nfs, cand, &st);
		if (rc == 0 && S_ISLNK(st.nfs_mode)) {
			if (++links > MAX_LINKS)
				rc = -ELOOP, err_set("NFS lookup %s: too many symlinks", path);
			else if ((rc = nfs_readlink2(nfs, cand, &target)) == 0) {
				char *nrest = xasprintf("%s%s", target, rest);

				free(rest);
				rest = nrest;
				if (target[0] == '/')
					cur[0] = '\0';
			} else {
				nfs_fail(nfs, rc, "readlink", cand);
			}
			free(target);
			free(cand);
		} else if (rc == 0) {
			free(cur);
			cur = cand;
		} else {
			nfs_fail(nfs, rc, "lookup", cand);
			free(cand);
		}
		if (rc)
			break;
	}
	free(rest);
	if (rc) {
		free(cur);
		return rc;
	}
	if (!cur[0]) {	/* the export root itself */
		free(cur);
		cur = xstrdup("/");
	}
	*out = cur;
	return 0;
}

/* Read a small file (resolved through symlinks) into a string; -errno with err set. */
static int read_small(struct nfs_context *nfs, const char *path, char **out)
{
	struct nfsfh *fh;
	char *real, *buf;
	int rc, n = 0;

	if ((rc = resolve(nfs, path, &real)))
		return rc;
	rc = nfs_open(nfs, real, O_RDONLY, &fh);
	if (rc) {
		rc = nfs_fail(nfs, rc, "open", real);
		free(real);
		return rc;
	}
	buf = xmalloc(SMALL_FILE + 1);
	while (n < SMALL_FILE && (rc = nfs_pread_at(nfs, fh, (uint64_t)n, SMALL_FILE - (size_t)n, buf + n)) > 0)
		n += rc;
	nfs_close(nfs, fh);
	if (rc < 0) {
		rc = nfs_fail(nfs, rc, "read", real);
		free(real);
		free(buf);
		return rc;
	}
	free(real);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';	/* the first line is the value */
	*out = buf;
	return 0;
}

/* mkdir -p inside the export, through existing symlinks; *out is the real path. */
static int mkdirs(struct nfs_context *nfs, const char *path, char **out)
{
	char *cur = xstrdup(""), *copy = xstrdup(path), *save = NULL;
	int rc = 0;

	for (char *c = strtok_r(copy, "/", &save); c && !rc; c = strtok_r(NULL, "/", &save)) {
		char *cand = xasprintf("%s/%s", cur, c), *real = NULL;

		rc = resolve(nfs, cand, &real);
		if (rc == -ENOENT) {
			rc = nfs_mkdir2(nfs, cand, 0755);
			if (rc)
				nfs_fail(nfs, rc, "mkdir", cand);
			real = cand;
			cand = NULL;
		}
		free(cand);
		if (real) {
			free(cur);
			cur = real;
		}
	}
	free(copy);
	if (rc) {
		free(cur);
		return rc;
	}
	*out = cur;
	return 0;
}

/* Write dir/name through a temporary file and a rename, as a careful unit would. */
static int write_atomic(struct nfs_context *nfs, const char *dir, const char *name, const char *text)
{
	char *tmp = xasprintf("%s/.%s.tmp", dir, name), *dst = xasprintf("%s/%s", dir, name);
	size_t len = strlen(text), off = 0;
	struct nfsfh *fh = NULL;
	int rc = nfs_open2(nfs, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, &fh);

	if (rc)
		nfs_fail(nfs, rc, "create", tmp);
	while (!rc && off < len) {
		int n = nfs_pwrite_at(nfs, fh, off, len - off, text + off);

		if (n <= 0)
			rc = nfs_fail(nfs, n, "write", tmp);
		else
			off += (size_t)n;
	}
	if (fh)
		nfs_close(nfs, fh);
	if (!rc && (rc = nfs_rename(nfs, tmp, dst)))
		nfs_fail(nfs, rc, "rename to", dst);
	free(tmp);
	free(dst);
	return rc ? -1 : 0;
}

static int check_init(struct nfs_context *nfs, const struct nfs_params *p, struct nfs_result *r)
{
	struct nfs_stat_64 st;
	int rc = resolve(nfs, "/sbin/init", &r->init);

	if (rc)
		return err_wrap("no /sbin/init in %s:%s, the kernel would panic: ", p->server, p->export);
	if ((rc = nfs_stat64(nfs, r->init, &st)))
		return nfs_fail(nfs, rc, "stat", r->init);
	if (!S_ISREG(st.nfs_mode) || !(st.nfs_mode & 0111))
		return err_set("/sbin/init -> %s in %s:%s is not an executable file", r->init,
			       p->server, p->export);
	return 0;
}

static int heartbeat(struct nfs_context *nfs, const struct nfs_params *p, struct nfs_result *r)
{
	char *dir, *text;
	int rc;

	if (mkdirs(nfs, HEARTBEAT_DIR, &dir))
		return err_wrap("heartbeat: ");
	text = xasprintf("boot_id=%s\nimage=%s\ntime=%lld\nhostname=%s\n", p->boot_id,
			 r->image ? r->image : "", (long long)time(NULL),
			 r->hostname ? r->hostname : "");
	rc = write_atomic(nfs, dir, "heartbeat", text);
	free(text);
	free(dir);
	if (rc)
		return err_wrap("heartbeat: ");
	r->heartbeat = 1;
	log_info("NFS: wrote %s/heartbeat", HEARTBEAT_DIR);
	return 0;
}

static int mount_root(struct nfs_context *nfs, const struct nfs_params *p)
{
	int rc;

	/* NFSv3 is libnfs's default, as bramble's nfsroot= asks */
	nfs_set_timeout(nfs, RPC_TIMEOUT_MS);
	nfs_set_autoreconnect(nfs, 0);
	nfs_set_uid(nfs, 0);
	nfs_set_gid(nfs, 0);
	nfs_set_interface(nfs, p->iface);
	rc = nfs_mount(nfs, p->server, p->export);
	if (rc == -EACCES)
		return err_set("cannot mount %s:%s: %s (not exported to this client: check the "
			       "export's Clients and that the path is exported)", p->server, p->export,
			       nfs_get_error(nfs));
	if (rc)
		return err_set("cannot mount %s:%s: %s (is the NFS server, and rpcbind for v3, "
			       "running there?)", p->server, p->export, nfs_get_error(nfs));
	return 0;
}

int nfsboot_run(const struct nfs_params *p, struct nfs_result *r)
{
	struct nfs_context *nfs = nfs_init_context();
	int rc = -1;

	memset(r, 0, sizeof *r);
	if (!nfs)
		return err_set("cannot create an NFS context");
	if (mount_root(nfs, p) || check_init(nfs, p, r))
		goto out;
	log_info("NFS: mounted %s:%s, /sbin/init -> %s", p->server, p->export, r->init);
	if (read_small(nfs, "/etc/hostname", &r->hostname))
		log_warn("%s: the node keeps its default hostname", err_get());
	if (read_small(nfs, "/etc/bramble/image", &r->image))
		r->image = NULL;
	rc = p->boot_id ? heartbeat(nfs, p, r) : 0;
out:
	nfs_destroy_context(nfs);
	return rc;
}

void nfs_result_free(struct nfs_result *r)
{
	free(r->init);
	free(r->hostname);
	free(r->image);
	memset(r, 0, sizeof *r);
}
