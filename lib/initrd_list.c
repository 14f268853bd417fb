/*
 * Hand-written: lsinitramfs is a shell script of initramfs-tools, not a
 * library, and libarchive reads one archive where the kernel reads a
 * concatenation of uncompressed and compressed ones. The newc format needs
 * only its header fields for the names.
 */
#include "initrd_list.h"

#include "err.h"
#include "runcmd.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NEWC_HDR 110	/* "070701" and 13 fields of 8 hex digits */
#define NAME_MAX_LEN 4096

/* A byte stream being parsed: the file itself or a decompressor's output. */
struct rd {
	FILE *f;
	const char *path;
	const char *what;	/* "" or " (decompressed by gzip)" for messages */
	unsigned long long off;
};

/* The decompressor for a stream's first bytes, as the kernel knows them. */
static const struct codec {
	unsigned char magic[4];
	size_t len;
	const char *argv[4];
	const char *package;
} codecs[] = {
	{ { 0x1f, 0x8b }, 2, { "gzip", "-dc", NULL }, "gzip" },
	{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, { "zstd", "-dcq", NULL }, "zstd" },
	{ { 0xfd, '7', 'z', 'X' }, 4, { "xz", "-dc", NULL }, "xz-utils" },
	{ { 0x5d, 0x00, 0x00 }, 3, { "xz", "--format=lzma", "-dc", NULL }, "xz-utils" },
	{ { 0x02, 0x21, 0x4c, 0x18 }, 4, { "lz4", "-dc", NULL }, "lz4" },
	{ { 'B', 'Z', 'h' }, 3, { "bzip2", "-dc", NULL }, "bzip2" },
	{ { 0x89, 'L', 'Z', 'O' }, 4, { "lzop", "-dc", NULL }, "lzop" },
};

static int truncated(const struct rd *r)
{
	if (ferror(r->f))
		return err_errno("cannot read %s%s", r->path, r->what);
	return err_set("%s%s: truncated at byte %llu: not a complete initramfs", r->path,
		       r->what, r->off);
}

static int rd_read(struct rd *r, void *buf, size_t n)
{
	if (fread(buf, 1, n, r->f) != n)
		return truncated(r);
	r->off += n;
	return 0;
}

static int rd_skip(struct rd *r, unsigned long long n)
{
	char buf[65536];

	while (n) {
		size_t k = n < sizeof buf ? (size_t)n : sizeof buf;

		if (rd_read(r, buf, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

static int is_newc(const unsigned char m[6])
{
	return !memcmp(m, "07070", 5) && (m[5] == '1' || m[5] == '2');
}

/* Field i (0-based, after the magic) of a newc header. */
static int hex_field(const struct rd *r, const char *h, int i, unsigned long *out)
{
	char s[9], *end;

	memcpy(s, h + 6 + 8 * i, 8);
	s[8] = '\0';
	*out = strtoul(s, &end, 16);
	if (end != s + 8)
		return err_set("%s%s: corrupt cpio header at byte %llu", r->path, r->what,
			       r->off - NEWC_HDR);
	return 0;
}

static unsigned long pad4(unsigned long long n)
{
	return (unsigned long)((4 - n % 4) % 4);
}

/* One archive whose magic m was just read, through its TRAILER!!!. */
static int newc_archive(struct rd *r, const unsigned char m[6], initrd_fn fn, void *arg)
{
	char h[NEWC_HDR], *name = xmalloc(NAME_MAX_LEN + 1);
	unsigned long size, namesize;
	int rc = -1;

	memcpy(h, m, 6);
	for (;;) {
		if (rd_read(r, h + 6, NEWC_HDR - 6) < 0 || hex_field(r, h, 6, &size) < 0 ||
		    hex_field(r, h, 11, &namesize) < 0)
			break;
		if (namesize == 0 || namesize > NAME_MAX_LEN) {
			err_set("%s%s: cpio name of %lu bytes at byte %llu", r->path, r->what,
				namesize, r->off);
			break;
		}
		if (rd_read(r, name, namesize) < 0 || rd_skip(r, pad4(NEWC_HDR + namesize)) < 0)
			break;
		name[namesize] = '\0';
		if (!strcmp(name, "TRAILER!!!")) {
			rc = 0;
			break;
		}
		const char *n = name + (name[0] == '.' && name[1] == '/' ? 2 : name[0] == '/');
		if (*n && strcmp(n, "."))
			fn(n, arg);
		if (rd_skip(r, size + pad4(size)) < 0 || rd_read(r, h, 6) < 0)
			break;
		if (!is_newc((unsigned char *)h)) {
			err_set("%s%s: no cpio header at byte %llu", r->path, r->what, r->off - 6);
			break;
		}
	}
	free(name);
	return rc;
}

static int decompress(struct rd *r, unsigned long long at, const unsigned char m[6],
		      initrd_fn fn, void *arg);

/*
 * Archives and zero padding up to the end of r. A compressed stream is
 * allowed only in the file itself (top), where it runs to the end.
 */
static int archives(struct rd *r, int top, initrd_fn fn, void *arg)
{
	unsigned char m[6];
	int c;

	for (;;) {
		while ((c = getc(r->f)) == 0)
			r->off++;
		if (c == EOF)
			return ferror(r->f) ? err_errno("cannot read %s%s", r->path, r->what) : 0;
		r->off++;
		m[0] = (unsigned char)c;
		if (rd_read(r, m + 1, 5) < 0)
			return -1;
		if (is_newc(m)) {
			if (newc_archive(r, m, fn, arg) < 0)
				return -1;
		} else if (top) {
			return decompress(r, r->off - 6, m, fn, arg);
		} else {
			return err_set("%s%s: byte %llu is neither cpio nor padding", r->path,
				       r->what, r->off - 6);
		}
	}
}

/* In the child: stdin from in, stdout into out, die with the parent. */
static void exec_filter(const char *const argv[], int in, int out, pid_t parent)
{
	int null = open("/dev/null", O_WRONLY);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || null < 0 ||
	    dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		_exit(126);
	child_reset_signals();
	signal(SIGPIPE, SIG_DFL);	/* we stop reading on a parse error: just die */
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

/*
 * Wait for the decompressor. Its failure explains a parse error better
 * than the parser (a corrupt stream ends early); its death by SIGPIPE is
 * ours, after a parse error.
 */
static int reap(pid_t pid, const struct codec *c, const char *path, int rc)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_errno("cannot wait for %s", c->argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_set("reading %s needs %s: apt-get install %s", path, c->argv[0],
			       c->package);
	if ((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    (rc < 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE))
		return rc;
	return err_set("%s -d failed on %s: its compressed part is damaged", c->argv[0], path);
}

static int decompress(struct rd *r, unsigned long long at, const unsigned char m[6],
		      initrd_fn fn, void *arg)
{
	const struct codec *c = NULL;
	struct rd out = { .path = r->path };
	pid_t pid, parent = getpid();
	int in, p[2], rc;

	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0] && !c; i++)
		if (!memcmp(m, codecs[i].magic, codecs[i].len))
			c = &codecs[i];
	if (!c)
		return err_set("%s: byte %llu starts neither a cpio archive nor a compressed "
			       "stream the kernel knows: not an initramfs", r->path, at);
	in = open(r->path, O_RDONLY | O_CLOEXEC);
	if (in < 0 || lseek(in, (off_t)at, SEEK_SET) < 0 || pipe2(p, O_CLOEXEC) < 0) {
		rc = err_errno("cannot read %s", r->path);
		if (in >= 0)
			close(in);
		return rc;
	}
	pid = fork();
	if (pid == 0)
		exec_filter(c->argv, in, p[1], parent);
	close(in);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return err_errno("cannot run %s", c->argv[0]);
	}
	out.f = fdopen(p[0], "r");
	if (!out.f)
		abort();
	out.what = xasprintf(" (decompressed by %s)", c->argv[0]);
	rc = archives(&out, 0, fn, arg);
	fclose(out.f);
	free((char *)out.what);
	return reap(pid, c, r->path, rc);
}

int initrd_list(const char *path, initrd_fn fn, void *arg)
{
	struct rd r = { .path = path, .what = "" };
	int rc;

	r.f = fopen(path, "re");
	if (!r.f)
		return err_errno("cannot open %s", path);
	rc = archives(&r, 1, fn, arg);
	fclose(r.f);
	return rc;
}
