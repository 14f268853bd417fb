/*
 * Is there an IPv6 router on the cluster link? Ask (a router solicitation)
 * and listen for an advertisement for a moment. cluster.ipv6_ra = auto
 * sends bramble's own advertisements only where nothing answers: a site
 * router that advertises already ends iPXE's IPv6 wait, and two routers
 * telling the hosts different things is worse than one.
 *
 * A router may answer late: one that multicast an advertisement less than
 * MIN_DELAY_BETWEEN_RAS (3 s, RFC 4861 §6.2.6) ago delays its answer, and
 * one that starts after bootsrv has not been asked at all. So the socket
 * stays open while bramble advertises (ra.c), and advertisements from any
 * address but the interface's own (dnsmasq's) count.
 */
#include "bootsrv.h"

#include "clock.h"
#include "err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* a link-local address is tentative for DupAddrDetectTransmits (1) times
 * RetransTimer (1 s) after link up (RFC 4862 §5.4) */
#define DAD_WAIT_MS 3000

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

/* 0 sent, 1 not yet: the link-local address is tentative (duplicate address
 * detection runs for about a second after the link comes up), -1 error */
static int solicit(int fd, const char *ifname, unsigned idx)
{
	struct nd_router_solicit rs = { .nd_rs_type = ND_ROUTER_SOLICIT };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = idx };

	inet_pton(AF_INET6, "ff02::2", &to.sin6_addr);	/* all routers */
	if (sendto(fd, &rs, sizeof rs, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)sizeof rs)
		return 0;
	if (errno == EADDRNOTAVAIL)
		return 1;
	return err_errno("cannot send an IPv6 router solicitation on %s "
			 "(IPv6 off on the interface?)", ifname);
}

/* Solicit once the interface has a usable link-local address. */
static int solicit_when_ready(int fd, const char *ifname, unsigned idx)
{
	long long deadline = mono_ms() + DAD_WAIT_MS;
	int rc;

	while ((rc = solicit(fd, ifname, idx)) == 1 && mono_ms() < deadline)
		poll(NULL, 0, 100);
	if (rc == 1)
		return err_set("%s has no usable IPv6 link-local address after %d s "
			       "(IPv6 off, or duplicate address detection failed?)", ifname,
			       DAD_WAIT_MS / 1000);
	return rc;
}

/* 1 if a is one of ifname's own addresses: our dnsmasq's advertisements */
static int own_address(const char *ifname, const struct in6_addr *a)
{
	struct ifaddrs *all, *i;
	int own = 0;

	if (getifaddrs(&all) < 0)
		return 0;
	for (i = all; i && !own; i = i->ifa_next)
		own = i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 &&
		      !strcmp(i->ifa_name, ifname) &&
		      !memcmp(&((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, a, sizeof *a);
	freeifaddrs(all);
	return own;
}

int ra_read(int fd, const char *ifname, char *from, size_t fromlen)
{
	struct sockaddr_in6 src;
	socklen_t slen = sizeof src;
	unsigned char buf[1500];
	ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&src, &slen);

	if (n < (ssize_t)sizeof(struct nd_router_advert) || buf[0] != ND_ROUTER_ADVERT ||
	    own_address(ifname, &src.sin6_addr))
		return 0;
	inet_ntop(AF_INET6, &src.sin6_addr, from, (socklen_t)fromlen);
	return 1;
}

/* The first other router's advertisement within ms: 1 and its source in from, or 0. */
static int await_advert(int fd, const char *ifname, int ms, char *from, size_t fromlen)
{
	long long deadline = mono_ms() + ms;

	for (long long left = ms; left > 0; left = deadline - mono_ms()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, (int)left) > 0 && ra_read(fd, ifname, from, fromlen))
			return 1;
	}
	return 0;
}

int ra_probe(const char *ifname, int ms, char *from, size_t fromlen, int *keep)
{
	unsigned idx = if_nametoindex(ifname);
	int fd, rc;

	if (!idx)
		return err_errno("interface '%s'", ifname);
	if ((fd = open_icmp6(ifname, idx)) < 0)
		return -1;
	rc = solicit_when_ready(fd, ifname, idx);
	if (rc == 0)
		rc = await_advert(fd, ifname, ms, from, fromlen);
	if (rc == 0 && keep)
		*keep = fd;
	else
		close(fd);
	return rc;
}
