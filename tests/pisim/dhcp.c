#include "dhcp.h"

#include "clock.h"
#include "err.h"
#include "log.h"
#include "rawudp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define PORT_SERVER 67
#define PORT_CLIENT 68

/* What came back, kept to explain a failure. */
struct seen {
	int offers;
	uint32_t other[4];		/* servers whose offers were not boot offers */
	char other_menu[64];
	int nother;
	uint32_t boot;			/* a proxy boot server that answered */
};

/* A reply or offer being collected, with the address it came from. */
struct offer {
	struct dhcp_reply r;
	uint32_t src;
	int have;
};

static const char *ip_str(uint32_t a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static uint32_t new_xid(void)
{
	uint32_t x;

	if (getrandom(&x, sizeof x, 0) != sizeof x)
		x = (uint32_t)getpid() ^ (uint32_t)mono_ms();
	return x;
}

static int send_msg(int fd, const struct dhcp_cfg *c, int type, uint32_t xid, long long start,
		    uint32_t req_ip, uint32_t server)
{
	uint8_t msg[DHCP_MSG_MAX];
	long long secs = (mono_ms() - start) / 1000;
	size_t n = dhcp_msg_build(msg, sizeof msg, &c->client, type, xid,
			      (uint16_t)(secs > 0xffff ? 0xffff : secs), req_ip, server);

	return rawudp_broadcast(fd, c->ifindex, PORT_CLIENT, PORT_SERVER, msg, n);
}

/*
 * Next reply for our xid and MAC until `until` (monotonic ms): 1 with *o
 * filled, 0 at the time limit, -1 on error.
 */
static int next_reply(int fd, const struct dhcp_cfg *c, uint32_t xid, long long until, struct offer *o)
{
	uint8_t buf[DHCP_MSG_MAX];
	long long now;

	while ((now = mono_ms()) < until) {
		ssize_t n = rawudp_recv(fd, PORT_CLIENT, buf, sizeof buf, (int)(until - now), &o->src);

		if (n < 0)
			return -1;
		if (n == 0 || dhcp_reply_parse(buf, (size_t)n, &o->r, c->m) < 0)
			continue;
		if (o->r.xid == xid && !memcmp(o->r.chaddr, c->client.mac, 6))
			return 1;
	}
	return 0;
}

static void note_other(struct seen *s, const struct offer *o)
{
	uint32_t who = o->r.server_id ? o->r.server_id : o->src;

	for (int i = 0; i < s->nother; i++)
		if (s->other[i] == who)
			return;
	if (s->nother < 4)
		s->other[s->nother++] = who;
	if (!s->other_menu[0] && o->r.menu[0])
		snprintf(s->other_menu, sizeof s->other_menu, "%s", o->r.menu);
}

static void log_offer(const struct offer *o, int boot)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN] = "";
	const char *what = boot ? "Raspberry Pi boot menu" : o->r.menu[0] ? "other boot menu" : "no boot menu";

	if (o->r.yiaddr)
		ip_str(o->r.yiaddr, b);
	log_info("DHCP offer from %s: %s%s, %s%s%s%s", ip_str(o->src, a),
		 o->r.yiaddr ? "address " : "no address (proxy)", b, what,
		 o->r.menu[0] ? " \"" : "", o->r.menu, o->r.menu[0] ? "\"" : "");
}

static int why_no_boot(const struct dhcp_cfg *c, const struct seen *s, const struct dhcp_lease *l)
{
	char a[INET_ADDRSTRLEN], list[80] = "";
	int secs = c->timeout_ms / 1000;

	if (s->boot)
		return err_set("boot server %s answered as proxy DHCP but no DHCP server offered an "
			       "address in %d s: run a DHCP server with a range on this segment",
			       ip_str(s->boot, a), secs);
	if (!s->offers)
		return err_set("no DHCP offer in %d s (%d DISCOVERs sent): is a DHCP server "
			       "(dnsmasq) answering on this segment?", secs, l->discovers);
	for (int i = 0; i < s->nother; i++) {
		size_t n = strlen(list);
		snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", ip_str(s->other[i], a));
	}
	return err_set("no Raspberry Pi boot server: %d offer(s) from %s lacked option 60 PXEClient "
		       "with an option 43 boot menu containing \"%s\"%s%s%s; dnsmasq needs "
		       "pxe-service=0,\"%s\"", s->offers, list,
		       c->m->id == PI_3B ? "Raspberry Pi Boot   " : "Raspberry Pi Boot",
		       s->other_menu[0] ? " (menu offered: \"" : "", s->other_menu,
		       s->other_menu[0] ? "\")" : "",
		       c->m->id == PI_3B ? "Raspberry Pi Boot   " : "Raspberry Pi Boot");
}

/*
 * DISCOVER every req_timeout until a boot offer and an address offer are
 * in: 0 with *boot and *addr set, -1 at the deadline.
 */
static int discover(int fd, const struct dhcp_cfg *c, uint32_t xid, long long start,
		    long long deadline, struct offer *boot, struct offer *addr, struct dhcp_lease *l)
{
	struct seen s = { 0 };
	struct offer o;

	boot->have = addr->have = 0;
	while (mono_ms() < deadline) {
		long long next = mono_ms() + c->req_timeout_ms;
		int rc;

		if (send_msg(fd, c, DHCP_DISCOVER, xid, start, 0, 0))
			return -1;
		l->discovers++;
		while ((rc = next_reply(fd, c, xid, next < deadline ? next : deadline, &o)) == 1) {
			int is_boot = o.r.pxe_client && o.r.pi_menu;

			if (o.r.type != DHCP_OFFER)
				continue;
			s.offers++;
			o.have = 1;
			log_offer(&o, is_boot);
			if (is_boot) {
				*boot = o;
				if (o.r.yiaddr)
					*addr = o;	/* the boot server gives the address too */
				else
					s.boot = o.r.server_id ? o.r.server_id : o.src;
			} else {
				if (o.r.yiaddr && !addr->have)
					*addr = o;	/* proxy DHCP: the address from a normal server */
				note_other(&s, &o);
			}
			if (boot->have && addr->have)
				return 0;
		}
		if (rc < 0)
			return -1;
	}
	return why_no_boot(c, &s, l);
}

/* REQUEST the offered address: 1 on ACK, 0 on NAK, -1 at the deadline. */
static int request(int fd, const struct dhcp_cfg *c, uint32_t xid, long long start, long long deadline,
		   const struct offer *addr, struct offer *ack)
{
	uint32_t server = addr->r.server_id ? addr->r.server_id : addr->src;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	while (mono_ms() < deadline) {
		long long next = mono_ms() + c->req_timeout_ms;
		int rc;

		if (send_msg(fd, c, DHCP_REQUEST, xid, start, addr->r.yiaddr, server))
			return -1;
		while ((rc = next_reply(fd, c, xid, next < deadline ? next : deadline, ack)) == 1) {
			if (ack->r.type == DHCP_ACK)
				return 1;
			if (ack->r.type == DHCP_NAK)
				return 0;
		}
		if (rc < 0)
			return -1;
	}
	return err_set("no DHCPACK from %s for %s within %d s", ip_str(server, a),
		       ip_str(addr->r.yiaddr, b), c->timeout_ms / 1000);
}

static void fill_lease(struct dhcp_lease *l, const struct dhcp_cfg *c, const struct offer *boot,
		       const struct offer *addr, const struct offer *ack)
{
	const struct dhcp_reply *a = ack ? &ack->r : &addr->r;

	l->ip = a->yiaddr ? a->yiaddr : addr->r.yiaddr;
	l->netmask = a->netmask ? a->netmask : addr->r.netmask;
	if (!l->netmask) {
		l->netmask = htonl(0xffffff00);
		log_warn("DHCP: no netmask (option 1) offered, assuming /24");
	}
	l->router = a->router ? a->router : addr->r.router;
	l->addr_server = addr->r.server_id ? addr->r.server_id : addr->src;
	l->boot_server = boot->r.server_id ? boot->r.server_id : boot->src;
	l->tftp_server = dhcp_tftp_server(&boot->r, boot->src, c->m);
	l->proxy = boot->r.yiaddr == 0;
	snprintf(l->menu, sizeof l->menu, "%s", boot->r.menu);
}

int dhcp_acquire(const struct dhcp_cfg *c, struct dhcp_lease *l)
{
	long long start = mono_ms(), deadline = start + c->timeout_ms;
	struct offer boot, addr, ack;
	int fd = rawudp_open(c->ifindex), rc = -1;

	memset(l, 0, sizeof *l);
	if (fd < 0)
		return -1;
	for (;;) {
		uint32_t xid = new_xid();
		int got;

		if (discover(fd, c, xid, start, deadline, &boot, &addr, l))
			break;
		if (!c->request) {
			/* §1.1: the Pi 3 family never sends DHCPREQUEST [D-boot-net; firmware#1699] */
			fill_lease(l, c, &boot, &addr, NULL);
			rc = 0;
			break;
		}
		got = request(fd, c, xid, start, deadline, &addr, &ack);
		if (got < 0)
			break;
		if (got == 1) {
			fill_lease(l, c, &boot, &addr, &ack);
			rc = 0;
			break;
		}
		log_warn("DHCP: NAK for the offered address, discovering again");
	}
	close(fd);
	return rc;
}
