/* pisim's reading of config.txt (filters, kernel and initramfs names) and cmdline.txt (nfsroot=, ip=). */
#include "../pisim/cmdline.c"
#include "../pisim/configtxt.c"
#include "../pisim/model.c"

#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* A Raspberry Pi OS style config.txt with sections for every model. */
static const char stock[] =
	"# comment\n"
	"dtparam=audio=on\n"
	"camera_auto_detect=1\n"
	"dtoverlay=vc4-kms-v3d\n"
	"arm_64bit=1\n"
	"[cm4]\n"
	"otg_mode=1\n"
	"dtoverlay=dwc2,dr_mode=host\n"
	"[pi4]\n"
	"arm_boost=1\n"
	"dtoverlay=disable-bt\n"
	"[pi5]\n"
	"dtoverlay=i2c-rtc,rv3028\n"
	"[pi3+]\n"
	"dtoverlay=pi3plus-only\n"
	"[pi3]\n"
	"kernel=kernel-pi3.img\n"
	"[all]\n"
	"auto_initramfs=1\n"
	"dtoverlay=vc4-kms-v3d\n";

static void parse(const char *text, const char *model, uint32_t serial, struct configtxt *c)
{
	const struct model *m = model_by_name(model);

	configtxt_parse(text, strlen(text), m, serial, m->board_rev, c);
}

static void model_sections(void **state)
{
	struct configtxt c;
	int req;
	char *ir;

	(void)state;
	parse(stock, "4", 1, &c);
	assert_int_equal(c.n_overlays, 2);
	assert_string_equal(c.overlays[0], "vc4-kms-v3d");
	assert_string_equal(c.overlays[1], "disable-bt");
	assert_string_equal(configtxt_kernel(&c, model_by_name("4")), "kernel8.img");
	assert_string_equal(configtxt_dtb(&c, model_by_name("4")), "bcm2711-rpi-4-b.dtb");
	ir = configtxt_initramfs(&c, "kernel8.img", &req);
	assert_string_equal(ir, "initramfs8");
	assert_false(req);
	free(ir);
	configtxt_free(&c);

	parse(stock, "5", 1, &c);
	assert_int_equal(c.n_overlays, 2);
	assert_string_equal(c.overlays[1], "i2c-rtc");
	assert_string_equal(configtxt_kernel(&c, model_by_name("5")), "kernel_2712.img");
	ir = configtxt_initramfs(&c, "kernel_2712.img", &req);
	assert_string_equal(ir, "initramfs_2712");
	free(ir);
	configtxt_free(&c);

	/* [pi3+] is the 3B+ only, [pi3] both; a custom kernel name has no auto initramfs */
	parse(stock, "3", 1, &c);
	assert_int_equal(c.n_overlays, 2);
	assert_string_equal(c.overlays[1], "pi3plus-only");
	assert_string_equal(configtxt_kernel(&c, model_by_name("3")), "kernel-pi3.img");
	assert_null(configtxt_initramfs(&c, "kernel-pi3.img", &req));
	configtxt_free(&c);
	parse(stock, "3b", 1, &c);
	assert_int_equal(c.n_overlays, 1);
	configtxt_free(&c);
}

static void other_filters(void **state)
{
	struct configtxt c;

	(void)state;
	/* serial filters, AND with model filters, [none], [tryboot], [HDMI:0] */
	parse("[0x9ffefdef]\nkernel=serial.img\n[all]\n", "4", 0x9ffefdef, &c);
	assert_string_equal(c.kernel, "serial.img");
	configtxt_free(&c);
	parse("[0x9ffefdef]\nkernel=serial.img\n", "4", 0x12345678, &c);
	assert_null(c.kernel);
	configtxt_free(&c);
	parse("[pi5]\n[0x1]\nkernel=a.img\n[pi4]\nkernel=b.img\n[all]\n", "4", 1, &c);
	assert_string_equal(c.kernel, "b.img");
	configtxt_free(&c);
	parse("[none]\nkernel=x.img\n[tryboot]\nkernel=y.img\n[HDMI:0]\nkernel=z.img\n", "4", 1, &c);
	assert_string_equal(c.kernel, "z.img");
	configtxt_free(&c);
	parse("[board-type=0x17]\nkernel=five.img\n[board-type=0x11]\ndtoverlay=four\n", "4", 1, &c);
	assert_null(c.kernel);
	assert_int_equal(c.n_overlays, 1);
	configtxt_free(&c);
}

static void settings(void **state)
{
	struct configtxt c;
	char big[5000];
	int req;
	char *ir;

	(void)state;
	parse("  initramfs initrd.img followkernel\r\nkernel = k.img \ndtoverlay=x.dtbo\n"
	      "dtoverlay=\ndtoverlay=x,param\ninclude extra.txt\narm_64bit=0\n", "4", 1, &c);
	ir = configtxt_initramfs(&c, configtxt_kernel(&c, model_by_name("4")), &req);
	assert_string_equal(ir, "initrd.img");
	assert_true(req);
	free(ir);
	assert_string_equal(c.kernel, "k.img");
	assert_int_equal(c.n_overlays, 1);
	assert_string_equal(c.overlays[0], "x");
	assert_int_equal(c.includes, 1);
	configtxt_free(&c);
	/* 32-bit kernels, and no initramfs without auto_initramfs */
	parse("arm_64bit=0\n", "4", 1, &c);
	assert_string_equal(configtxt_kernel(&c, model_by_name("4")), "kernel7l.img");
	assert_null(configtxt_initramfs(&c, "kernel7l.img", &req));
	configtxt_free(&c);
	parse("", "3", 1, &c);
	assert_string_equal(configtxt_kernel(&c, model_by_name("3")), "kernel7.img");
	configtxt_free(&c);
	/* netboot drops everything past 4 KB [firmware#1575] */
	memset(big, '#', sizeof big);
	big[0] = '\n';
	memcpy(big + 4090, "\nkernel=late.img\n", 17);
	big[sizeof big - 1] = '\0';
	parse(big, "4", 1, &c);
	assert_true(c.truncated);
	assert_null(c.kernel);
	configtxt_free(&c);
}

static void nfsroot_ok(void **state)
{
	struct bootargs b;
	char *p;

	(void)state;
	bootargs_parse("console=tty1 root=/dev/nfs nfsroot=10.42.0.1:/nodes/%s,vers=3,tcp,nolock,noacl "
		       "ip=dhcp rw rootwait\nsecond line ignored nfsroot=x", &b);
	assert_string_equal(b.nfs_server, "10.42.0.1");
	assert_string_equal(b.nfs_path, "/nodes/%s");
	assert_string_equal(b.nfs_opts, "vers=3,tcp,nolock,noacl");
	assert_int_equal(b.ip, IPCONF_DHCP);
	assert_int_equal(bootargs_check(&b, 0), 0);
	p = bootargs_nfs_path(&b, "10.42.0.7");
	assert_string_equal(p, "/nodes/10.42.0.7");
	free(p);
	bootargs_free(&b);

	/* no server: from ip= (or the boot server); static ip= */
	bootargs_parse("root=/dev/nfs nfsroot=/srv/n1,v3,proto=tcp "
		       "ip=10.42.0.9:10.42.0.2:10.42.0.1:255.255.255.0:n1:eth0:off", &b);
	assert_null(b.nfs_server);
	assert_string_equal(b.nfs_path, "/srv/n1");
	assert_int_equal(b.ip, IPCONF_STATIC);
	assert_int_equal(ntohl(b.ip_client), 0x0a2a0009);
	assert_int_equal(ntohl(b.ip_server), 0x0a2a0002);
	assert_int_equal(ntohl(b.ip_mask), 0xffffff00);
	assert_int_equal(bootargs_check(&b, 0), 0);
	bootargs_free(&b);
}

/* cmdline must fail the check with a message containing want. */
static void refused(const char *cmdline, int initramfs, const char *want)
{
	struct bootargs b;

	bootargs_parse(cmdline, &b);
	assert_int_equal(bootargs_check(&b, initramfs), -1);
	if (!strstr(err_get(), want))
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", cmdline, err_get(), want);
	bootargs_free(&b);
}

static void nfsroot_refused(void **state)
{
	struct bootargs b;

	(void)state;
	refused("root=/dev/nfs nfsroot=10.0.0.1:/x,tcp ip=dhcp", 0, "NFSv2");
	refused("root=/dev/nfs nfsroot=10.0.0.1:/x ip=dhcp", 0, "vers=3");
	refused("root=/dev/nfs nfsroot=10.0.0.1:/x,vers=4.1,tcp ip=dhcp", 0, "vers=3");
	refused("root=/dev/nfs nfsroot=10.0.0.1:/x,vers=3,udp ip=dhcp", 0, "tcp");
	refused("root=PARTUUID=1234-02 nfsroot=10.0.0.1:/x,vers=3,tcp ip=dhcp", 0, "root=/dev/nfs");
	refused("root=/dev/nfs ip=dhcp", 0, "no nfsroot=");
	refused("root=/dev/nfs nfsroot=10.0.0.1:/x,vers=3,tcp ip=off", 0, "ip=off");
	refused("root=/dev/nfs nfsroot=10.0.0.1:/x,vers=3,tcp", 0, "ip=dhcp");
	refused("root=/dev/nfs nfsroot=10.0.0.1:x,vers=3,tcp ip=dhcp", 0, "absolute");
	/* initramfs-tools configures the network without ip= */
	bootargs_parse("root=/dev/nfs nfsroot=10.0.0.1:/x,vers=3,tcp", &b);
	assert_int_equal(bootargs_check(&b, 1), 0);
	bootargs_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(model_sections),
		cmocka_unit_test(other_filters),
		cmocka_unit_test(settings),
		cmocka_unit_test(nfsroot_ok),
		cmocka_unit_test(nfsroot_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
