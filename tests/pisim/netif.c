#include "netif.h"

#include "err.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* One ioctl on a throwaway socket; the request name is for the message. */
static int ifreq_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr, const char *what)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return err_errno("cannot open a socket to configure %s", ifname);
	if (strlen(ifname) >= sizeof ifr->ifr_name) {
		close(fd);
		return err_set("interface name %s is too long", ifname);
	}
	strncpy(ifr->ifr_name, ifname, sizeof ifr->ifr_name - 1);
	rc = ioctl(fd, req, ifr);
	if (rc < 0)
		err_errno("cannot %s on interface %s", what, ifname);
	close(fd);
	return rc < 0 ? -1 : 0;
}

int netif_index(const char *ifname)
{
	struct ifreq ifr = { 0 };

	if (ifreq_ioctl(ifname, SIOCGIFINDEX, &ifr, "find"))
		return err_wrap("--iface: not in this network namespace? ");
	return ifr.ifr_ifindex;
}

int netif_get_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };

	if (ifreq_ioctl(ifname, SIOCGIFHWADDR, &ifr, "read the MAC address"))
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int set_flags(const char *ifname, int up)
{
	struct ifreq ifr = { 0 };

	if (ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr, "read the flags"))
		return -1;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ifreq_ioctl(ifname, SIOCSIFFLAGS, &ifr, up ? "bring the link up" : "take the link down");
}

int netif_up(const char *ifname)
{
	return set_flags(ifname, 1);
}

int netif_set_mac(const char *ifname, const uint8_t mac[6])
{
	struct ifreq ifr = { 0 };

	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (ifreq_ioctl(ifname, SIOCSIFHWADDR, &ifr, "set the MAC address") == 0)
		return 0;
	if (errno != EBUSY)
		return -1;
	/* drivers without live MAC changes want the link down */
	if (set_flags(ifname, 0) || ifreq_ioctl(ifname, SIOCSIFHWADDR, &ifr, "set the MAC address"))
		return -1;
	return netif_up(ifname);
}

static int set_inaddr(const char *ifname, unsigned long req, uint32_t a, const char *what)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = a };

	memcpy(&ifr.ifr_addr, &sin, sizeof sin);
	return ifreq_ioctl(ifname, req, &ifr, what);
}

int netif_set_addr(const char *ifname, uint32_t addr, uint32_t mask)
{
	if (set_inaddr(ifname, SIOCSIFADDR, addr, "set the IPv4 address"))
		return -1;
	return set_inaddr(ifname, SIOCSIFNETMASK, mask, "set the netmask");
}
