/* .xz streaming: the output is the input, zero blocks become holes, and
 * truncated or corrupt streams are named as such. */
#include "err.h"
#include "xalloc.h"
#include "xzstream.h"

#include <fcntl.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#define SIZE (8 << 20)

static unsigned char *plain, *packed;
static size_t packed_len;

/* 8 MiB: a data block at 0, zeros, a data block at 6 MiB, zeros. */
static int setup(void **state)
{
	(void)state;
	plain = xcalloc(1, SIZE);
	for (int i = 0; i < 4096; i++) {
		plain[i] = (unsigned char)(i * 7 + 1);
		plain[(6 << 20) + i] = (unsigned char)(i * 13 + 5);
	}
	packed = xmalloc(SIZE);
	return lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, plain, SIZE, packed,
				       &packed_len, SIZE) == LZMA_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(plain);
	free(packed);
	return 0;
}

static int memfile(const void *buf, size_t len)
{
	int fd = memfd_create("xz-in", 0);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	return fd;
}

/* An unlinked file on a real filesystem, where holes are visible. */
static int outfile(void)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);

	assert_true(fd >= 0);
	return fd;
}

static void round_trip_is_sparse(void **state)
{
	int in = memfile(packed, packed_len), out = outfile();
	unsigned char *back = xmalloc(SIZE);
	uint64_t size;
	struct stat st;

	(void)state;
	assert_int_equal(xz_detect(in, "in"), 1);
	assert_int_equal(xz_decompress(in, "in", out, "out", NULL, &size), 0);
	assert_int_equal(size, SIZE);
	assert_int_equal(pread(out, back, SIZE, 0), SIZE);
	assert_memory_equal(back, plain, SIZE);
	assert_int_equal(fstat(out, &st), 0);
	assert_true(st.st_blocks * 512 < 1 << 20);	/* two 4 KiB blocks, not 8 MiB */
	free(back);
	close(in);
	close(out);
}

static void truncated_and_corrupt(void **state)
{
	unsigned char *bad = xmalloc(packed_len);
	uint64_t size;
	int in, out;

	(void)state;
	in = memfile(packed, packed_len / 2);
	out = outfile();
	assert_int_equal(xz_decompress(in, "half.xz", out, "out", NULL, &size), -1);
	assert_non_null(strstr(err_get(), "half.xz: truncated .xz file"));
	close(in);
	close(out);

	memcpy(bad, packed, packed_len);
	memset(bad + packed_len / 2, 0x55, 64);
	in = memfile(bad, packed_len);
	out = outfile();
	assert_int_equal(xz_decompress(in, "bad.xz", out, "out", NULL, &size), -1);
	assert_non_null(strstr(err_get(), "bad.xz: corrupt .xz data"));
	close(in);
	close(out);

	in = memfile("not xz at all", 13);
	assert_int_equal(xz_detect(in, "text"), 0);
	close(in);
	free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_is_sparse),
		cmocka_unit_test(truncated_and_corrupt),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
