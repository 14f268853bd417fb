#include "dhcp_pkt.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define BOOTP_FIXED	236	/* op .. file, before the magic cookie */
#define BOOTP_MIN	300	/* RFC 1542 §2.1: pad requests to the BOOTP size */
#define OFF_XID		4
#define OFF_SECS	8
#define OFF_FLAGS	10
#define OFF_YIADDR	16
#define OFF_SIADDR	20
#define OFF_CHADDR	28

/* §1.1: the vendor class every Pi generation sends. */
static const char vendor_class[] = "PXEClient:Arch:00000:UNDI:002001";
/* §1.1: the boot menu text the bootloaders look for. */
static const char pi_boot[] = "Raspberry Pi Boot";
/* §1.1, §3: the 3B boot ROM needs three trailing spaces [D-boot-net; firmware#941]. */
static const char pi_boot_3b[] = "Raspberry Pi Boot   ";
static const uint8_t cookie[4] = { 99, 130, 83, 99 };

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/*
 * §1.1: Pi 4/5 send fourcc + board revision + MAC low bytes + serial
 * [D-eeprom]. The fourcc is little endian ("0x34695052 - little endian",
 * and a CM4 was seen sending 00:52:50:69:34 [cmprovision#16]); the serial
 * is little endian as in a 3B+'s option 97 echoed by dnsmasq
 * [piserver#125]; the MAC bytes are in wire order as in the CM4 log quoted
 * in the reference. The 3B+ sends its serial four times; the 3B a
 * constant, whose value no source gives (zeros here).
 */
void dhcp_guid(uint8_t out[DHCP_GUID_LEN], const struct model *m, uint32_t board_rev,
	       const uint8_t mac[6], uint32_t serial)
{
	memset(out, 0, DHCP_GUID_LEN);
	if (m->fourcc) {
		le32(out + 1, m->fourcc);
		le32(out + 5, board_rev);
		memcpy(out + 9, mac + 2, 4);
		le32(out + 13, serial);
	} else if (m->id == PI_3BPLUS) {
		for (int i = 0; i < 4; i++)
			le32(out + 1 + 4 * i, serial);
	}
}

static uint8_t *put_opt(uint8_t *p, uint8_t code, const void *data, size_t len)
{
	*p++ = code;
	*p++ = (uint8_t)len;
	memcpy(p, data, len);
	return p + len;
}

size_t dhcp_msg_build(uint8_t *buf, size_t cap, const struct dhcp_client *c, int type, uint32_t xid,
		  uint16_t secs, uint32_t req_ip, uint32_t server_id)
{
	static const uint8_t arch[2] = { 0, 0 };	/* option 93: "IA x86 PC" */
	static const uint8_t ndi[3] = { 1, 2, 1 };	/* option 94: UNDI 2.1 */
	uint8_t msg = (uint8_t)type, *p;
	uint32_t nxid = htonl(xid);
	uint16_t nsecs = htons(secs), flags = htons(0x8000);

	/* fixed part + cookie + the options below stay far under 400 bytes */
	if (cap < 400)
		return 0;
	memset(buf, 0, cap);
	buf[0] = 1;		/* BOOTREQUEST */
	buf[1] = 1;		/* Ethernet */
	buf[2] = 6;
	memcpy(buf + OFF_XID, &nxid, 4);
	memcpy(buf + OFF_SECS, &nsecs, 2);
	/*
	 * The reference shows no flags value; the broadcast flag lets any
	 * server answer a client that has no address yet.
	 */
	memcpy(buf + OFF_FLAGS, &flags, 2);
	memcpy(buf + OFF_CHADDR, c->mac, 6);
	memcpy(buf + BOOTP_FIXED, cookie, 4);
	p = buf + BOOTP_FIXED + 4;
	p = put_opt(p, 53, &msg, 1);
	if (type == DHCP_REQUEST) {
		p = put_opt(p, 50, &req_ip, 4);
		p = put_opt(p, 54, &server_id, 4);
	}
	p = put_opt(p, 55, c->prl, c->prl_len);
	/* The Pi 4's REQUEST does not repeat option 60 [rpi-eeprom#82, #87]. */
	if (type == DHCP_DISCOVER) {
		p = put_opt(p, 60, vendor_class, sizeof vendor_class - 1);
		p = put_opt(p, 93, arch, sizeof arch);
		p = put_opt(p, 94, ndi, sizeof ndi);
	}
	p = put_opt(p, 97, c->guid, DHCP_GUID_LEN);
	*p++ = 255;
	return (size_t)(p - buf) < BOOTP_MIN ? BOOTP_MIN : (size_t)(p - buf);
}

/* Copy a text option into out as printable ASCII. */
static void text_copy(char *out, size_t cap, const uint8_t *s, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	for (size_t i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[n] = '\0';
}

int pxe_menu_match(const uint8_t *o43, size_t len, const struct model *m, char *menu, size_t menu_cap)
{
	const char *want = m->id == PI_3B ? pi_boot_3b : pi_boot;
	size_t wlen = strlen(want), i = 0;
	int match = 0;

	menu[0] = '\0';
	while (i < len && o43[i] != 255) {
		size_t sub, slen;

		if (o43[i] == 0) {	/* pad */
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + o43[i + 1] > len)
			break;
		sub = o43[i];
		slen = o43[i + 1];
		if (sub == 9) {
			/* boot menu: entries of type (2), length (1), text */
			const uint8_t *e = o43 + i + 2, *end = e + slen;

			while (e + 3 <= end && e + 3 + e[2] <= end) {
				size_t tlen = e[2];

				if (!menu[0])
					text_copy(menu, menu_cap, e + 3, tlen);
				if (memmem(e + 3, tlen, want, wlen))
					match = 1;
				e += 3 + tlen;
			}
		}
		i += 2 + slen;
	}
	return match;
}

int dhcp_reply_parse(const uint8_t *p, size_t n, struct dhcp_reply *r, const struct model *m)
{
	size_t i = BOOTP_FIXED + 4;

	memset(r, 0, sizeof *r);
	if (n < i || p[0] != 2 || memcmp(p + BOOTP_FIXED, cookie, 4))
		return -1;
	memcpy(&r->xid, p + OFF_XID, 4);
	r->xid = ntohl(r->xid);
	memcpy(&r->yiaddr, p + OFF_YIADDR, 4);
	memcpy(&r->siaddr, p + OFF_SIADDR, 4);
	memcpy(r->chaddr, p + OFF_CHADDR, 6);
	while (i < n && p[i] != 255) {
		const uint8_t *v;
		size_t len;

		if (p[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > n || i + 2 + p[i + 1] > n)
			return -1;
		v = p + i + 2;
		len = p[i + 1];
		switch (p[i]) {
		case 53:
			if (len == 1)
				r->type = v[0];
			break;
		case 54:
			if (len == 4)
				memcpy(&r->server_id, v, 4);
			break;
		case 1:
			if (len == 4)
				memcpy(&r->netmask, v, 4);
			break;
		case 3:
			if (len >= 4)
				memcpy(&r->router, v, 4);
			break;
		case 66:
			text_copy(r->tftp_name, sizeof r->tftp_name, v, len);
			break;
		case 60:
			r->pxe_client = len >= 9 && !memcmp(v, "PXEClient", 9);
			break;
		case 43:
			r->pi_menu = pxe_menu_match(v, len, m, r->menu, sizeof r->menu);
			break;
		}
		i += 2 + len;
	}
	return 0;
}

uint32_t dhcp_tftp_server(const struct dhcp_reply *boot, uint32_t src, const struct model *m)
{
	struct in_addr a;

	/* §1.2: Pi 3 ROM and bootcode.bin use the DHCP server's address [firmware#801, #871] */
	if (model_is_pi3(m))
		return boot->server_id ? boot->server_id : src;
	/* §1.2: Pi 4/5 honour option 66 (dotted quad) and siaddr [rpi-eeprom#72; RN2711] */
	if (boot->tftp_name[0] && inet_pton(AF_INET, boot->tftp_name, &a) == 1)
		return a.s_addr;
	if (boot->siaddr)
		return boot->siaddr;
	return boot->server_id ? boot->server_id : src;
}
