/*
 * bootsrv check: the preflight of a head node. check.c runs the checks in
 * order; the probes that need more than a few lines live in their own
 * files and report through check_ok/check_problem/check_note.
 */
#ifndef BOOTSRV_CHECK_H
#define BOOTSRV_CHECK_H

#include "config.h"
#include "state.h"

struct check {
	int problems;
	int quiet;		/* -q: problems only */
};

/* One line each: what is fine, what is wrong and how to fix it, advice. */
void check_ok(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_problem(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_note(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* /sys/class/net/IFNAME/FILE as a number; -1 if there is none. */
long check_sysfs_long(const char *ifname, const char *file);

/* check_ports.c: 67, 69, 111, 2049 and the HTTP port free, or ours. */
void check_ports(struct check *c, const struct config *cfg, const struct state *st);

/* check_dhcp.c: one DHCPDISCOVER on the interface; who answers? */
void check_dhcp(struct check *c, const struct config *cfg);

/* check_bridge_mac.c: a bridge keeps one MAC address, not its ports' lowest. */
void check_bridge_mac(struct check *c, const struct config *cfg);

#endif
