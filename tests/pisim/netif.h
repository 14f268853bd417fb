/* The emulated Pi's network interface: index, MAC, up, IPv4 address. */
#ifndef PISIM_NETIF_H
#define PISIM_NETIF_H

#include <stdint.h>

int netif_index(const char *ifname);
int netif_get_mac(const char *ifname, uint8_t mac[6]);
/* Give the interface the Pi's MAC, so TFTP and NFS come from it too. */
int netif_set_mac(const char *ifname, const uint8_t mac[6]);
int netif_up(const char *ifname);
/* Set the primary IPv4 address and netmask (network order). */
int netif_set_addr(const char *ifname, uint32_t addr, uint32_t mask);

#endif
