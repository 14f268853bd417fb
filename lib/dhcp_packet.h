/*
 * DHCP packets as bootsrv sees them on the cluster interface (a passive
 * packet socket, see bootsrv/sniff.c): the fields that tell who is booting.
 *
 * A Pi's DISCOVER carries vendor class "PXEClient:Arch:00000:UNDI:002001"
 * and option 97 (17 bytes: type 0, fourcc "RPi4"/"RPi5" as a little-endian
 * u32, board revision LE u32, low 4 bytes of the MAC, serial LE u32), see
 * reference/pi-netboot.md §1.1. dnsmasq's log prints option 97 cut at 14
 * bytes, which loses the serial: that is why we read the packet ourselves.
 */
#ifndef BRAMBLE_DHCP_PACKET_H
#define BRAMBLE_DHCP_PACKET_H

#include "mac.h"

#include <stddef.h>
#include <stdint.h>

enum { DHCP_DISCOVER = 1, DHCP_OFFER, DHCP_REQUEST, DHCP_DECLINE, DHCP_ACK,
       DHCP_NAK, DHCP_RELEASE, DHCP_INFORM };

struct dhcp_info {
	int op;			/* 1 client->server, 2 server->client */
	int msg_type;		/* option 53, 0 if absent (plain BOOTP) */
	uint32_t xid;
	char mac[MAC_STRLEN];	/* chaddr, canonical */
	char vendor[128];	/* option 60, printable, "" if absent */
	int arch;		/* option 93, -1 if absent */
	char ip[16];		/* the client's address: yiaddr, else ciaddr, else option 50; "" */
	/* option 97, decoded when it holds a Pi 4/5 identity */
	int pi_model;		/* 4 or 5 from the fourcc; 3 from the b8:27:eb OUI; 0 unknown */
	char pi_revision[9];	/* board revision, hex, "" if unknown */
	char pi_serial[9];	/* 8 hex digits, "" if unknown */
};

/*
 * Parse a UDP payload from port 67/68. Returns 0 and fills *out, or -1
 * with err set naming what is malformed (truncated, bad magic, option
 * running past the end).
 */
int dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_info *out);
/*
 * The same from an IPv4 packet (what a SOCK_DGRAM packet socket yields):
 * 1 when it is not UDP to or from port 67/68 (not ours), else as dhcp_parse.
 */
int dhcp_parse_ipv4(const uint8_t *buf, size_t len, struct dhcp_info *out);
/* Decode option 97 (len bytes at p) into out's pi_* fields. */
void dhcp_decode_opt97(const uint8_t *p, size_t len, struct dhcp_info *out);
/* A Pi asking to network-boot: PXE vendor class and a Pi identity or OUI. */
int dhcp_is_pi_boot(const struct dhcp_info *d);
/* MAC prefix of a Raspberry Pi board (b8:27:eb, dc:a6:32, e4:5f:01, d8:3a:dd, 2c:cf:67, 28:cd:c1). */
int mac_is_pi_oui(const char *mac);

#endif
