/*
 * DHCP packets as sniff.c hands them over: the input as an IPv4 packet
 * (IP and UDP headers first) and as a bare UDP payload; option 97 is
 * decoded on the way, and on its own from the input's first bytes.
 */
#include "fuzz.h"

#include "dhcp_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_info d;

	if (dhcp_parse_ipv4(data, size, &d) == 0)
		dhcp_is_pi_boot(&d);
	if (dhcp_parse(data, size, &d) == 0)
		dhcp_is_pi_boot(&d);
	memset(&d, 0, sizeof d);
	dhcp_decode_opt97(data, size < 17 ? size : 17, &d);
	return 0;
}
