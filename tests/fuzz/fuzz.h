/*
 * What every libFuzzer target here shares. The parsers take C strings,
 * so the input is copied into a NUL-terminated buffer of its own: ASan
 * then catches a read one past the input's end.
 */
#ifndef BRAMBLE_FUZZ_H
#define BRAMBLE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a string (cut at its first NUL, as a C caller would see it). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
