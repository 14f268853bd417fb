#include "ikconfig.h"

#include "err.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* No kernel image decompresses to more; a bigger one is not a kernel. */
#define MAX_OUT (256u << 20)

static const char start_mark[] = "IKCFG_ST";

/* Inflate the gzip stream at in; *out NUL-terminated. -1: corrupt or too big. */
static int gunzip(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
	z_stream z = { .next_in = (unsigned char *)in, .avail_in = (uInt)len };
	size_t cap = len * 4 + 4096;
	unsigned char *buf = xmalloc(cap);
	int rc = inflateInit2(&z, 16 + MAX_WBITS);	/* 16: a gzip header */

	while (rc == Z_OK) {
		if (z.total_out + 1 >= cap) {
			if (cap >= MAX_OUT)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		z.next_out = buf + z.total_out;
		z.avail_out = (uInt)(cap - 1 - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
	}
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	buf[z.total_out] = '\0';
	*out = buf;
	*outlen = z.total_out;
	return 0;
}

/* The config between the markers of buf, if any. */
static int find_in(const unsigned char *buf, size_t len, char **config)
{
	const unsigned char *st = memmem(buf, len, start_mark, sizeof start_mark - 1), *data;
	unsigned char *text;
	size_t n;

	if (!st)
		return 0;
	data = st + sizeof start_mark - 1;
	/* the gzip stream ends where inflate says (IKCFG_ED follows it) */
	if (gunzip(data, len - (size_t)(data - buf), &text, &n) < 0)
		return err_set("its embedded config (IKCFG_ST) is not a gzip stream");
	*config = (char *)text;
	return 1;
}

int ikconfig_find(const unsigned char *buf, size_t len, char **config)
{
	unsigned char *image;
	size_t n;
	int rc;

	*config = NULL;
	if (len < 2 || buf[0] != 0x1f || buf[1] != 0x8b)
		return find_in(buf, len, config);
	if (gunzip(buf, len, &image, &n) < 0)
		return err_set("a gzip-compressed kernel that does not decompress");
	rc = find_in(image, n, config);
	free(image);
	return rc;
}
