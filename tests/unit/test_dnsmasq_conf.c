#include "dnsmasq_conf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const struct dnsmasq_paths paths = { "/s/tftp", "/s/run/dnsmasq.hosts",
					    "/s/run/dnsmasq.leases" };

static struct config proxy_cfg(void)
{
	struct config c = { 0 };

	c.interface = "br0";
	c.server_ip = "10.42.0.1";
	c.dhcp_mode = DHCP_PROXY;
	c.dhcp_range = "";
	c.ntp_server = "10.42.0.1";
	return c;
}

static void proxy_mode(void **state)
{
	struct config c = proxy_cfg();
	char *s = dnsmasq_render_conf(&c, &paths, 50, 0);

	(void)state;
	assert_non_null(strstr(s, "\nport=0\n"));
	assert_non_null(strstr(s, "\ninterface=br0\nbind-interfaces\n"));
	assert_non_null(strstr(s, "\ndhcp-range=10.42.0.1,proxy\n"));
	assert_non_null(strstr(s, "\ndhcp-hostsfile=/s/run/dnsmasq.hosts\n"));
	assert_non_null(strstr(s, "\ndhcp-ignore=tag:!known\n"));
	assert_non_null(strstr(s, "\npxe-service=tag:known,tag:!pxe,tag:!pi3,0,\"Raspberry Pi Boot\"\n"));
	assert_non_null(strstr(s, "\npxe-service=tag:known,tag:!pxe,tag:pi3,0,\"Raspberry Pi Boot   \"\n"));
	assert_non_null(strstr(s, "\ndhcp-reply-delay=tag:pi3,1\n"));
	assert_non_null(strstr(s, "\ntftp-root=/s/tftp\ntftp-unique-root=mac\ntftp-max=50\n"));
	assert_null(strstr(s, "dhcp-leasefile"));
	free(s);
}

static void full_mode(void **state)
{
	struct config c = proxy_cfg();
	char *s;

	(void)state;
	c.dhcp_mode = DHCP_FULL;
	c.dhcp_range = "10.42.0.100,10.42.0.200";
	s = dnsmasq_render_conf(&c, &paths, 256, 0);
	assert_non_null(strstr(s, "\ndhcp-range=10.42.0.100,10.42.0.200,12h\n"));
	assert_non_null(strstr(s, "\ndhcp-leasefile=/s/run/dnsmasq.leases\n"));
	assert_non_null(strstr(s, "\nno-ping\n"));
	assert_null(strstr(s, "proxy"));
	free(s);
}

static void hosts_file(void **state)
{
	struct config c = proxy_cfg();
	struct node n[4] = {
		{ .name = "n1", .mac = "dc:a6:32:00:00:01", .model = "4", .ip = "10.42.0.11" },
		{ .name = "n2", .model = "4" },		/* unbound: no line */
		{ .name = "old", .mac = "b8:27:eb:00:00:03", .model = "3" },
		{ .name = "pc", .mac = "52:54:00:00:00:04", .model = "pxe" },
	};
	char *s;

	(void)state;
	s = dnsmasq_render_hosts(&c, n, 4);
	assert_string_equal(s, "dc:a6:32:00:00:01,set:known\nb8:27:eb:00:00:03,set:known,set:pi3\n"
			       "52:54:00:00:00:04,set:known,set:pxe\n");
	free(s);
	c.dhcp_mode = DHCP_FULL;
	s = dnsmasq_render_hosts(&c, n, 4);
	assert_string_equal(s, "dc:a6:32:00:00:01,set:known,10.42.0.11,n1\n"
			       "b8:27:eb:00:00:03,set:known,set:pi3,old\n"
			       "52:54:00:00:00:04,set:known,set:pxe,pc\n");
	free(s);
}

/* Proxy: a one-entry menu per client type; iPXE gets the script, firmware iPXE. */
static void pxe_proxy(void **state)
{
	struct config c = proxy_cfg();
	char *s = dnsmasq_render_conf(&c, &paths, 50, 0);

	(void)state;
	assert_non_null(strstr(s, "\ndhcp-userclass=set:ipxe,iPXE\ndhcp-match=set:ipxe,175\n"));
	assert_non_null(strstr(s, "\ndhcp-match=set:efi64,option:client-arch,7\n"));
	assert_non_null(strstr(s, "\ndhcp-match=set:efi64,option:client-arch,9\n"));
	assert_non_null(strstr(s, "\ndhcp-match=set:arm64,option:client-arch,11\n"));
	assert_non_null(strstr(s, "\npxe-service=tag:pxe,tag:ipxe,tag:!efi64,tag:!arm64,x86PC,"
				  "\"bramble\",boot.ipxe\n"));
	assert_non_null(strstr(s, "\npxe-service=tag:pxe,tag:ipxe,tag:efi64,BC_EFI,\"bramble\","
				  "boot.ipxe\n"));
	assert_non_null(strstr(s, "\npxe-service=tag:pxe,tag:!ipxe,tag:!efi64,tag:!arm64,x86PC,"
				  "\"bramble\",undionly.kpxe\n"));
	assert_non_null(strstr(s, "\npxe-service=tag:pxe,tag:!ipxe,tag:efi64,x86-64_EFI,"
				  "\"bramble\",snponly.efi\n"));
	assert_non_null(strstr(s, "\npxe-service=tag:pxe,tag:!ipxe,tag:arm64,ARM64_EFI,"
				  "\"bramble\",arm64-efi/snponly.efi\n"));
	assert_null(strstr(s, "dhcp-boot"));
	free(s);
}

/* Full DHCP: the file in the offer, one dhcp-boot per tag set. */
static void pxe_full(void **state)
{
	struct config c = proxy_cfg();
	char *s;

	(void)state;
	c.dhcp_mode = DHCP_FULL;
	c.dhcp_range = "10.42.0.100,10.42.0.200";
	s = dnsmasq_render_conf(&c, &paths, 50, 0);
	assert_non_null(strstr(s, "\ndhcp-boot=tag:pxe,tag:ipxe,tag:!efi64,tag:!arm64,boot.ipxe\n"
				  "dhcp-boot=tag:pxe,tag:ipxe,tag:efi64,boot.ipxe\n"
				  "dhcp-boot=tag:pxe,tag:ipxe,tag:arm64,boot.ipxe\n"
				  "dhcp-boot=tag:pxe,tag:!ipxe,tag:!efi64,tag:!arm64,undionly.kpxe\n"
				  "dhcp-boot=tag:pxe,tag:!ipxe,tag:efi64,snponly.efi\n"
				  "dhcp-boot=tag:pxe,tag:!ipxe,tag:arm64,arm64-efi/snponly.efi\n"));
	assert_null(strstr(s, "pxe-service=tag:pxe"));
	free(s);
}

/* Does the dnsmasq.conf of c (with router advertisements or not) hold needle? */
static int conf_has(const struct config *c, int ipv6_ra, const char *needle)
{
	char *s = dnsmasq_render_conf(c, &paths, 50, ipv6_ra);
	int yes = strstr(s, needle) != NULL;

	free(s);
	return yes;
}

/* Option 42 in full mode only: a proxy must not name time servers. */
static void ntp_option(void **state)
{
	struct config c = proxy_cfg();

	(void)state;
	assert_false(conf_has(&c, 0, "ntp-server"));
	c.dhcp_mode = DHCP_FULL;
	c.dhcp_range = "10.42.0.100,10.42.0.200";
	assert_true(conf_has(&c, 0, "\ndhcp-option=option:ntp-server,10.42.0.1\n"));
	c.ntp_server = "10.42.0.5,192.0.2.7";
	assert_true(conf_has(&c, 0, "\ndhcp-option=option:ntp-server,10.42.0.5,192.0.2.7\n"));
	c.ntp_server = "";	/* off */
	assert_false(conf_has(&c, 0, "ntp-server"));
}

/* Router advertisements only when bootsrv decided to send them. */
static void router_adverts(void **state)
{
	struct config c = proxy_cfg();

	(void)state;
	assert_false(conf_has(&c, 0, "enable-ra") || conf_has(&c, 0, "ra-param"));
	assert_true(conf_has(&c, 1, "\nenable-ra\ndhcp-range=::,constructor:br0,ra-only\n"
				 "ra-param=br0,0,0\nquiet-ra\n"));
}

static void tftp_max_sizing(void **state)
{
	struct config c = proxy_cfg();

	(void)state;
	assert_int_equal(dnsmasq_tftp_max(&c, 0), 64);
	assert_int_equal(dnsmasq_tftp_max(&c, 16), 64);
	assert_int_equal(dnsmasq_tftp_max(&c, 17), 128);
	assert_int_equal(dnsmasq_tftp_max(&c, 64), 256);
	assert_int_equal(dnsmasq_tftp_max(&c, 65), 320);
	c.tftp_max = 500;
	assert_int_equal(dnsmasq_tftp_max(&c, 64), 500);
	assert_true(dnsmasq_nofile(500) >= 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pxe_proxy),
		cmocka_unit_test(pxe_full),
		cmocka_unit_test(proxy_mode),
		cmocka_unit_test(full_mode),
		cmocka_unit_test(hosts_file),
		cmocka_unit_test(ntp_option),
		cmocka_unit_test(router_adverts),
		cmocka_unit_test(tftp_max_sizing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
