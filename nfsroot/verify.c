/*
 * Check a published root the way its node uses it: mount it with libnfs
 * (v3 over TCP like a Pi's nfsroot=, failing fast instead of retrying),
 * look at what the boot needs, and prove with a probe file that writes
 * land in the node's own upper dir and nowhere else. Runs from wherever
 * the caller is; under `ip netns exec <node's netns>` it also proves the
 * export admits the node's address.
 */
#include "nfsroot_int.h"

#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>	/* libnfs.h 4.0 uses struct timeval without including it */
#include <time.h>
#include <unistd.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>	/* NFS_V3 */

#define MAX_LINKS 16

struct verify {
	struct nfs_context *nfs;
	const struct nfsroot *r;
	FILE *out;
	int problems;
};

static void problem(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct verify *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(v->out, "%s: ", v->r->name);
	va_start(ap, fmt);
	vfprintf(v->out, fmt, ap);
	va_end(ap);
	fputc('\n', v->out);
	v->problems++;
}

/* libnfs 6.0 (LIBNFS_API_V2) moved the buffer before the count. */
static int nfs_read_buf(struct nfs_context *nfs, struct nfsfh *fh, char *buf, size_t n)
{
#ifdef LIBNFS_API_V2
	return nfs_read(nfs, fh, buf, n);
#else
	return nfs_read(nfs, fh, n, buf);
#endif
}

static int nfs_write_buf(struct nfs_context *nfs, struct nfsfh *fh, const char *buf, size_t n)
{
#ifdef LIBNFS_API_V2
	return nfs_write(nfs, fh, buf, n);
#else
	return nfs_write(nfs, fh, n, buf);
#endif
}

/* A small file's text without trailing whitespace; NULL (problem told) on failure. */
static char *nfs_slurp(struct verify *v, const char *path)
{
	struct nfsfh *fh;
	char buf[4096];
	int n;

	if (nfs_open(v->nfs, path, O_RDONLY, &fh)) {
		problem(v, "cannot read %s: %s", path, nfs_get_error(v->nfs));
		return NULL;
	}
	n = nfs_read_buf(v->nfs, fh, buf, sizeof buf - 1);
	nfs_close(v->nfs, fh);
	if (n < 0) {
		problem(v, "cannot read %s: %s", path, nfs_get_error(v->nfs));
		return NULL;
	}
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]))
		n--;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Follow /sbin/init's symlinks inside the export to an executable file. */
static void check_init(struct verify *v)
{
	char *path = xstrdup("/sbin/init");
	struct nfs_stat_64 st;
	int hops;

	for (hops = 0; hops < MAX_LINKS; hops++) {
		char *target = NULL, *slash, *next;

		if (nfs_lstat64(v->nfs, path, &st)) {
			problem(v, "%s is missing%s: the node cannot start", path,
				hops ? " (a link from /sbin/init points there)" : "");
			goto out;
		}
		if (!S_ISLNK(st.nfs_mode))
			break;
		if (nfs_readlink2(v->nfs, path, &target)) {
			problem(v, "cannot read the link %s: %s", path, nfs_get_error(v->nfs));
			goto out;
		}
		/* Absolute targets mean the export root: the node's /. */
		slash = strrchr(path, '/');
		next = target[0] == '/' ? xstrdup(target)
			: xasprintf("%.*s/%s", (int)(slash - path), path, target);
		free(target);
		free(path);
		path = next;
	}
	if (hops == MAX_LINKS)
		problem(v, "/sbin/init: too many levels of symbolic links");
	else if (!S_ISREG(st.nfs_mode) || !(st.nfs_mode & 0111))
		problem(v, "/sbin/init resolves to %s, which is not an executable file", path);
out:
	free(path);
}

/* The served file must say what the node should see. */
static void check_text(struct verify *v, const char *path, const char *want, const char *what)
{
	char *got = nfs_slurp(v, path);

	if (got && strcmp(got, want))
		problem(v, "%s says '%s', expected %s '%s'", path, got, what, want);
	free(got);
}

/* machine-id is checked once the identity layer has one. */
static void check_machine_id(struct verify *v)
{
	char *local = xasprintf("%s/etc/machine-id", v->r->ident), *id = NULL;

	if (read_file(local, &id, NULL) == 0) {
		id[strcspn(id, " \t\r\n")] = '\0';
		check_text(v, "/etc/machine-id", id, "the identity layer's");
	} else {
		err_clear();	/* no machine-id rendered yet: nothing to compare */
	}
	free(id);
	free(local);
}

/* Report every node other than ours whose upper or root holds the probe. */
static void check_other_nodes(struct verify *v, const char *probe)
{
	char *nodes = xasprintf("%s/nodes", v->r->state_dir);
	DIR *d = opendir(nodes);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, v->r->name) == 0)
			continue;
		char *upper = xasprintf("%s/%s/state/upper/%s", nodes, e->d_name, probe);
		char *root = xasprintf("%s/%s/root/%s", nodes, e->d_name, probe);
		if (path_exists(upper) || path_exists(root))
			problem(v, "a file written over NFS is visible in node %s too",
				e->d_name);
		free(upper);
		free(root);
	}
	if (d)
		closedir(d);
	free(nodes);
}

static void check_writes(struct verify *v)
{
	char *probe = xasprintf(".bramble-verify-%d-%ld", (int)getpid(), (long)time(NULL));
	char *remote = xasprintf("/%s", probe), *text = xasprintf("written by %s\n", probe);
	char *in_upper = xasprintf("%s/%s", v->r->upper, probe);
	char *in_image = xasprintf("%s/%s", v->r->image_root, probe);
	char *in_ident = xasprintf("%s/%s", v->r->ident, probe);
	char *got = NULL;
	struct nfsfh *fh;
	int n;

	if (nfs_open2(v->nfs, remote, O_WRONLY | O_CREAT | O_EXCL, 0644, &fh)) {
		problem(v, "cannot create a file in the root: %s", nfs_get_error(v->nfs));
		goto out;
	}
	n = nfs_write_buf(v->nfs, fh, text, strlen(text));
	nfs_close(v->nfs, fh);
	if (n != (int)strlen(text))
		problem(v, "cannot write a file in the root: %s", nfs_get_error(v->nfs));
	else if (read_file(in_upper, &got, NULL) < 0 || strcmp(got, text))
		problem(v, "a file written over NFS did not land in the node's state %s "
			"(is the export the node's overlay?)", v->r->upper);
	if (path_exists(in_image))
		problem(v, "a file written over NFS landed in the image %s", v->r->image_root);
	if (path_exists(in_ident))
		problem(v, "a file written over NFS landed in the identity layer %s",
			v->r->ident);
	check_other_nodes(v, probe);
	if (nfs_unlink(v->nfs, remote))
		problem(v, "cannot remove a file over NFS: %s", nfs_get_error(v->nfs));
	else if (path_exists(in_upper))
		problem(v, "a file removed over NFS is still in %s", v->r->upper);
out:
	free(got);
	free(in_ident);
	free(in_image);
	free(in_upper);
	free(text);
	free(remote);
	free(probe);
}

/*
 * The server answered and refused (EACCES), or there was no mount at all:
 * libnfs 4.0 then says only "nfs_service failed" (refused, reset, timed
 * out), so say what was tried and where to look.
 */
static void mount_problem(struct verify *v, const char *server, const char *export, int rc)
{
	if (rc == -EACCES)
		problem(v, "cannot mount %s:%s: %s (not published, or not for this address)",
			server, export, nfs_get_error(v->nfs));
	else
		problem(v, "cannot mount %s:%s: %s (tried NFSv3 over TCP as the node mounts it: "
			"rpcbind on port 111, then mountd and nfs): check that %s serves NFS "
			"(rpcinfo -p %s lists mountd and nfs) and that this host reaches it "
			"(ip route get %s)", server, export, nfs_get_error(v->nfs), server, server,
			server);
}

int nfsroot_verify(const struct nfsroot *r, const char *server, const char *export,
		   FILE *out)
{
	struct verify v = { .r = r, .out = out };
	int rc;

	if (!(v.nfs = nfs_init_context())) {
		problem(&v, "cannot create an NFS client context (out of memory?)");
		return v.problems;
	}
	nfs_set_version(v.nfs, NFS_V3);
	nfs_set_timeout(v.nfs, 5000);
	nfs_set_autoreconnect(v.nfs, 0);
	nfs_set_uid(v.nfs, 0);	/* the node's root, which the export must not squash */
	nfs_set_gid(v.nfs, 0);
	rc = nfs_mount(v.nfs, server, export);
	if (rc) {
		mount_problem(&v, server, export, rc);
	} else {
		check_init(&v);
		check_text(&v, "/etc/hostname", r->name, "the node name");
		check_machine_id(&v);
		check_writes(&v);
		nfs_umount(v.nfs);
	}
	nfs_destroy_context(v.nfs);
	return v.problems;
}
