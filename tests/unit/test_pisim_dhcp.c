/* pisim's DHCP packets: option 97 layout, DISCOVER/REQUEST contents, option 43 menus, reply parsing, UDP framing. */
#include "../pisim/dhcp_pkt.c"
#include "../pisim/model.c"
#include "../pisim/rawudp.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const uint8_t mac4[6] = { 0xdc, 0xa6, 0x32, 0x01, 0x02, 0x03 };

/* The dnsmasq option 43 for pxe-service=0,"Raspberry Pi Boot" [firmware#1605 log]. */
static const uint8_t dnsmasq_o43[] = {
	0x06, 0x01, 0x03, 0x0a, 0x04, 0x00, 'P', 'X', 'E', 0x09, 0x14, 0x00, 0x00, 0x11,
	'R', 'a', 's', 'p', 'b', 'e', 'r', 'r', 'y', ' ', 'P', 'i', ' ', 'B', 'o', 'o', 't', 0xff,
};

/* Find option code in a built message; returns its data and sets *len. */
static const uint8_t *find_opt(const uint8_t *msg, size_t n, uint8_t code, size_t *len)
{
	for (size_t i = BOOTP_FIXED + 4; i + 1 < n && msg[i] != 255;) {
		if (msg[i] == 0) {
			i++;
			continue;
		}
		if (msg[i] == code) {
			*len = msg[i + 1];
			return msg + i + 2;
		}
		i += 2 + msg[i + 1];
	}
	return NULL;
}

static void guid_pi4_layout(void **state)
{
	static const uint8_t want[DHCP_GUID_LEN] = {
		0x00, 0x52, 0x50, 0x69, 0x34,	/* "RPi4", 0x34695052 little endian */
		0x14, 0x31, 0xc0, 0x00,		/* board revision c03114 LE */
		0x32, 0x01, 0x02, 0x03,		/* MAC low 4 bytes */
		0xef, 0xfd, 0xfe, 0x9f,		/* serial 9ffefdef LE */
	};
	uint8_t g[DHCP_GUID_LEN];

	(void)state;
	dhcp_guid(g, model_by_name("4"), 0xc03114, mac4, 0x9ffefdef);
	assert_memory_equal(g, want, sizeof want);
	dhcp_guid(g, model_by_name("5"), 0xc04170, mac4, 1);
	assert_int_equal(g[4], 0x35);	/* "RPi5" */
	assert_int_equal(g[5], 0x70);
}

static void guid_pi3(void **state)
{
	uint8_t g[DHCP_GUID_LEN], zero[DHCP_GUID_LEN] = { 0 };

	(void)state;
	/* 3B+: serial four times, as dnsmasq echoed it for b8:27:eb:5e:2a:2e [piserver#125] */
	dhcp_guid(g, model_by_name("3"), 0xa020d3, mac4, 0xe75e2a2e);
	assert_int_equal(g[0], 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(g[1 + 4 * i], 0x2e);
		assert_int_equal(g[4 + 4 * i], 0xe7);
	}
	dhcp_guid(g, model_by_name("3b"), 0xa02082, mac4, 0xe75e2a2e);
	assert_memory_equal(g, zero, sizeof zero);
}

static void discover_contents(void **state)
{
	const struct model *m = model_by_name("4");
	struct dhcp_client c = { .prl = m->prl, .prl_len = m->prl_len };
	uint8_t msg[DHCP_MSG_MAX];
	const uint8_t *o;
	size_t n, len;

	(void)state;
	memcpy(c.mac, mac4, 6);
	dhcp_guid(c.guid, m, m->board_rev, mac4, 1);
	n = dhcp_msg_build(msg, sizeof msg, &c, DHCP_DISCOVER, 0x11223344, 3, 0, 0);
	assert_true(n >= 300);
	assert_int_equal(msg[0], 1);
	assert_memory_equal(msg + OFF_CHADDR, mac4, 6);
	assert_int_equal(msg[OFF_XID], 0x11);
	assert_int_equal(msg[OFF_SECS + 1], 3);
	assert_non_null(o = find_opt(msg, n, 53, &len));
	assert_int_equal(o[0], DHCP_DISCOVER);
	assert_non_null(o = find_opt(msg, n, 60, &len));
	assert_int_equal(len, 32);
	assert_memory_equal(o, "PXEClient:Arch:00000:UNDI:002001", 32);
	assert_non_null(o = find_opt(msg, n, 93, &len));
	assert_int_equal(len, 2);
	assert_int_equal(o[0] | o[1], 0);
	assert_non_null(o = find_opt(msg, n, 94, &len));
	assert_memory_equal(o, "\1\2\1", 3);
	assert_non_null(o = find_opt(msg, n, 55, &len));
	assert_int_equal(len, 14);
	assert_memory_equal(o, "\1\3\53\74\102\103\200", 7);	/* 1 3 43 60 66 67 128 */
	assert_non_null(o = find_opt(msg, n, 97, &len));
	assert_int_equal(len, DHCP_GUID_LEN);
	assert_memory_equal(o, c.guid, DHCP_GUID_LEN);
}

static void request_contents(void **state)
{
	const struct model *m = model_by_name("5");
	struct dhcp_client c = { .prl = m->prl, .prl_len = m->prl_len };
	uint8_t msg[DHCP_MSG_MAX];
	uint32_t ip = htonl(0x0a2a0064), srv = htonl(0x0a2a00fe);
	const uint8_t *o;
	size_t n, len;

	(void)state;
	n = dhcp_msg_build(msg, sizeof msg, &c, DHCP_REQUEST, 7, 0, ip, srv);
	assert_non_null(o = find_opt(msg, n, 53, &len));
	assert_int_equal(o[0], DHCP_REQUEST);
	assert_non_null(o = find_opt(msg, n, 50, &len));
	assert_memory_equal(o, &ip, 4);
	assert_non_null(o = find_opt(msg, n, 54, &len));
	assert_memory_equal(o, &srv, 4);
	/* the Pi 4/5 REQUEST has no option 60 [rpi-eeprom#82] */
	assert_null(find_opt(msg, n, 60, &len));
	assert_non_null(find_opt(msg, n, 97, &len));
}

static void rom_prl(void **state)
{
	const struct model *m = model_by_name("3");

	(void)state;
	assert_int_equal(m->rom_prl_len, 12);
	assert_int_equal(m->rom_prl[0], 43);
	assert_int_equal(m->prl_len, 14);
	assert_int_equal(m->blksize, 0);
	assert_null(model_by_name("4")->rom_prl);
}

static void option43_menus(void **state)
{
	const struct model *pi4 = model_by_name("4"), *pi3b = model_by_name("3b");
	uint8_t two[64], padded[64];
	char menu[64];
	size_t n = 0;

	(void)state;
	assert_true(pxe_menu_match(dnsmasq_o43, sizeof dnsmasq_o43, pi4, menu, sizeof menu));
	assert_string_equal(menu, "Raspberry Pi Boot");
	/* the 3B ROM wants three trailing spaces */
	assert_false(pxe_menu_match(dnsmasq_o43, sizeof dnsmasq_o43, pi3b, menu, sizeof menu));
	memcpy(padded, dnsmasq_o43, 14);
	padded[10] = 0x17;
	padded[13] = 0x14;
	memcpy(padded + 14, "Raspberry Pi Boot   ", 20);
	padded[34] = 0xff;
	assert_true(pxe_menu_match(padded, 35, pi3b, menu, sizeof menu));
	assert_true(pxe_menu_match(padded, 35, pi4, menu, sizeof menu));
	/* two entries, the Pi's second; pad bytes before */
	two[n++] = 0;
	two[n++] = 9;
	two[n++] = 3 + 5 + 3 + 17;
	memcpy(two + n, "\x80\x00\x05Linux", 8);
	n += 8;
	memcpy(two + n, "\x00\x00\x11Raspberry Pi Boot", 20);
	n += 20;
	two[n++] = 0xff;
	assert_true(pxe_menu_match(two, n, pi4, menu, sizeof menu));
	assert_string_equal(menu, "Linux");
	/* another menu text, or one cut short, is no Pi boot server */
	memcpy(padded, dnsmasq_o43, sizeof dnsmasq_o43);
	memcpy(padded + 14, "Raspberry Pi Bxxt", 17);
	assert_false(pxe_menu_match(padded, sizeof dnsmasq_o43, pi4, menu, sizeof menu));
	assert_false(pxe_menu_match(dnsmasq_o43, 20, pi4, menu, sizeof menu));
	assert_false(pxe_menu_match(dnsmasq_o43, 0, pi4, menu, sizeof menu));
}

/* A reply as a proxy-DHCP server sends it. */
static size_t build_reply(uint8_t *p, int with_66)
{
	size_t i = BOOTP_FIXED;
	uint32_t srv = htonl(0x0a2a0001), mask = htonl(0xffffff00), xid = htonl(0xabcdef01);

	memset(p, 0, 600);
	p[0] = 2;
	memcpy(p + OFF_XID, &xid, 4);
	memcpy(p + OFF_SIADDR, &srv, 4);
	memcpy(p + OFF_CHADDR, mac4, 6);
	memcpy(p + i, cookie, 4);
	i += 4;
	p[i++] = 0;	/* pad: the 2020 EEPROM dropped replies with these [rpi-eeprom#82] */
	memcpy(p + i, "\x35\x01\x02\x36\x04", 5);
	i += 5;
	memcpy(p + i, &srv, 4);
	i += 4;
	p[i++] = 1;
	p[i++] = 4;
	memcpy(p + i, &mask, 4);
	i += 4;
	memcpy(p + i, "\x3c\x09PXEClient", 11);
	i += 11;
	p[i++] = 43;
	p[i++] = sizeof dnsmasq_o43;
	memcpy(p + i, dnsmasq_o43, sizeof dnsmasq_o43);
	i += sizeof dnsmasq_o43;
	if (with_66) {
		memcpy(p + i, "\x42\x0a" "10.42.0.99", 12);
		i += 12;
	}
	p[i++] = 255;
	return i;
}

static void reply_parse(void **state)
{
	const struct model *pi4 = model_by_name("4"), *pi3 = model_by_name("3");
	uint8_t p[600];
	struct dhcp_reply r;
	size_t n = build_reply(p, 0);

	(void)state;
	assert_int_equal(dhcp_reply_parse(p, n, &r, pi4), 0);
	assert_int_equal(r.xid, 0xabcdef01);
	assert_int_equal(r.type, DHCP_OFFER);
	assert_int_equal(r.yiaddr, 0);
	assert_int_equal(ntohl(r.server_id), 0x0a2a0001);
	assert_int_equal(ntohl(r.netmask), 0xffffff00);
	assert_true(r.pxe_client);
	assert_true(r.pi_menu);
	assert_memory_equal(r.chaddr, mac4, 6);
	/* a request, a short packet or a broken option is not a reply */
	p[0] = 1;
	assert_int_equal(dhcp_reply_parse(p, n, &r, pi4), -1);
	p[0] = 2;
	assert_int_equal(dhcp_reply_parse(p, 100, &r, pi4), -1);
	assert_int_equal(dhcp_reply_parse(p, n - 10, &r, pi4), -1);
	/* TFTP server: option 66 first on a Pi 4, the server identifier on a Pi 3 (§1.2) */
	n = build_reply(p, 1);
	assert_int_equal(dhcp_reply_parse(p, n, &r, pi4), 0);
	assert_string_equal(r.tftp_name, "10.42.0.99");
	assert_int_equal(ntohl(dhcp_tftp_server(&r, 0, pi4)), 0x0a2a0063);
	assert_int_equal(ntohl(dhcp_tftp_server(&r, 0, pi3)), 0x0a2a0001);
	r.tftp_name[0] = '\0';
	r.siaddr = htonl(0x0a2a0005);
	assert_int_equal(ntohl(dhcp_tftp_server(&r, 0, pi4)), 0x0a2a0005);
}

static void udp_framing(void **state)
{
	uint8_t pkt[200];
	const uint8_t *payload;
	size_t len, n;
	uint32_t src = htonl(0x0a2a0001), got;

	(void)state;
	n = ipudp_build(pkt, sizeof pkt, src, 67, htonl(0xffffffff), 68, "hello", 5);
	assert_int_equal(n, IPUDP_HDR + 5);
	assert_int_equal(fold(sum16(pkt, 20, 0)), 0);	/* IP header checksum verifies */
	assert_int_equal(ipudp_parse(pkt, n, 68, &payload, &len, &got), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(payload, "hello", 5);
	assert_int_equal(got, src);
	assert_int_equal(ipudp_parse(pkt, n, 67, &payload, &len, &got), -1);
	assert_int_equal(ipudp_parse(pkt, 20, 68, &payload, &len, &got), -1);
	assert_int_equal(ipudp_build(pkt, 30, src, 67, src, 68, "hello", 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guid_pi4_layout),
		cmocka_unit_test(guid_pi3),
		cmocka_unit_test(discover_contents),
		cmocka_unit_test(request_contents),
		cmocka_unit_test(rom_prl),
		cmocka_unit_test(option43_menus),
		cmocka_unit_test(reply_parse),
		cmocka_unit_test(udp_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
