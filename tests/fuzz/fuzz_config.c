/*
 * bramble.conf through config_load, which reads a named file (inih's
 * stream reader): the input goes into a memfd, named by /proc/self/fd.
 */
#include "fuzz.h"

#include "config.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct config cfg;
	char *start, *end;

	if (fd < 0) {
		if ((fd = memfd_create("bramble.conf", 0)) < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (config_load(&cfg, path) == 0 && config_dhcp_range(&cfg, &start, &end) == 0) {
		free(start);
		free(end);
	}
	config_free(&cfg);
	return 0;
}
