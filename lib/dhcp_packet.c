#include "dhcp_packet.h"

#include "err.h"

#include <stdio.h>
#include <string.h>

#define BOOTP_FIXED 236		/* op .. file, before the magic cookie */
#define MAGIC 0x63825363u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void ip_str(const uint8_t *p, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

static int zero4(const uint8_t *p)
{
	return !(p[0] | p[1] | p[2] | p[3]);
}

void dhcp_decode_opt97(const uint8_t *p, size_t len, struct dhcp_info *out)
{
	uint32_t fourcc;

	/* type byte 0, then 16 bytes: fourcc, revision, MAC low, serial */
	if (len != 17 || p[0] != 0)
		return;
	fourcc = le32(p + 1);
	if (fourcc == 0x34695052)	/* "RPi4" */
		out->pi_model = 4;
	else if (fourcc == 0x35695052)	/* "RPi5" */
		out->pi_model = 5;
	else {
		/* a 3B+ sends its serial four times */
		if (fourcc && !memcmp(p + 1, p + 5, 4) && !memcmp(p + 1, p + 9, 4) &&
		    !memcmp(p + 1, p + 13, 4)) {
			out->pi_model = 3;
			snprintf(out->pi_serial, sizeof out->pi_serial, "%08x", fourcc);
		}
		return;
	}
	snprintf(out->pi_revision, sizeof out->pi_revision, "%x", le32(p + 5));
	snprintf(out->pi_serial, sizeof out->pi_serial, "%08x", le32(p + 13));
}

static void copy_printable(char *dst, size_t cap, const uint8_t *p, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	dst[n] = '\0';
}

static int parse_options(const uint8_t *p, size_t len, struct dhcp_info *out, uint8_t req[4])
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i++], olen;

		if (code == 0)		/* pad */
			continue;
		if (code == 255)	/* end */
			return 0;
		if (i >= len)
			return err_set("option %u has no length byte", code);
		olen = p[i++];
		if (olen > len - i)
			return err_set("option %u (%u bytes) runs past the end of the packet",
				       code, olen);
		switch (code) {
		case 53:
			if (olen == 1)
				out->msg_type = p[i];
			break;
		case 60:
			copy_printable(out->vendor, sizeof out->vendor, p + i, olen);
			break;
		case 93:
			if (olen >= 2)
				out->arch = p[i] << 8 | p[i + 1];
			break;
		case 97:
			dhcp_decode_opt97(p + i, olen, out);
			break;
		case 50:
			if (olen == 4)
				memcpy(req, p + i, 4);
			break;
		}
		i += olen;
	}
	/* RFC 2131 wants an end option; real clients always send one */
	return err_set("options end without an end option (255)");
}

int dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_info *out)
{
	uint8_t req[4] = { 0 };

	memset(out, 0, sizeof *out);
	out->arch = -1;
	if (len < BOOTP_FIXED + 4)
		return err_set("%zu bytes is shorter than a BOOTP header", len);
	if (buf[0] != 1 && buf[0] != 2)
		return err_set("op %u is neither request nor reply", buf[0]);
	if (buf[1] != 1 || buf[2] != 6)
		return err_set("hardware type %u/length %u is not Ethernet", buf[1], buf[2]);
	if (be32(buf + BOOTP_FIXED) != MAGIC)
		return err_set("no DHCP magic cookie");
	out->op = buf[0];
	out->xid = be32(buf + 4);
	mac_format(buf + 28, out->mac);
	if (parse_options(buf + BOOTP_FIXED + 4, len - BOOTP_FIXED - 4, out, req) < 0)
		return -1;
	if (!zero4(buf + 16))
		ip_str(buf + 16, out->ip);	/* yiaddr */
	else if (!zero4(buf + 12))
		ip_str(buf + 12, out->ip);	/* ciaddr */
	else if (!zero4(req))
		ip_str(req, out->ip);
	if (!out->pi_model && !strncmp(out->mac, "b8:27:eb", 8))
		out->pi_model = 3;
	return 0;
}

int dhcp_parse_ipv4(const uint8_t *buf, size_t len, struct dhcp_info *out)
{
	size_t ihl;
	unsigned sport, dport, ulen;

	if (len < 20 || buf[0] >> 4 != 4 || buf[9] != 17)
		return 1;
	ihl = (size_t)(buf[0] & 15) * 4;
	if (ihl < 20 || len < ihl + 8)
		return 1;
	sport = (unsigned)buf[ihl] << 8 | buf[ihl + 1];
	dport = (unsigned)buf[ihl + 2] << 8 | buf[ihl + 3];
	if (!((sport == 67 || sport == 68) && (dport == 67 || dport == 68)))
		return 1;
	ulen = (unsigned)buf[ihl + 4] << 8 | buf[ihl + 5];
	if (ulen < 8 || ulen > len - ihl)
		return err_set("UDP length %u does not fit the %zu-byte packet", ulen, len - ihl);
	return dhcp_parse(buf + ihl + 8, ulen - 8, out);
}

int mac_is_pi_oui(const char *mac)
{
	static const char *const ouis[] = {
		"b8:27:eb", "dc:a6:32", "e4:5f:01", "d8:3a:dd", "2c:cf:67", "28:cd:c1",
	};

	for (size_t i = 0; i < sizeof ouis / sizeof ouis[0]; i++)
		if (!strncmp(mac, ouis[i], 8))
			return 1;
	return 0;
}

int dhcp_is_pi_boot(const struct dhcp_info *d)
{
	return d->op == 1 && !strncmp(d->vendor, "PXEClient", 9) &&
	       (d->pi_model == 4 || d->pi_model == 5 || mac_is_pi_oui(d->mac));
}
