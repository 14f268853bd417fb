/*
 * BOOTP/DHCP messages as the Pi bootloaders send and judge them
 * (shared/reference/pi-netboot.md §1.1, §1.2). Pure functions: no I/O.
 */
#ifndef PISIM_DHCP_PKT_H
#define PISIM_DHCP_PKT_H

#include "model.h"

#include <stddef.h>
#include <stdint.h>

#define DHCP_DISCOVER 1
#define DHCP_OFFER    2
#define DHCP_REQUEST  3
#define DHCP_ACK      5
#define DHCP_NAK      6

#define DHCP_GUID_LEN 17
#define DHCP_MSG_MAX  1024

/* What a client puts in every message it sends. */
struct dhcp_client {
	uint8_t mac[6];
	uint8_t guid[DHCP_GUID_LEN];	/* option 97 */
	const uint8_t *prl;		/* option 55 */
	size_t prl_len;
};

/* A server's reply, reduced to what a Pi looks at. Addresses in network order. */
struct dhcp_reply {
	uint32_t xid;
	uint8_t chaddr[6];
	int type;			/* option 53, 0 when absent (BOOTP) */
	uint32_t yiaddr, siaddr;
	uint32_t server_id;		/* option 54, 0 when absent */
	uint32_t netmask, router;	/* options 1 and 3, 0 when absent */
	char tftp_name[64];		/* option 66, "" when absent */
	int pxe_client;			/* option 60 is "PXEClient" */
	char menu[64];			/* first boot menu text of option 43 sub-option 9 */
	int pi_menu;			/* a menu entry is the Pi's "Raspberry Pi Boot" */
};

/* Option 97 of model m (§1.1): type 0 + 16 bytes of identity. */
void dhcp_guid(uint8_t out[DHCP_GUID_LEN], const struct model *m, uint32_t board_rev,
	       const uint8_t mac[6], uint32_t serial);

/* Build a DISCOVER or REQUEST (req_ip, server_id used for REQUEST); returns its length. */
size_t dhcp_msg_build(uint8_t *buf, size_t cap, const struct dhcp_client *c, int type, uint32_t xid,
		  uint16_t secs, uint32_t req_ip, uint32_t server_id);

/* Parse a BOOTREPLY; -1 when it is not one (short, wrong op, no cookie). */
int dhcp_reply_parse(const uint8_t *p, size_t n, struct dhcp_reply *r, const struct model *m);

/*
 * Does option 43 (PXE vendor options) carry a boot menu entry the model
 * accepts? Fills menu with the first entry's text for messages.
 */
int pxe_menu_match(const uint8_t *o43, size_t len, const struct model *m, char *menu, size_t menu_cap);

/* The TFTP server a model takes from its boot server's reply (§1.2), network order. */
uint32_t dhcp_tftp_server(const struct dhcp_reply *boot, uint32_t src, const struct model *m);

#endif
