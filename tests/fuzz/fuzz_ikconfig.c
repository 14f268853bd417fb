/*
 * A kernel image's embedded config (lib/ikconfig.h): the image of a Pi's
 * boot files as it comes, plain or gzip-compressed, with or without the
 * IKCFG_ST marker and the gzip stream after it.
 */
#include "fuzz.h"

#include "ikconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *config;

	if (ikconfig_find(data, size, &config) > 0)
		free(config);
	return 0;
}
