#include "dnsmasq_log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define ROOT "/var/lib/bramble/tftp"

static void tftp_sent_names_mac_and_file(void **state)
{
	struct dnsmasq_line l;

	(void)state;
	dnsmasq_parse_line("dnsmasq-tftp[77]: sent " ROOT "/dc-a6-32-01-02-03/overlays/x.dtbo "
			   "to 10.42.0.12", ROOT, &l);
	assert_int_equal(l.kind, DL_TFTP_SENT);
	assert_true(l.tftp);
	assert_string_equal(l.mac, "dc:a6:32:01:02:03");
	assert_string_equal(l.file, "overlays/x.dtbo");
	assert_string_equal(l.ip, "10.42.0.12");
}

static void probes_and_failures(void **state)
{
	struct dnsmasq_line l;

	(void)state;
	dnsmasq_parse_line("dnsmasq-tftp[77]: file " ROOT "/dc-a6-32-01-02-03/recover4.elf not found",
			   ROOT, &l);
	assert_int_equal(l.kind, DL_TFTP_NOT_FOUND);
	assert_string_equal(l.file, "recover4.elf");
	assert_string_equal(l.mac, "dc:a6:32:01:02:03");
	dnsmasq_parse_line("dnsmasq-tftp[77]: file " ROOT "/start4.elf not found", ROOT, &l);
	assert_int_equal(l.kind, DL_TFTP_NOT_FOUND);
	assert_string_equal(l.mac, "");		/* unknown MAC: TFTP root */
	assert_string_equal(l.file, "start4.elf");
	dnsmasq_parse_line("dnsmasq-tftp[77]: error 0 Early terminate received from 10.42.0.12",
			   ROOT, &l);
	assert_int_equal(l.kind, DL_TFTP_ERROR);
	assert_string_equal(l.ip, "10.42.0.12");
	dnsmasq_parse_line("dnsmasq-tftp[77]: failed sending " ROOT "/aa-bb-cc-dd-ee-ff/kernel8.img"
			   " to 10.42.0.13", ROOT, &l);
	assert_int_equal(l.kind, DL_TFTP_FAILED);
	assert_string_equal(l.mac, "aa:bb:cc:dd:ee:ff");
	assert_string_equal(l.file, "kernel8.img");
}

static void daemon_lines(void **state)
{
	struct dnsmasq_line l;

	(void)state;
	dnsmasq_parse_line("dnsmasq[5]: started, version 2.90 DNS disabled", ROOT, &l);
	assert_int_equal(l.kind, DL_STARTED);
	dnsmasq_parse_line("dnsmasq-dhcp[5]: read /x/run/dnsmasq.hosts", ROOT, &l);
	assert_int_equal(l.kind, DL_READ);
	assert_true(l.dhcp);
	dnsmasq_parse_line("dnsmasq: failed to create listening socket for port 67: "
			   "Address in use", ROOT, &l);
	assert_int_equal(l.kind, DL_FATAL);
	assert_string_equal(l.msg, "failed to create listening socket for port 67: Address in use");
	dnsmasq_parse_line("garbage", ROOT, &l);
	assert_int_equal(l.kind, DL_OTHER);
	assert_string_equal(l.msg, "garbage");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tftp_sent_names_mac_and_file),
		cmocka_unit_test(probes_and_failures),
		cmocka_unit_test(daemon_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
