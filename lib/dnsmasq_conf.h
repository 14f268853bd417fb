/*
 * The dnsmasq configuration bootsrv generates (reference/pi-netboot.md §3).
 *
 *   <state>/run/dnsmasq.conf    options; a change needs a dnsmasq restart
 *   <state>/run/dnsmasq.hosts   one dhcp-host line per bound node; dnsmasq
 *                               rereads it on SIGHUP, so inventory changes
 *                               need no restart
 *
 * Only known MACs are answered: every hosts line sets tag "known", the
 * boot menu needs it and everything else is ignored (dhcp-ignore), so an
 * unknown Pi gets no offer and, with tftp-unique-root=mac and nothing in
 * the TFTP root itself, no file either.
 */
#ifndef BRAMBLE_DNSMASQ_CONF_H
#define BRAMBLE_DNSMASQ_CONF_H

#include "config.h"
#include "inventory.h"

#include <stddef.h>

struct dnsmasq_paths {
	const char *tftp_root;	/* <state>/tftp */
	const char *hosts;	/* <state>/run/dnsmasq.hosts */
	const char *leases;	/* <state>/run/dnsmasq.leases (full mode) */
};

/* Concurrent TFTP transfers: cfg->tftp_max, else sized from the node count. */
int dnsmasq_tftp_max(const struct config *cfg, size_t nnodes);
/* File descriptors dnsmasq needs for tftp_max transfers (RLIMIT_NOFILE). */
int dnsmasq_nofile(int tftp_max);
/* dnsmasq.conf text (newly allocated); ipv6_ra: send router advertisements. */
char *dnsmasq_render_conf(const struct config *cfg, const struct dnsmasq_paths *p,
			  int tftp_max, int ipv6_ra);
/* dnsmasq.hosts text for the bound nodes (newly allocated). */
char *dnsmasq_render_hosts(const struct config *cfg, const struct node *nodes, size_t n);

#endif
