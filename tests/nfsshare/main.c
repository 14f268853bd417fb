/*
 * nfsshare: a small libnfs client for the share tests and bench-share,
 * where the stock nfs-cp/nfs-cat cannot do the job: NFSv4 byte-range
 * locks between two clients, and timed sequential I/O and file creation.
 *
 *   nfsshare lock URL       lock the file (whole, NFSv4 F_TLOCK, created if
 *                           missing), print "locked", hold the lock until
 *                           standard input closes, then unlock
 *   nfsshare trylock URL    try that once: exit 0 "locked" (and unlock),
 *                           1 "busy" when another client holds it
 *   nfsshare write URL MB   write MB MiB sequentially, print MB/s
 *   nfsshare read URL       read the file sequentially, print MB/s
 *   nfsshare create URL N   create N empty files in the directory, print files/s
 *
 * URL: nfs://SERVER/EXPORT/PATH[?version=4&uid=N&gid=N]; libnfs applies the
 * arguments. Failures print one line naming the call and exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>	/* libnfs.h 4.0 uses struct timeval without including it */
#include <time.h>
#include <unistd.h>
#include <nfsc/libnfs.h>

#define CHUNK (1 << 20)

struct conn {
	struct nfs_context *nfs;
	struct nfs_url *url;
};

static int die(struct conn *c, const char *what, int rc)
{
	fprintf(stderr, "nfsshare: %s: %s (%s)\n", what, strerror(-rc),
		c->nfs ? nfs_get_error(c->nfs) : "");
	return 2;
}

static int connect_url(struct conn *c, const char *arg, int dir)
{
	int rc;

	memset(c, 0, sizeof *c);
	if (!(c->nfs = nfs_init_context()))
		return die(c, "nfs_init_context", -ENOMEM);
	c->url = dir ? nfs_parse_url_dir(c->nfs, arg) : nfs_parse_url_full(c->nfs, arg);
	if (!c->url)
		return die(c, "parsing the URL", -EINVAL);
	nfs_set_timeout(c->nfs, 10000);
	nfs_set_autoreconnect(c->nfs, 0);
	if ((rc = nfs_mount(c->nfs, c->url->server, c->url->path)) < 0)
		return die(c, "nfs_mount", rc);
	return 0;
}

static void disconnect(struct conn *c)
{
	if (c->url)
		nfs_destroy_url(c->url);
	if (c->nfs)
		nfs_destroy_context(c->nfs);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libnfs 4.0 creates exclusively over v4: open first, create if missing. */
static int open_or_create(struct conn *c, int flags, struct nfsfh **fh)
{
	int rc = nfs_open(c->nfs, c->url->file, flags, fh);

	if (rc == -ENOENT)
		rc = nfs_open2(c->nfs, c->url->file, flags | O_CREAT, 0666, fh);
	return rc < 0 ? die(c, "nfs_open", rc) : 0;
}

/* Bytes per call: the server's maximum, which libnfs 4.0 leaves 0 over v4. */
static size_t io_size(uint64_t max)
{
	return max && max < CHUNK ? (size_t)max : max ? CHUNK : 64 * 1024;
}

static int lock(struct conn *c, int hold)
{
	struct nfsfh *fh;
	char buf[64];
	int rc;

	if (open_or_create(c, O_RDWR, &fh))
		return 2;
	/* the whole file: NFSv4 takes length 0 as invalid, all ones as "to the end" */
	if ((rc = nfs_lockf(c->nfs, fh, NFS4_F_TLOCK, UINT64_MAX)) < 0) {
		/* libnfs 4.0 maps DENIED to -ERANGE: tell by the server's word */
		int denied = strstr(nfs_get_error(c->nfs), "NFS4ERR_DENIED") != NULL;
		int ret = hold || !denied ? die(c, "nfs_lockf", rc) : (puts("busy"), 1);

		nfs_close(c->nfs, fh);
		return ret;
	}
	puts("locked");
	fflush(stdout);
	while (hold && read(0, buf, sizeof buf) > 0)
		;
	nfs_lockf(c->nfs, fh, NFS4_F_ULOCK, UINT64_MAX);
	nfs_close(c->nfs, fh);
	return 0;
}

static int write_mb(struct conn *c, long mb)
{
	size_t step = io_size(nfs_get_writemax(c->nfs));
	char *buf = malloc(step);
	uint64_t total = (uint64_t)mb * CHUNK, off = 0;
	struct nfsfh *fh;
	double t0;
	int rc;

	memset(buf, 'x', step);
	if (open_or_create(c, O_WRONLY | O_TRUNC, &fh))
		return free(buf), 2;
	t0 = now();
	while (off < total) {
		if ((rc = nfs_pwrite(c->nfs, fh, off, step, buf)) <= 0)
			return free(buf), die(c, "nfs_pwrite", rc ? rc : -EIO);
		off += (uint64_t)rc;
	}
	if ((rc = nfs_fsync(c->nfs, fh)) < 0)
		return free(buf), die(c, "nfs_fsync", rc);
	printf("%.1f\n", (double)mb / (now() - t0));
	nfs_close(c->nfs, fh);
	free(buf);
	return 0;
}

static int read_all(struct conn *c)
{
	size_t step = io_size(nfs_get_readmax(c->nfs));
	char *buf = malloc(step);
	struct nfsfh *fh;
	uint64_t total = 0;
	double t0;
	int rc;

	if ((rc = nfs_open(c->nfs, c->url->file, O_RDONLY, &fh)) < 0)
		return free(buf), die(c, "nfs_open", rc);
	t0 = now();
	while ((rc = nfs_pread(c->nfs, fh, total, step, buf)) > 0)
		total += (uint64_t)rc;
	if (rc < 0)
		return free(buf), die(c, "nfs_pread", rc);
	printf("%.1f\n", (double)total / CHUNK / (now() - t0));
	nfs_close(c->nfs, fh);
	free(buf);
	return 0;
}

static int create_n(struct conn *c, long n)
{
	char name[64];
	struct nfsfh *fh;
	double t0 = now();
	int rc;

	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof name, "/f%ld-%d", i, (int)getpid());
		if ((rc = nfs_creat(c->nfs, name, 0644, &fh)) < 0)
			return die(c, "nfs_creat", rc);
		nfs_close(c->nfs, fh);
	}
	printf("%.1f\n", (double)n / (now() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	struct conn c;
	const char *cmd = argc > 2 ? argv[1] : "";
	int rc, dir = !strcmp(cmd, "create");

	if (argc < 3 || (strcmp(cmd, "lock") && strcmp(cmd, "trylock") && strcmp(cmd, "read") &&
			 (argc < 4 || (strcmp(cmd, "write") && strcmp(cmd, "create"))))) {
		fputs("usage: nfsshare lock|trylock|read URL | write URL MB | create URL N\n", stderr);
		return 2;
	}
	if ((rc = connect_url(&c, argv[2], dir)) == 0) {
		if (!strcmp(cmd, "lock") || !strcmp(cmd, "trylock"))
			rc = lock(&c, !strcmp(cmd, "lock"));
		else if (!strcmp(cmd, "write"))
			rc = write_mb(&c, atol(argv[3]));
		else if (!strcmp(cmd, "read"))
			rc = read_all(&c);
		else
			rc = create_n(&c, atol(argv[3]));
	}
	disconnect(&c);
	return rc;
}
