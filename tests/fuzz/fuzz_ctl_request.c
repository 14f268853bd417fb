/*
 * Control-socket request lines as the daemon reads them (up to a newline
 * or 64 KiB, NUL-terminated): JSON decoding and the checks of command and
 * argument types that run before any command touches the daemon. The
 * commands themselves need a running daemon and are left to the BATS tests.
 */
#include "fuzz.h"

#include "ctl_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_str(data, size < 65535 ? size : 65535);
	json_t *req;
	const char *cmd;

	if (ctl_request_parse(line, &req, &cmd) == 0)
		json_decref(req);
	free(line);
	return 0;
}
