#include "dhcp_packet.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* A Pi 4 DISCOVER as reference/pi-netboot.md §1.1 describes it. */
static size_t pi4_discover(uint8_t *p)
{
	static const uint8_t mac[6] = { 0xdc, 0xa6, 0x32, 0x2e, 0xf8, 0xed };
	static const char vc[] = "PXEClient:Arch:00000:UNDI:002001";
	static const uint8_t opt97[17] = { 0, 'R', 'P', 'i', '4', 0x11, 0x31, 0xa0, 0x00,
					   0x32, 0x2e, 0xf8, 0xed, 0x10, 0x45, 0x15, 0x5b };
	size_t i = 240;

	memset(p, 0, 600);
	p[0] = 1, p[1] = 1, p[2] = 6;
	p[4] = 0x12, p[5] = 0x34, p[6] = 0x56, p[7] = 0x78;
	memcpy(p + 28, mac, 6);
	p[236] = 0x63, p[237] = 0x82, p[238] = 0x53, p[239] = 0x63;
	p[i++] = 53, p[i++] = 1, p[i++] = 1;
	p[i++] = 60, p[i++] = (uint8_t)strlen(vc);
	memcpy(p + i, vc, strlen(vc));
	i += strlen(vc);
	p[i++] = 93, p[i++] = 2, p[i++] = 0, p[i++] = 0;
	p[i++] = 97, p[i++] = 17;
	memcpy(p + i, opt97, 17);
	i += 17;
	p[i++] = 255;
	return i;
}

static void decodes_pi4_discover(void **state)
{
	uint8_t p[600];
	struct dhcp_info d;
	size_t len = pi4_discover(p);

	(void)state;
	assert_int_equal(dhcp_parse(p, len, &d), 0);
	assert_int_equal(d.op, 1);
	assert_int_equal(d.msg_type, DHCP_DISCOVER);
	assert_int_equal(d.xid, 0x12345678);
	assert_string_equal(d.mac, "dc:a6:32:2e:f8:ed");
	assert_string_equal(d.vendor, "PXEClient:Arch:00000:UNDI:002001");
	assert_int_equal(d.arch, 0);
	assert_int_equal(d.pi_model, 4);
	assert_string_equal(d.pi_revision, "a03111");
	assert_string_equal(d.pi_serial, "5b154510");
	assert_string_equal(d.ip, "");
	assert_true(dhcp_is_pi_boot(&d));
}

static void decodes_pi5_fourcc(void **state)
{
	uint8_t p[600];
	struct dhcp_info d;
	size_t len = pi4_discover(p);
	uint8_t *fourcc = memmem(p, len, "RPi4", 4);

	(void)state;
	fourcc[3] = '5';
	assert_int_equal(dhcp_parse(p, len, &d), 0);
	assert_int_equal(d.pi_model, 5);
}

static void reads_client_address(void **state)
{
	uint8_t p[600];
	struct dhcp_info d;
	size_t len = pi4_discover(p);

	(void)state;
	p[0] = 2;
	p[16] = 10, p[17] = 42, p[18] = 0, p[19] = 12;	/* yiaddr */
	assert_int_equal(dhcp_parse(p, len, &d), 0);
	assert_string_equal(d.ip, "10.42.0.12");
	assert_false(dhcp_is_pi_boot(&d));	/* a reply, not a Pi asking */
}

static void rejects_malformed(void **state)
{
	uint8_t p[600];
	struct dhcp_info d;
	size_t len = pi4_discover(p);

	(void)state;
	assert_int_equal(dhcp_parse(p, 100, &d), -1);		/* truncated header */
	assert_int_equal(dhcp_parse(p, len - 10, &d), -1);	/* option 97 cut */
	p[236] = 0;
	assert_int_equal(dhcp_parse(p, len, &d), -1);		/* no cookie */
	p[236] = 0x63;
	p[2] = 8;
	assert_int_equal(dhcp_parse(p, len, &d), -1);		/* not Ethernet */
}

static void ignores_other_udp(void **state)
{
	uint8_t pkt[700] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17 };
	struct dhcp_info d;
	size_t len = pi4_discover(pkt + 28);

	(void)state;
	pkt[20] = 0, pkt[21] = 68, pkt[22] = 0, pkt[23] = 67;
	pkt[24] = (uint8_t)((len + 8) >> 8), pkt[25] = (uint8_t)(len + 8);
	assert_int_equal(dhcp_parse_ipv4(pkt, len + 28, &d), 0);
	assert_string_equal(d.mac, "dc:a6:32:2e:f8:ed");
	pkt[23] = 53;
	assert_int_equal(dhcp_parse_ipv4(pkt, len + 28, &d), 1);
	pkt[23] = 67, pkt[24] = 0x7f;		/* UDP length beyond the packet */
	assert_int_equal(dhcp_parse_ipv4(pkt, len + 28, &d), -1);
}

static void knows_pi_ouis(void **state)
{
	(void)state;
	assert_true(mac_is_pi_oui("b8:27:eb:00:00:01"));
	assert_true(mac_is_pi_oui("2c:cf:67:00:00:01"));
	assert_false(mac_is_pi_oui("52:54:00:00:00:01"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_pi4_discover),
		cmocka_unit_test(decodes_pi5_fourcc),
		cmocka_unit_test(reads_client_address),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(ignores_other_udp),
		cmocka_unit_test(knows_pi_ouis),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
