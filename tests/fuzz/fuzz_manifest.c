/*
 * Content manifests as manifest_diff compares them: the input is the old
 * manifest, then a NUL byte, then the new one (without a NUL: the input
 * against a small valid manifest, both ways).
 */
#include "fuzz.h"

#include "node_manifest.h"

#include <stdio.h>

static const char known[] =
	"bramble-manifest 1\n"
	"image bookworm@2 created=1700000000 files=2 bytes=20\n"
	"f 0644 0000000000000000000000000000000000000000000000000000000000000000 boot/cmdline.txt\n"
	"l 0777 1111111111111111111111111111111111111111111111111111111111111111 boot/9ffefdef\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char *old = fuzz_str(data, size);
	size_t cut = strlen(old);

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	if (cut < size) {
		manifest_diff(old, old + cut + 1, "fuzz", null);
	} else {
		manifest_diff(old, known, "fuzz", null);
		manifest_diff(known, old, "fuzz", null);
	}
	free(old);
	return 0;
}
