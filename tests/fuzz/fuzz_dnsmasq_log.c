/* dnsmasq's log lines as bootsrv reads them from its pipe, one per input
 * (dnsmasq.c splits at newlines; the parser gets no newline). */
#include "fuzz.h"

#include "dnsmasq_log.h"

#define ROOT "/var/lib/bramble/tftp"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnsmasq_line l;	/* two PATH_MAX buffers: not on the stack */
	char *line = fuzz_str(data, size);

	line[strcspn(line, "\n")] = '\0';
	dnsmasq_parse_line(line, ROOT, &l);
	free(line);
	return 0;
}
