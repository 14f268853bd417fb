#include "xzstream.h"

#include "diskfull.h"
#include "err.h"
#include "filecopy.h"
#include "xalloc.h"

#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INBUF (1 << 20)
#define OUTBUF (4 << 20)
#define BLOCK 4096

int xz_detect(int fd, const char *path)
{
	static const unsigned char magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	unsigned char head[6];
	ssize_t n = pread(fd, head, sizeof head, 0);

	if (n < 0)
		return err_errno("cannot read %s", path);
	return n == sizeof head && memcmp(head, magic, sizeof head) == 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
	return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

static size_t block_at(size_t i, size_t len)
{
	return len - i < BLOCK ? len - i : BLOCK;
}

/* Write buf at off, leaving every all-zero block a hole. */
static int write_sparse(int out, const char *path, const unsigned char *buf, size_t len,
			off_t off)
{
	size_t i = 0, start;

	while (i < len) {
		while (i < len && all_zero(buf + i, block_at(i, len)))
			i += block_at(i, len);
		start = i;
		while (i < len && !all_zero(buf + i, block_at(i, len)))
			i += block_at(i, len);
		if (i > start && file_pwrite(out, buf + start, i - start, off + (off_t)start) < 0)
			return err_write("cannot write %s", path);
	}
	return 0;
}

static const char *lzma_problem(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR:
		return "not an .xz file";
	case LZMA_DATA_ERROR:
		return "corrupt .xz data (download it again)";
	case LZMA_BUF_ERROR:
		return "truncated .xz file (download it again)";
	case LZMA_OPTIONS_ERROR:
		return "unsupported .xz options";
	case LZMA_MEM_ERROR:
	case LZMA_MEMLIMIT_ERROR:
		return "out of memory decompressing";
	default:
		return "xz decoder error";
	}
}

static int init_decoder(lzma_stream *s)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	lzma_mt mt = {
		.flags = LZMA_CONCATENATED,
		.threads = cpus > 4 ? 4 : cpus < 1 ? 1 : (uint32_t)cpus,
		.memlimit_threading = 512 << 20,
		.memlimit_stop = UINT64_MAX,
	};

	if (lzma_stream_decoder_mt(s, &mt) != LZMA_OK)
		return err_set("cannot start the xz decoder");
	return 0;
}

int xz_decompress(int in, const char *in_path, int out, const char *out_path,
		  struct progress *progress, uint64_t *out_size)
{
	lzma_stream s = LZMA_STREAM_INIT;
	unsigned char *ibuf = xmalloc(INBUF), *obuf = xmalloc(OUTBUF);
	lzma_action action = LZMA_RUN;
	off_t off = 0;
	int rc = -1;

	if (lseek(in, 0, SEEK_SET) < 0) {
		err_errno("cannot read %s", in_path);
		goto out;
	}
	if (init_decoder(&s) < 0)
		goto out;
	s.next_out = obuf;
	s.avail_out = OUTBUF;
	for (;;) {
		lzma_ret r;

		if (s.avail_in == 0 && action == LZMA_RUN) {
			ssize_t n = read(in, ibuf, INBUF);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				err_errno("cannot read %s", in_path);
				goto out;
			}
			s.next_in = ibuf;
			s.avail_in = (size_t)n;
			if (n == 0)
				action = LZMA_FINISH;
			if (progress)
				progress_add(progress, (uint64_t)n, 0);
		}
		r = lzma_code(&s, action);
		if (s.avail_out == 0 || r == LZMA_STREAM_END) {
			size_t len = OUTBUF - s.avail_out;

			if (write_sparse(out, out_path, obuf, len, off) < 0)
				goto out;
			off += (off_t)len;
			s.next_out = obuf;
			s.avail_out = OUTBUF;
		}
		if (r == LZMA_STREAM_END)
			break;
		if (r != LZMA_OK) {
			err_set("%s: %s", in_path, lzma_problem(r));
			goto out;
		}
	}
	if (ftruncate(out, off) < 0) {
		err_write("cannot set the size of %s", out_path);
		goto out;
	}
	*out_size = (uint64_t)off;
	rc = 0;
out:
	lzma_end(&s);
	free(ibuf);
	free(obuf);
	return rc;
}
