/*
 * Is there an IPv6 router on the cluster link? Ask (a router solicitation)
 * and listen for an advertisement for a moment. cluster.ipv6_ra = auto
 * sends bramble's own advertisements only where nothing answers: a site
 * router that advertises already ends iPXE's IPv6 wait, and two routers
 * telling the hosts different things is worse than one.
 */
#include "bootsrv.h"

#include "clock.h"
#include "err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static int open_icmp6(const char *ifname, unsigned idx)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6), hops = 255;
	struct icmp6_filter f;

	if (fd < 0)
		return err_errno("cannot open an ICMPv6 socket");
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &f);
	/* neighbour discovery insists on hop limit 255 (RFC 4861 §6.1) */
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx) < 0) {
		err_errno("cannot set up an ICMPv6 socket on %s", ifname);
		close(fd);
		return -1;
	}
	return fd;
}

static int solicit(int fd, const char *ifname, unsigned idx)
{
	struct nd_router_solicit rs = { .nd_rs_type = ND_ROUTER_SOLICIT };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = idx };

	inet_pton(AF_INET6, "ff02::2", &to.sin6_addr);	/* all routers */
	if (sendto(fd, &rs, sizeof rs, 0, (struct sockaddr *)&to, sizeof to) < 0)
		return err_errno("cannot send an IPv6 router solicitation on %s "
				 "(IPv6 off on the interface?)", ifname);
	return 0;
}

/* The first advertisement within ms: 1 and its source in from, or 0. */
static int await_advert(int fd, int ms, char *from, size_t fromlen)
{
	long long deadline = mono_ms() + ms;

	for (long long left = ms; left > 0; left = deadline - mono_ms()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_in6 src;
		socklen_t slen = sizeof src;
		unsigned char buf[1500];
		ssize_t n;

		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&src, &slen);
		if (n < (ssize_t)sizeof(struct nd_router_advert) || buf[0] != ND_ROUTER_ADVERT)
			continue;
		inet_ntop(AF_INET6, &src.sin6_addr, from, (socklen_t)fromlen);
		return 1;
	}
	return 0;
}

int ra_probe(const char *ifname, int ms, char *from, size_t fromlen)
{
	unsigned idx = if_nametoindex(ifname);
	int fd, rc;

	if (!idx)
		return err_errno("interface '%s'", ifname);
	if ((fd = open_icmp6(ifname, idx)) < 0)
		return -1;
	rc = solicit(fd, ifname, idx);
	if (rc == 0)
		rc = await_advert(fd, ms, from, fromlen);
	close(fd);
	return rc;
}
