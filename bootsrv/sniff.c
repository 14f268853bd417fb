/*
 * DHCP off the wire: a passive packet socket on the cluster interface.
 *
 * Why not dnsmasq's log-dhcp lines: they print option 97 cut at 14 bytes
 * (the Pi's serial is lost) and a packet from a MAC dnsmasq ignores shows
 * up only as "proxy-ignored" without it, yet unknown Pis are exactly the
 * ones `discover` must describe. The socket sees every DHCP packet, ours
 * and the site server's replies included (the client's address in proxy
 * mode). A kernel filter passes only UDP to port 67/68.
 */
#include "bootsrv.h"

#include "dhcp_packet.h"
#include "err.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* At most this many malformed-packet warnings per minute; the rest are counted. */
#define MALFORMED_LOGS 10

static struct sock_filter dhcp_filter[] = {
	/* the packet starts at the IP header (SOCK_DGRAM) */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),			/* protocol */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 7),		/* UDP? */
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),			/* fragment offset */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 5, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),			/* X = IP header length */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),			/* UDP destination port */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 67, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static void malformed(struct daemon *d, const uint8_t *mac)
{
	static long long window;
	static int logged;
	long long now = now_ms();

	d->dhcp_malformed++;
	if (now - window > 60000)
		window = now, logged = 0;
	if (logged++ < MALFORMED_LOGS)
		log_warn("ignored a malformed DHCP packet from %02x:%02x:%02x:%02x:%02x:%02x: %s",
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], err_get());
}

static void on_packet(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint8_t buf[2048];

	(void)l, (void)events;
	for (;;) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof from;
		struct dhcp_info p;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
		int rc;

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("reading DHCP packets: %s", strerror(errno));
			return;
		}
		rc = dhcp_parse_ipv4(buf, (size_t)n, &p);
		if (rc < 0)
			malformed(d, from.sll_addr);
		else if (rc == 0) {
			d->dhcp_packets++;
			d->dhcp_requests += p.op == 1;
			watch_dhcp(d, &p);
		}
	}
}

int sniff_open(struct daemon *d)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct sock_fprog prog = { sizeof dhcp_filter / sizeof dhcp_filter[0], dhcp_filter };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));
	int rcvbuf = 4 << 20;

	if (fd < 0)
		return err_errno("cannot open a packet socket to watch DHCP");
	sa.sll_ifindex = (int)if_nametoindex(d->cfg->interface);
	/* a boot storm's DISCOVERs arrive together; don't drop them while busy */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err_errno("cannot watch DHCP on %s", d->cfg->interface);
		close(fd);
		return -1;
	}
	d->sniff_fd = fd;
	return loop_add(&d->loop, fd, EPOLLIN, on_packet, d);
}
