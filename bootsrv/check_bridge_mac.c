/*
 * Does the cluster bridge keep one MAC address? A Linux bridge without an
 * address set by the user takes its ports' lowest and changes it whenever
 * a port joins or leaves (a VM's tap, a container's veth, a second NIC).
 * Nodes that learned the old address keep sending there; the head drops
 * those frames (addressed to another port) until the nodes ask ARP again,
 * seconds to a minute in which their NFS root hangs or a boot fails.
 */
#include "check.h"

#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* /sys/class/net/IF/addr_assign_type: the address was set by the user. */
#define NET_ADDR_SET 3

static char *interface_mac(const char *ifname)
{
	char *path = xasprintf("/sys/class/net/%s/address", ifname), *mac = NULL;

	if (read_file(path, &mac, NULL) == 0)
		mac[strcspn(mac, " \n")] = '\0';
	err_clear();
	free(path);
	return mac;
}

void check_bridge_mac(struct check *c, const struct config *cfg)
{
	const char *br = cfg->interface;
	char *bridge_dir = xasprintf("/sys/class/net/%s/bridge", br), *mac;
	const char *now;

	if (access(bridge_dir, F_OK) < 0) {	/* not a bridge: its own NIC's address */
		free(bridge_dir);
		return;
	}
	free(bridge_dir);
	mac = interface_mac(br);
	now = mac ? mac : "its current MAC";
	if (check_sysfs_long(br, "addr_assign_type") == NET_ADDR_SET)
		check_ok(c, "bridge %s keeps its address %s (set, not taken from its ports)", br, now);
	else
		check_problem(c, "bridge %s takes its address (now %s) from its ports and changes "
			      "it when a port joins or leaves: nodes that learned the old one lose "
			      "the head until they ask ARP again: ip link set %s address %s (and the "
			      "same address in the bridge's network configuration)", br, now, br, now);
	free(mac);
}
