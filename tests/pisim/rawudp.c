#include "rawudp.h"

#include "err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

size_t ipudp_build(uint8_t *pkt, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		   uint16_t dport, const void *payload, size_t len)
{
	uint8_t *ip = pkt, *udp = pkt + 20, pseudo[12];
	size_t total = IPUDP_HDR + len;
	uint32_t acc;

	if (total > cap || total > 0xffff)
		return 0;
	memset(pkt, 0, IPUDP_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)total);
	ip[8] = 64;		/* TTL */
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + len));
	memcpy(udp + 8, payload, len);
	memcpy(pseudo, &src, 4);
	memcpy(pseudo + 4, &dst, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	put16(pseudo + 10, (uint16_t)(8 + len));
	acc = sum16(pseudo, sizeof pseudo, 0);
	acc = fold(sum16(udp, 8 + len, acc));
	put16(udp + 6, acc ? (uint16_t)acc : 0xffff);	/* 0 means "no checksum" */
	return total;
}

int ipudp_parse(const uint8_t *pkt, size_t n, uint16_t dport, const uint8_t **payload,
		size_t *len, uint32_t *src)
{
	size_t ihl, ulen;

	if (n < 20 || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_UDP)
		return -1;
	ihl = (size_t)(pkt[0] & 0xf) * 4;
	if (ihl < 20 || n < ihl + 8 || (get16(pkt + 6) & 0x3fff))	/* no fragments */
		return -1;
	if (get16(pkt + ihl + 2) != dport)
		return -1;
	ulen = get16(pkt + ihl + 4);
	if (ulen < 8 || ihl + ulen > n)
		return -1;
	memcpy(src, pkt + 12, 4);
	*payload = pkt + ihl + 8;
	*len = ulen - 8;
	return 0;
}

int rawudp_open(int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				   .sll_ifindex = ifindex };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));

	if (fd < 0)
		return err_errno("cannot open a packet socket (needs CAP_NET_RAW)");
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		close(fd);
		return err_errno("cannot bind the packet socket to interface %d", ifindex);
	}
	return fd;
}

int rawudp_broadcast(int fd, int ifindex, uint16_t sport, uint16_t dport, const void *payload,
		     size_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = ifindex, .sll_halen = 6 };
	uint8_t pkt[1500];
	size_t n = ipudp_build(pkt, sizeof pkt, htonl(INADDR_ANY), sport, htonl(INADDR_BROADCAST),
			       dport, payload, len);

	memset(to.sll_addr, 0xff, 6);
	if (!n)
		return err_set("DHCP message of %zu bytes does not fit a frame", len);
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)&to, sizeof to) < 0)
		return err_errno("cannot send a DHCP broadcast");
	return 0;
}

ssize_t rawudp_recv(int fd, uint16_t dport, uint8_t *buf, size_t cap, int timeout_ms, uint32_t *src)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t pkt[2048];
	const uint8_t *payload;
	size_t len;
	ssize_t n;
	int rc;

	rc = poll(&pfd, 1, timeout_ms < 0 ? 0 : timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : err_errno("poll on the packet socket");
	if (rc == 0)
		return 0;
	n = recv(fd, pkt, sizeof pkt, 0);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : err_errno("receive on the packet socket");
	if (ipudp_parse(pkt, (size_t)n, dport, &payload, &len, src) < 0)
		return 0;
	if (len > cap)
		len = cap;
	memcpy(buf, payload, len);
	return (ssize_t)len;
}
