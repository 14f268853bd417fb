/*
 * The bootloader's DHCP exchange on a packet socket: DISCOVER until a
 * Raspberry Pi boot server and an address are offered (one server, or a
 * proxy-DHCP server plus a normal one), then REQUEST/ACK on Pi 4/5 while
 * the Pi 3 family takes the offered address as is (§1.1).
 */
#ifndef PISIM_DHCP_H
#define PISIM_DHCP_H

#include "dhcp_pkt.h"

struct dhcp_cfg {
	int ifindex;
	const struct model *m;
	struct dhcp_client client;
	int req_timeout_ms;		/* DISCOVER/REQUEST retransmit (DHCP_REQ_TIMEOUT) */
	int timeout_ms;			/* whole exchange (DHCP_TIMEOUT) */
	int request;			/* do REQUEST/ACK */
};

/* Addresses in network order. */
struct dhcp_lease {
	uint32_t ip, netmask, router;
	uint32_t addr_server;		/* who gave the address */
	uint32_t boot_server;		/* whose reply carried "Raspberry Pi Boot" */
	uint32_t tftp_server;
	int proxy;			/* the boot server's reply had no address */
	int discovers;			/* DISCOVERs sent */
	char menu[64];
};

/* 0 with *l filled, or -1 with err set to why no boot server was usable. */
int dhcp_acquire(const struct dhcp_cfg *c, struct dhcp_lease *l);

#endif
