/*
 * imgtool eeprom: the one-time bootloader settings a Pi needs before it can
 * boot from bramble. Pi 4 and Pi 5 ship with network boot off (no '2' in
 * BOOT_ORDER), so every board needs this once; Pi 3B+ boots from the
 * network out of the box. Facts and version floors from the rpi-eeprom
 * release notes (see shared reference pi-netboot.md §1.3-1.5, §4).
 */
#include "commands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

struct eeprom_model {
	const char *model;
	const char *board;
	const char *floor;	/* oldest bootloader bramble supports */
	const char *floor_why;
	const char *best;	/* release with every netboot fix we rely on */
};

static const struct eeprom_model models[] = {
	{ "4", "Pi 4 / 400 / CM4", "2022-10-03",
	  "TFTP block size 1468 (older releases use 1024: slower, still works)",
	  "2025-09-23 (TFTP block counter rollover: boot files over 64 MB)" },
	{ "5", "Pi 5 / CM5", "2023-10-30",
	  "network boot retry fix (2023-10-18) and the RPi5 DHCP option 97",
	  "2025-09-23 (TFTP block counter rollover: boot files over 96 MB)" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int usage(FILE *f)
{
	fputs("usage: imgtool eeprom [--model 3|4|5] [--network-first]\n\n"
	      "Print the EEPROM bootloader settings a Pi needs to boot from bramble and\n"
	      "the steps to apply them once per board.\n\n"
	      "  --model 3|4|5     board generation (default 4; 3 means 3B+)\n"
	      "  --network-first   try the network before the SD card (BOOT_ORDER=0xf12);\n"
	      "                    the default 0xf21 tries SD first, then the network\n",
	      f);
	return f == stdout ? 0 : EXIT_USAGE;
}

static void print_pi3(void)
{
	puts("Pi 3B+ boots from the network out of the box: no EEPROM to change.\n"
	     "A Pi 3B needs its OTP bit set once: add program_usb_boot_mode=1 to\n"
	     "config.txt of an SD-card boot, reboot, and check that\n"
	     "'vcgencmd otp_dump | grep 17:' prints 17:3020000a. Older boards (2B, 1B+)\n"
	     "boot from an SD card holding only bootcode.bin.");
}

static void print_settings(const struct eeprom_model *m, int network_first)
{
	printf("# EEPROM settings for %s (paste into 'rpi-eeprom-config --edit')\n"
	       "[all]\n"
	       "BOOT_ORDER=%s\n"
	       "NET_INSTALL_ENABLED=0\n\n",
	       m->board, network_first ? "0xf12" : "0xf21");
	printf("BOOT_ORDER digits run right to left: 1 = SD card, 2 = network, f = start over.\n"
	       "%s\n"
	       "NET_INSTALL_ENABLED=0 skips the network-install keyboard probe (about 1 s per boot).\n"
	       "Leave TFTP_PREFIX at its default: bramble answers the serial-number prefix and\n"
	       "the MAC directory alike.\n\n",
	       network_first ? "0xf12 tries the network first and falls back to an SD card."
			     : "0xf21 tries an SD card first (none on a diskless node), then the network.");
	printf("Bootloader version: at least %s (%s);\n"
	       "recommended: %s or newer.\n\n", m->floor, m->floor_why, m->best);
}

static void print_steps(const struct eeprom_model *m)
{
	printf("Once per board, from an SD card (or USB stick) with Raspberry Pi OS:\n"
	       "  1. sudo rpi-eeprom-update -a && sudo reboot      # newest bootloader\n"
	       "  2. vcgencmd bootloader_version                   # check the date above\n"
	       "  3. sudo rpi-eeprom-config --edit                 # add the settings above\n"
	       "  4. note the board's identity for the inventory:\n"
	       "       cat /sys/class/net/eth0/address             # MAC\n"
	       "       awk '/^Serial/ {print substr($3, length($3) - 7)}' /proc/cpuinfo  # serial\n"
	       "  5. sudo poweroff, remove the card, then on the head node:\n"
	       "       imgtool node add NAME --mac MAC --serial SERIAL --model %s --image IMAGE\n"
	       "     or leave the node unbound and run 'bootsrv adopt NAME' after its first boot.\n"
	       "Raspberry Pi Imager does steps 1 and 3 with 'Misc utility images > Bootloader >\n"
	       "Network boot'. Compute modules: flash the bootloader with rpiboot (usbboot).\n",
	       m->model);
}

int cmd_eeprom(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "network-first", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *model = "4";
	int network_first = 0, c;

	(void)ctx;
	while ((c = getopt_long(argc, argv, "m:nh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'n': network_first = 1; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);
	if (!strcmp(model, "3")) {
		print_pi3();
		return 0;
	}
	for (const struct eeprom_model *m = models; m->model; m++) {
		if (strcmp(m->model, model))
			continue;
		print_settings(m, network_first);
		print_steps(m);
		return 0;
	}
	return cli_usage(ctx, "eeprom: '%s' is not a Pi model (expected 3, 4 or 5)", model);
}
