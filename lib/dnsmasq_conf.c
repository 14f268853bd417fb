#include "dnsmasq_conf.h"

#include "pxe_boot.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Transfers allowed at least: above dnsmasq's own default of 50. */
#define TFTP_MAX_MIN 64

int dnsmasq_tftp_max(const struct config *cfg, size_t nnodes)
{
	size_t want;

	if (cfg->tftp_max > 0)
		return cfg->tftp_max;
	/*
	 * A Pi has one transfer in flight, but its aborted existence probes
	 * and retransmitted requests linger until dnsmasq times them out:
	 * allow 4 per node, rounded up to 64 so adding a node rarely changes
	 * the config (a change costs a dnsmasq restart).
	 */
	want = (nnodes * 4 + 63) / 64 * 64;
	return want < TFTP_MAX_MIN ? TFTP_MAX_MIN : (int)want;
}

int dnsmasq_nofile(int tftp_max)
{
	/* dnsmasq's estimate: 2n+10 fds for n transfers of different files */
	int n = tftp_max * 2 + 64;

	return n < 1024 ? 1024 : n;
}

struct buf {
	char *s;
	size_t len;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	b->s = xrealloc(b->s, b->len + strlen(line) + 1);
	strcpy(b->s + b->len, line);
	b->len += strlen(line);
	free(line);
}

static void render_dhcp(struct buf *b, const struct config *cfg, const struct dnsmasq_paths *p)
{
	if (cfg->dhcp_mode == DHCP_PROXY) {
		/* the site's DHCP server gives addresses; we add the boot menu */
		add(b, "dhcp-range=%s,proxy\n", cfg->server_ip);
	} else {
		/* dnsmasq finds the netmask on the interface */
		add(b, "dhcp-range=%s,12h\n", cfg->dhcp_range);
		add(b, "dhcp-leasefile=%s\n", p->leases);
		add(b, "dhcp-authoritative\n");
		/*
		 * dnsmasq pings an address before offering it and answers
		 * nothing meanwhile (3 s per new client, one after another):
		 * a boot storm would queue for minutes. The range is ours.
		 */
		add(b, "no-ping\n");
		/*
		 * Pis have no RTC. Only the address server may name time
		 * servers: a proxy's offer carries PXE options alone, and the
		 * site's DHCP server owns option 42 there.
		 */
		if (cfg->ntp_server && *cfg->ntp_server)
			add(b, "dhcp-option=option:ntp-server,%s\n", cfg->ntp_server);
	}
	add(b, "dhcp-hostsfile=%s\n", p->hosts);
	add(b, "dhcp-ignore=tag:!known\n");
	add(b, "log-dhcp\n");
}

/*
 * Raspberry Pi boot menu (§1.1): option 43 with "Raspberry Pi Boot",
 * CSA 0 because the Pi sends option 93 = 0. The Pi 3B ROM needs three
 * trailing spaces and a delayed answer (§3); hosts of model 3 carry tag
 * pi3 so only they get that. A BIOS PXE machine sends CSA 0 too: hosts of
 * model pxe carry tag pxe and never get the Pi menu.
 */
static void render_pi(struct buf *b)
{
	add(b, "pxe-service=tag:known,tag:!pxe,tag:!pi3,0,\"Raspberry Pi Boot\"\n");
	add(b, "pxe-service=tag:known,tag:!pxe,tag:pi3,0,\"Raspberry Pi Boot   \"\n");
	add(b, "dhcp-reply-delay=tag:pi3,1\n");
}

/*
 * Plain PXE machines (hosts tagged pxe, lib/pxe_boot.h): the firmware gets
 * the iPXE build for its architecture (option 93: 0 BIOS, 7 and 9 x86_64
 * UEFI, 11 arm64 UEFI), iPXE itself (user class "iPXE", or its option 175)
 * gets the node's script. Full DHCP names the file in the offer
 * (dhcp-boot); a proxy offer names it through a one-entry PXE menu, the
 * boot server reply iPXE reads (it ignores a proxy offer's file field).
 */
static const struct pxe_boot_entry {
	const char *tags;	/* besides tag:pxe */
	const char *csa;	/* PXE client system type, for the proxy's menu */
	int fw;			/* ipxe_files[fw]; -1: the node's script */
} pxe_entries[] = {
	{ "tag:ipxe,tag:!efi64,tag:!arm64", "x86PC", -1 },
	{ "tag:ipxe,tag:efi64", "x86-64_EFI", -1 },
	{ "tag:ipxe,tag:efi64", "BC_EFI", -1 },
	{ "tag:ipxe,tag:arm64", "ARM64_EFI", -1 },
	{ "tag:!ipxe,tag:!efi64,tag:!arm64", "x86PC", IPXE_BIOS },
	{ "tag:!ipxe,tag:efi64", "x86-64_EFI", IPXE_EFI64 },
	{ "tag:!ipxe,tag:efi64", "BC_EFI", IPXE_EFI64 },
	{ "tag:!ipxe,tag:arm64", "ARM64_EFI", IPXE_ARM64 },
};

static void render_pxe(struct buf *b, const struct config *cfg)
{
	add(b, "dhcp-userclass=set:ipxe,iPXE\n");
	add(b, "dhcp-match=set:ipxe,175\n");
	add(b, "dhcp-match=set:efi64,option:client-arch,7\n");
	add(b, "dhcp-match=set:efi64,option:client-arch,9\n");
	add(b, "dhcp-match=set:arm64,option:client-arch,11\n");
	for (size_t i = 0; i < sizeof pxe_entries / sizeof pxe_entries[0]; i++) {
		const struct pxe_boot_entry *e = &pxe_entries[i];
		const char *file = e->fw < 0 ? PXE_SCRIPT : ipxe_files[e->fw];

		if (cfg->dhcp_mode == DHCP_PROXY)
			add(b, "pxe-service=tag:pxe,%s,%s,\"bramble\",%s\n", e->tags, e->csa, file);
		else if (i == 0 || strcmp(e->tags, pxe_entries[i - 1].tags))
			add(b, "dhcp-boot=tag:pxe,%s,%s\n", e->tags, file);
	}
}

/*
 * Router advertisements for iPXE's IPv6 wait (bootsrv/ra.c): built from the
 * interface's prefix (constructor), advertisement only (ra-only: no
 * DHCPv6, so no M or O flag), router lifetime 0 (not a default router),
 * the default interval; quiet-ra keeps one log line per packet out.
 */
static void render_ra(struct buf *b, const struct config *cfg)
{
	add(b, "enable-ra\n");
	add(b, "dhcp-range=::,constructor:%s,ra-only\n", cfg->interface);
	add(b, "ra-param=%s,0,0\n", cfg->interface);
	add(b, "quiet-ra\n");
}

static void render_tftp(struct buf *b, const struct dnsmasq_paths *p, int tftp_max)
{
	add(b, "enable-tftp\n");
	add(b, "tftp-root=%s\n", p->tftp_root);
	add(b, "tftp-unique-root=mac\n");
	add(b, "tftp-max=%d\n", tftp_max);
}

char *dnsmasq_render_conf(const struct config *cfg, const struct dnsmasq_paths *p,
			  int tftp_max, int ipv6_ra)
{
	struct buf b = { xstrdup(""), 0 };

	add(&b, "# Generated by bootsrv from bramble.conf and the node inventory.\n"
		"# Do not edit: it is rewritten on every start and inventory change.\n");
	add(&b, "port=0\n");			/* no DNS */
	add(&b, "interface=%s\n", cfg->interface);
	add(&b, "bind-interfaces\n");
	add(&b, "pid-file=\n");			/* bootsrv supervises it */
	render_dhcp(&b, cfg, p);
	if (ipv6_ra)
		render_ra(&b, cfg);
	render_pi(&b);
	render_pxe(&b, cfg);
	render_tftp(&b, p, tftp_max);
	return b.s;
}

char *dnsmasq_render_hosts(const struct config *cfg, const struct node *nodes, size_t n)
{
	struct buf b = { xstrdup(""), 0 };

	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &nodes[i];

		if (!nd->mac)
			continue;
		add(&b, "%s,set:known", nd->mac);
		if (nd->model && !strcmp(nd->model, "3"))
			add(&b, ",set:pi3");
		if (nd->model && !strcmp(nd->model, "pxe"))
			add(&b, ",set:pxe");
		if (cfg->dhcp_mode == DHCP_FULL && nd->ip)
			add(&b, ",%s", nd->ip);
		if (cfg->dhcp_mode == DHCP_FULL)
			add(&b, ",%s", nd->name);
		add(&b, "\n");
	}
	return b.s;
}
