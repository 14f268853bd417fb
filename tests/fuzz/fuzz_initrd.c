/*
 * The initramfs reader's cpio part: newc archives and zero padding, as a
 * compressed stream holds them. initrd_list itself runs a decompressor
 * program for the compressed part, a fork per input; the parser is
 * static, so this file includes initrd_list.c to reach it and reads the
 * input through fmemopen.
 */
#include "fuzz.h"

#include "../../lib/initrd_list.c"

static void count(const char *name, void *arg)
{
	(void)name;
	++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { .path = "fuzz.img", .what = "" };
	size_t members = 0;

	if (size == 0)
		return 0;
	if (!(r.f = fmemopen((void *)data, size, "r")))
		abort();
	archives(&r, 0, count, &members);
	fclose(r.f);
	return 0;
}
