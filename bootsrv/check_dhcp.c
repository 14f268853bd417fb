/*
 * Is there another DHCP server on the cluster segment? One DHCPDISCOVER,
 * broadcast on the interface for a MAC of our own (locally administered,
 * no Pi prefix, so neither dnsmasq nor bootsrv's watch takes it for a
 * node), then the OFFERs that arrive within PROBE_MS, read from a packet
 * socket (a reply is broadcast: it need not reach our UDP socket) and
 * parsed by lib/dhcp_packet, until the first one or PROBE_MS. Offers from
 * server_ip are our own dnsmasq's.
 *
 * Proxy mode needs such a server (it gives the addresses); full mode must
 * not have one (two servers hand out conflicting leases).
 */
#include "bootsrv.h"
#include "check.h"

#include "dhcp_packet.h"
#include "err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* Servers may ARP-ping an address before they offer it (udhcpd: 2 s). */
#define PROBE_MS 4000

/* "brmbl" with the locally administered bit: never a real board's MAC. */
static const uint8_t test_mac[6] = { 0x02, 0x62, 0x72, 0x6d, 0x62, 0x6c };

/* A minimal DISCOVER (RFC 2131): broadcast flag, message type, end. */
static size_t build_discover(uint8_t *buf, size_t cap, uint32_t xid)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	uint32_t nxid = htonl(xid);
	uint16_t flags = htons(0x8000);
	size_t len = 300;	/* the BOOTP minimum */

	if (cap < len)
		return 0;
	memset(buf, 0, len);
	buf[0] = 1;		/* BOOTREQUEST */
	buf[1] = 1;		/* Ethernet */
	buf[2] = 6;
	memcpy(buf + 4, &nxid, 4);
	memcpy(buf + 10, &flags, 2);
	memcpy(buf + 28, test_mac, 6);
	memcpy(buf + 236, cookie, 4);
	buf[240] = 53;		/* DHCP message type: DISCOVER */
	buf[241] = 1;
	buf[242] = DHCP_DISCOVER;
	buf[243] = 255;
	return len;
}

static int send_discover(const char *ifname, uint32_t xid)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(67),
				  .sin_addr.s_addr = INADDR_BROADCAST };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t msg[300];
	size_t len = build_discover(msg, sizeof msg, xid);
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return err_errno("cannot open a UDP socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0)
		err_errno("cannot send DHCP on %s", ifname);
	/* a DHCP client of the host may hold port 68; servers answer to 68 anyway */
	else if (bind(fd, (struct sockaddr *)&from, sizeof from) < 0 &&
		 (from.sin_port = 0, bind(fd, (struct sockaddr *)&from, sizeof from) < 0))
		err_errno("cannot bind a UDP socket on %s", ifname);
	else if (sendto(fd, msg, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
		err_errno("cannot send a DHCPDISCOVER on %s", ifname);
	else
		rc = 0;
	close(fd);
	return rc;
}

/* Wait for an OFFER to xid from a server other than ours (not_ip): its address into server. */
static void await_offer(int fd, uint32_t xid, const char *not_ip, char server[16])
{
	long long deadline = now_ms() + PROBE_MS;

	*server = '\0';
	for (long long left; !*server && (left = deadline - now_ms()) > 0; ) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t buf[2048];
		struct dhcp_info d;
		ssize_t len;

		if (poll(&p, 1, (int)left) <= 0)
			continue;
		len = recv(fd, buf, sizeof buf, 0);
		if (len < 20 || dhcp_parse_ipv4(buf, (size_t)len, &d) != 0 || d.op != 2 ||
		    d.xid != xid || d.msg_type != DHCP_OFFER)
			continue;
		inet_ntop(AF_INET, buf + 12, server, 16);	/* the IPv4 source address */
		if (!strcmp(server, not_ip))
			*server = '\0';
	}
	err_clear();	/* others' malformed packets are not our problem here */
}

/* Another DHCP server answering on the interface ("" if none); -1 with err set. */
static int probe(const struct config *cfg, char server[16])
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	uint32_t xid;

	if (fd < 0)
		return err_errno("cannot open a packet socket");
	sa.sll_ifindex = (int)if_nametoindex(cfg->interface);
	if (getrandom(&xid, sizeof xid, 0) != sizeof xid)
		xid = (uint32_t)now_ms();
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err_errno("cannot listen on %s", cfg->interface);
		close(fd);
		return -1;
	}
	if (send_discover(cfg->interface, xid) < 0) {
		close(fd);
		return -1;
	}
	await_offer(fd, xid, cfg->server_ip, server);
	close(fd);
	return 0;
}

void check_dhcp(struct check *c, const struct config *cfg)
{
	char server[16] = "";

	if (probe(cfg, server) < 0) {
		check_problem(c, "cannot look for DHCP servers on %s: %s", cfg->interface, err_get());
		return;
	}
	if (cfg->dhcp_mode == DHCP_PROXY && !*server)
		check_problem(c, "no DHCP server answered on %s within %d s: proxy mode needs the "
			      "site's DHCP server (the router) to give the Pis addresses: connect "
			      "it, or set dhcp_mode = full with a dhcp_range", cfg->interface,
			      PROBE_MS / 1000);
	else if (cfg->dhcp_mode == DHCP_PROXY)
		check_ok(c, "DHCP server %s answers on %s (proxy mode adds the boot information)",
			 server, cfg->interface);
	else if (*server)
		check_problem(c, "another DHCP server (%s) answers on %s: in full mode bramble "
			      "must be the only one: turn that one off for this segment, or set "
			      "dhcp_mode = proxy", server, cfg->interface);
	else
		check_ok(c, "no other DHCP server answers on %s (full mode)", cfg->interface);
}
