/*
 * IPv6 router advertisements on the cluster interface (cluster.ipv6_ra).
 *
 * iPXE configures IPv4 (DHCP) and IPv6 (router solicitation) at once and
 * waits for both: on a link where no router advertises it boots only after
 * its IPv6 timeout, about 15 s. An advertisement with router lifetime 0
 * and neither M nor O flag ends that wait at once without making the head
 * anyone's default router. dnsmasq sends it (dnsmasq_conf.c), but only
 * for a prefix it finds on the interface: where the interface has just
 * its link-local address, bramble adds a ULA for as long as it runs
 * (fdMM:MMMM:MMMM::1/64 from the interface's MAC, so the same one each
 * time) and removes it when it stops.
 */
#include "bootsrv.h"

#include "err.h"
#include "log.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/ipv6.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PROBE_MS 1000	/* routers answer a solicitation within 0.5 s (RFC 4861) */
#define ULA_PREFIX_LEN 64

struct scan {
	int prefix;		/* a global or ULA address is there */
	int ours;		/* ... and it is the ULA we add */
	unsigned char mac[6];
	int have_mac;
};

static void scan_iface(const char *ifname, const struct in6_addr *ula, struct scan *s)
{
	struct ifaddrs *all, *i;

	memset(s, 0, sizeof *s);
	if (getifaddrs(&all) < 0)
		return;
	for (i = all; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_PACKET) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)i->ifa_addr;

			if (ll->sll_halen == 6) {
				memcpy(s->mac, ll->sll_addr, 6);
				s->have_mac = 1;
			}
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *a = &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a))
				continue;
			s->prefix = 1;
			s->ours |= ula && !memcmp(a, ula, sizeof *a);
		}
	}
	freeifaddrs(all);
}

/* fd + the MAC's last 5 bytes as global ID (RFC 4193 wants it unguessable
 * only where sites merge; a cluster segment is not routed), subnet 0, ::1 */
static void ula_from_mac(const unsigned char mac[6], struct in6_addr *a)
{
	memset(a, 0, sizeof *a);
	a->s6_addr[0] = 0xfd;
	memcpy(&a->s6_addr[1], &mac[1], 5);
	a->s6_addr[15] = 1;
}

static int change_addr(unsigned long req, const char *ifname, const struct in6_addr *a)
{
	struct in6_ifreq r = { .ifr6_addr = *a, .ifr6_prefixlen = ULA_PREFIX_LEN };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, text, sizeof text);
	r.ifr6_ifindex = (int)if_nametoindex(ifname);
	if (fd < 0)
		return err_errno("cannot open an IPv6 socket for %s", ifname);
	rc = ioctl(fd, req, &r);
	close(fd);
	if (rc < 0)
		return err_errno("cannot %s %s/%d %s %s", req == SIOCSIFADDR ? "add" : "remove",
				 text, ULA_PREFIX_LEN, req == SIOCSIFADDR ? "to" : "from", ifname);
	return 0;
}

/* An IPv6 prefix on the interface for dnsmasq to advertise. */
static int ensure_prefix(struct daemon *d)
{
	const char *ifname = d->cfg->interface;
	struct in6_addr ula;
	struct scan s;

	scan_iface(ifname, NULL, &s);
	if (!s.have_mac)
		return err_set("%s has no Ethernet address to derive an IPv6 prefix from: "
			       "add an IPv6 address to it or set cluster.ipv6_ra = off", ifname);
	ula_from_mac(s.mac, &ula);
	scan_iface(ifname, &ula, &s);
	if (s.prefix && !s.ours)
		return 0;	/* the admin's own: advertise that one */
	if (!s.prefix && change_addr(SIOCSIFADDR, ifname, &ula) < 0)
		return -1;
	/* ours, also when a killed bootsrv left it: removed at stop */
	d->ra_ula = ula;
	d->ra_added = 1;
	return 0;
}

/* auto: 1 when no other router answers (its socket kept in d->ra_fd); 0
 * (logged why) otherwise */
static int auto_wanted(struct daemon *d)
{
	const char *ifname = d->cfg->interface;
	char from[INET6_ADDRSTRLEN] = "";
	int rc = ra_probe(ifname, PROBE_MS, from, sizeof from, &d->ra_fd);

	if (rc < 0) {
		log_info("cluster.ipv6_ra = auto: %s: sending no router advertisements", err_get());
		err_clear();
		return 0;
	}
	if (rc > 0)
		log_info("cluster.ipv6_ra = auto: %s advertises on %s already: sending no router "
			 "advertisements", from, ifname);
	return !rc;
}

static void close_watch(struct daemon *d)
{
	if (d->ra_fd < 0)
		return;
	loop_del(&d->loop, d->ra_fd);
	close(d->ra_fd);
	d->ra_fd = -1;
}

int ra_setup(struct daemon *d)
{
	const char *ifname = d->cfg->interface;

	d->ipv6_ra = 0;
	if (d->cfg->ipv6_ra == RA_OFF ||
	    (d->cfg->ipv6_ra == RA_AUTO && !auto_wanted(d)))
		return 0;
	if (ensure_prefix(d) < 0) {
		close_watch(d);
		if (d->cfg->ipv6_ra == RA_ON)
			return err_wrap("cluster.ipv6_ra = on: ");
		log_warn("cluster.ipv6_ra = auto: %s: sending no router advertisements, so iPXE "
			 "waits about 15 s for one", err_get());
		err_clear();
		return 0;
	}
	d->ipv6_ra = 1;
	log_info("IPv6 router advertisements on %s with router lifetime 0 (no default route): "
		 "iPXE need not wait for one", ifname);
	return 0;
}

/* Another router turned up (or answered late): it owns the link's
 * advertisements, so dnsmasq restarts without ours and the ULA goes. */
static void on_advert(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	char from[INET6_ADDRSTRLEN];

	(void)l, (void)events;
	if (!ra_read(fd, d->cfg->interface, from, sizeof from))
		return;
	log_info("cluster.ipv6_ra = auto: %s advertises on %s: bramble stops sending router "
		 "advertisements", from, d->cfg->interface);
	close_watch(d);
	d->ipv6_ra = 0;
	if (dnsmasq_reload(d) < 0)
		log_err("restarting dnsmasq without router advertisements: %s", err_get());
	ra_shutdown(d);
}

int ra_watch(struct daemon *d)
{
	if (d->ra_fd < 0)
		return 0;
	return loop_add(&d->loop, d->ra_fd, EPOLLIN, on_advert, d);
}

void ra_shutdown(struct daemon *d)
{
	close_watch(d);
	if (!d->ra_added)
		return;
	if (change_addr(SIOCDIFADDR, d->cfg->interface, &d->ra_ula) < 0)
		log_warn("%s", err_get());
	d->ra_added = 0;
}
