/*
 * pisim: an emulated Raspberry Pi network bootloader for tests and
 * benchmarks. Runs in a network namespace on one interface and boots the
 * way a 3B/3B+, 4 or 5 does: DHCP on a packet socket, lock-step TFTP in
 * the model's file order, then the NFS root the kernel would mount.
 */
#include "pisim.h"

#include "cli.h"
#include "clock.h"
#include "cmdline.h"
#include "err.h"
#include "log.h"
#include "mac.h"
#include "netif.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

static const char usage_text[] =
"usage: pisim [options]\n"
"\n"
"Boot one emulated Raspberry Pi over the network on an interface (run it\n"
"inside a network namespace): DHCP as the model's bootloader (option 60\n"
"PXEClient, option 97, accepting only offers whose option 43 boot menu says\n"
"\"Raspberry Pi Boot\"; proxy-DHCP supported), TFTP of the model's files in\n"
"its order (probes, prefix fallback, config.txt filters), then the NFS root\n"
"named by cmdline.txt (mount, /sbin/init, /etc/hostname, heartbeat).\n"
"Logs on stderr; exit 0 only if the whole boot succeeded.\n"
"\n"
"  --iface IF              interface to boot on (default eth0)\n"
"  --mac MAC               the Pi's MAC; set on the interface (default: its own)\n"
"  --model 3|3b|4|5        3 = 3B+ (default 4)\n"
"  --serial HEX8           board serial (default: the MAC's low 4 bytes)\n"
"  --board-rev HEX8        board revision in option 97 (default per model)\n"
"  --prefix serial|mac|none  Pi 4/5 EEPROM TFTP_PREFIX (default serial)\n"
"  --blksize N             TFTP blksize asked (Pi 4/5, default 1468; 3B+ asks none: 512)\n"
"  --old-eeprom            Pi 4 EEPROM before 2022-10: blksize 1024\n"
"  --dhcp-timeout T        give up DHCP after T (DHCP_TIMEOUT, default 45s; 3B+ ROM 25s)\n"
"  --dhcp-req-timeout T    resend DISCOVER/REQUEST after T (DHCP_REQ_TIMEOUT, default 4s; 3B+ 5s)\n"
"  --tftp-file-timeout T   give up a file after T (TFTP_FILE_TIMEOUT, default 30s)\n"
"                          T is milliseconds, or with a unit: 500ms, 5s\n"
"  --no-nfs                stop after TFTP\n"
"  --heartbeat             write /var/lib/bramble/heartbeat in the NFS root\n"
"  --boot-id UUID          boot id for the heartbeat (default: random)\n"
"  --save DIR              store every fetched file as DIR/<name as requested>\n"
"  --handoff DIR           stop after TFTP and write what the firmware hands the\n"
"                          kernel, as fetched: DIR/kernel, DIR/initramfs (if one\n"
"                          was loaded), DIR/cmdline.txt (to boot it in QEMU)\n"
"  --json                  print one JSON summary object on stdout\n"
"  -q, --quiet / -v, --verbose   less / more on stderr\n"
"  -h, --help              this text\n";

enum opt_id {
	O_IFACE = 256, O_MAC, O_MODEL, O_SERIAL, O_REV, O_PREFIX, O_BLKSIZE, O_OLD_EEPROM,
	O_DHCP_TIMEOUT, O_DHCP_REQ, O_TFTP_TIMEOUT, O_NO_NFS, O_HEARTBEAT, O_BOOT_ID, O_SAVE, O_HANDOFF, O_JSON,
};

static const struct option long_opts[] = {
	{ "iface", required_argument, NULL, O_IFACE },
	{ "mac", required_argument, NULL, O_MAC },
	{ "model", required_argument, NULL, O_MODEL },
	{ "serial", required_argument, NULL, O_SERIAL },
	{ "board-rev", required_argument, NULL, O_REV },
	{ "prefix", required_argument, NULL, O_PREFIX },
	{ "blksize", required_argument, NULL, O_BLKSIZE },
	{ "old-eeprom", no_argument, NULL, O_OLD_EEPROM },
	{ "dhcp-timeout", required_argument, NULL, O_DHCP_TIMEOUT },
	{ "dhcp-req-timeout", required_argument, NULL, O_DHCP_REQ },
	{ "tftp-file-timeout", required_argument, NULL, O_TFTP_TIMEOUT },
	{ "no-nfs", no_argument, NULL, O_NO_NFS },
	{ "heartbeat", no_argument, NULL, O_HEARTBEAT },
	{ "boot-id", required_argument, NULL, O_BOOT_ID },
	{ "save", required_argument, NULL, O_SAVE },
	{ "handoff", required_argument, NULL, O_HANDOFF },
	{ "json", no_argument, NULL, O_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Options as given, before model defaults fill the gaps. */
struct raw_opts {
	const char *mac, *serial, *rev, *prefix;
	int blksize, old_eeprom;
	int dhcp_timeout, dhcp_req, tftp_timeout;	/* -1: model default */
};

int sim_fail(struct sim *s, const char *phase)
{
	s->failures = xrealloc(s->failures, (s->nfailures + 1) * sizeof *s->failures);
	s->failures[s->nfailures].phase = phase;
	s->failures[s->nfailures++].message = xstrdup(err_get());
	log_err("%s: %s", phase, err_get());
	return -1;
}

/* Usage errors: "pisim: <what is wrong and the fix>", exit 2. */
static struct ctx cli = { .prog = "pisim" };

static int parse_hex32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!*s || strlen(s) > 8)
		return -1;
	v = strtoul(s, &end, 16);
	if (*end)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "4000", "4000ms" or "4s" -> milliseconds; the EEPROM's minimum applies. */
static int parse_ms(const char *s, int min, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "s"))
		v *= 1000;
	else if (*end && strcmp(end, "ms"))
		return -1;
	if (v < min || v > 3600000)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct sim_opts *o, struct raw_opts *r)
{
	int c;

	opterr = 0;	/* our own one-line messages */
	while ((c = getopt_long(argc, argv, "qvh", long_opts, NULL)) != -1) {
		switch (c) {
		case O_IFACE: o->iface = optarg; break;
		case O_MAC: r->mac = optarg; break;
		case O_MODEL:
			if (!(o->m = model_by_name(optarg)))
				return cli_usage(&cli, "unknown --model %s: use 3 (3B+), 3b, 4 or 5", optarg);
			break;
		case O_SERIAL: r->serial = optarg; break;
		case O_REV: r->rev = optarg; break;
		case O_PREFIX: r->prefix = optarg; break;
		case O_BLKSIZE:
			r->blksize = atoi(optarg);
			if (r->blksize < 8 || r->blksize > 65464)
				return cli_usage(&cli, "--blksize %s: RFC 2348 allows 8 to 65464", optarg);
			break;
		case O_OLD_EEPROM: r->old_eeprom = 1; break;
		case O_DHCP_TIMEOUT:
			if (parse_ms(optarg, 5000, &r->dhcp_timeout))
				return cli_usage(&cli, "--dhcp-timeout %s: give at least 5000 ms (the EEPROM minimum), e.g. 5s", optarg);
			break;
		case O_DHCP_REQ:
			if (parse_ms(optarg, 500, &r->dhcp_req))
				return cli_usage(&cli, "--dhcp-req-timeout %s: give at least 500 ms (the EEPROM minimum)", optarg);
			break;
		case O_TFTP_TIMEOUT:
			if (parse_ms(optarg, 5000, &r->tftp_timeout))
				return cli_usage(&cli, "--tftp-file-timeout %s: give at least 5000 ms (the EEPROM minimum)", optarg);
			break;
		case O_NO_NFS: o->no_nfs = 1; break;
		case O_HEARTBEAT: o->heartbeat = 1; break;
		case O_BOOT_ID: {
			uuid_t u;

			if (uuid_parse(optarg, u))
				return cli_usage(&cli, "--boot-id %s is not a UUID", optarg);
			uuid_unparse_lower(u, o->boot_id);
			break;
		}
		case O_SAVE: o->save_dir = optarg; break;
		case O_HANDOFF: o->handoff_dir = optarg; break;
		case O_JSON: o->json = 1; break;
		case 'q': log_set_level(L_ERR); break;
		case 'v': log_set_level(L_DEBUG); break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return cli_usage(&cli, "bad option %s: see pisim --help", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(&cli, "unexpected argument %s", argv[optind]);
	return 0;
}

/* Fill what the options left open from the model; usage errors for combinations the firmware never makes. */
static int model_defaults(struct sim_opts *o, const struct raw_opts *r)
{
	int pi3 = model_is_pi3(o->m);

	if (r->serial && parse_hex32(r->serial, &o->serial))
		return cli_usage(&cli, "--serial %s: give up to 8 hex digits, e.g. 9ffefdef", r->serial);
	if (r->rev && parse_hex32(r->rev, &o->board_rev))
		return cli_usage(&cli, "--board-rev %s: give up to 8 hex digits, e.g. c03114", r->rev);
	if (!r->rev)
		o->board_rev = o->m->board_rev;
	o->prefix = PREFIX_SERIAL;
	if (r->prefix && !strcmp(r->prefix, "mac"))
		o->prefix = PREFIX_MAC;
	else if (r->prefix && !strcmp(r->prefix, "none"))
		o->prefix = PREFIX_NONE;
	else if (r->prefix && strcmp(r->prefix, "serial"))
		return cli_usage(&cli, "--prefix %s: use serial, mac or none", r->prefix);
	if (pi3 && o->prefix != PREFIX_SERIAL)
		return cli_usage(&cli, "--prefix %s: only Pi 4/5 have TFTP_PREFIX; bootcode.bin always tries <serial>/", r->prefix);
	if (r->old_eeprom && (o->m->id != PI_4 || r->blksize))
		return cli_usage(&cli, "--old-eeprom is for a Pi 4 and sets blksize 1024; leave out --blksize");
	if (pi3 && r->blksize && r->blksize != 512)
		return cli_usage(&cli, "--blksize %d: the 3B+ firmware asks no blksize, so blocks are 512 bytes", r->blksize);
	if (pi3)
		o->blksize = 512;
	else if (r->old_eeprom)
		o->blksize = 1024;	/* §1.4: blksize 1024 from 2019-10, 1468 from 2022-10 [RN2711] */
	else
		o->blksize = r->blksize ? r->blksize : o->m->blksize;
	/* §1.4 timers; §1.3: the Pi 3 ROM tries 5 times, 5 s apart */
	o->dhcp_timeout_ms = r->dhcp_timeout >= 0 ? r->dhcp_timeout : pi3 ? 25000 : 45000;
	o->dhcp_req_timeout_ms = r->dhcp_req >= 0 ? r->dhcp_req : pi3 ? 5000 : 4000;
	o->tftp_file_timeout_ms = r->tftp_timeout >= 0 ? r->tftp_timeout : 30000;
	if (o->heartbeat && (o->no_nfs || o->handoff_dir))
		return cli_usage(&cli, "--heartbeat needs the NFS phase; drop --no-nfs and --handoff");
	if (!o->boot_id[0]) {
		uuid_t u;

		uuid_generate_random(u);
		uuid_unparse_lower(u, o->boot_id);
	}
	return 0;
}

/* The interface: up, with the Pi's MAC; the serial defaults from the MAC. */
static int setup_iface(struct sim *s, const struct raw_opts *r)
{
	uint8_t have[6];

	if ((s->ifindex = netif_index(s->o.iface)) < 0 || netif_get_mac(s->o.iface, have))
		return -1;
	if (r->mac) {
		if (mac_parse(r->mac, s->o.mac))
			return err_set("--mac %s is not a MAC address", r->mac);
		if (memcmp(have, s->o.mac, 6) && netif_set_mac(s->o.iface, s->o.mac))
			return -1;
	} else {
		memcpy(s->o.mac, have, 6);
	}
	if (!r->serial)
		s->o.serial = (uint32_t)s->o.mac[2] << 24 | s->o.mac[3] << 16 | s->o.mac[4] << 8 | s->o.mac[5];
	return netif_up(s->o.iface);
}

/* rom: the Pi 3 boot ROM's DHCP (before bootcode.bin), with its shorter option 55. */
static int run_dhcp(struct sim *s, int rom)
{
	struct dhcp_cfg c = {
		.ifindex = s->ifindex, .m = s->o.m,
		.req_timeout_ms = s->o.dhcp_req_timeout_ms, .timeout_ms = s->o.dhcp_timeout_ms,
		.request = !model_is_pi3(s->o.m),
	};
	char ip[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN], tftp[INET_ADDRSTRLEN];
	long long t0 = mono_ms();
	int rc;

	memcpy(c.client.mac, s->o.mac, 6);
	dhcp_guid(c.client.guid, s->o.m, s->o.board_rev, s->o.mac, s->o.serial);
	c.client.prl = rom ? s->o.m->rom_prl : s->o.m->prl;
	c.client.prl_len = rom ? s->o.m->rom_prl_len : s->o.m->prl_len;
	rc = dhcp_acquire(&c, &s->lease);
	s->dhcp_ms += mono_ms() - t0;
	if (rc || netif_set_addr(s->o.iface, s->lease.ip, s->lease.netmask))
		return sim_fail(s, "dhcp");
	s->tftp.server = s->lease.tftp_server;
	log_info("NET %s/%s tftp %s%s", inet_ntop(AF_INET, &s->lease.ip, ip, sizeof ip),
		 inet_ntop(AF_INET, &s->lease.netmask, mask, sizeof mask),
		 inet_ntop(AF_INET, &s->lease.tftp_server, tftp, sizeof tftp),
		 s->lease.proxy ? " (proxy DHCP)" : "");
	return 0;
}

static int run_tftp(struct sim *s, int (*seq)(struct sim *))
{
	long long t0 = mono_ms();
	int rc = seq(s);

	s->tftp_ms += mono_ms() - t0;
	return rc;
}

static int mount_nfs(struct sim *s, const struct bootargs *b)
{
	char client[INET_ADDRSTRLEN], server[INET_ADDRSTRLEN];
	uint32_t ip = s->lease.ip, srv = b->ip_server ? b->ip_server : s->lease.tftp_server;
	struct nfs_params p = { .iface = s->o.iface, .boot_id = s->o.heartbeat ? s->o.boot_id : NULL };

	if (b->ip == IPCONF_STATIC) {
		ip = b->ip_client;
		if (netif_set_addr(s->o.iface, ip, b->ip_mask ? b->ip_mask : s->lease.netmask))
			return -1;
	}
	inet_ntop(AF_INET, &ip, client, sizeof client);
	s->nfs_server = xstrdup(b->nfs_server ? b->nfs_server : inet_ntop(AF_INET, &srv, server, sizeof server));
	s->nfs_export = bootargs_nfs_path(b, client);
	p.server = s->nfs_server;
	p.export = s->nfs_export;
	return nfsboot_run(&p, &s->nfs);
}

static int run_nfs(struct sim *s)
{
	struct bootargs b;
	long long t0 = mono_ms();
	int rc;

	if (!s->cmdline) {
		err_set("%s was not fetched: no nfsroot= to mount (--no-nfs skips this phase)",
			configtxt_cmdline(&s->cfg));
		return sim_fail(s, "nfs");
	}
	bootargs_parse(s->cmdline, &b);
	rc = bootargs_check(&b, s->initramfs_loaded) ? -1 : mount_nfs(s, &b);
	bootargs_free(&b);
	s->nfs_ms = mono_ms() - t0;
	return rc ? sim_fail(s, "nfs") : 0;
}

static int boot(struct sim *s)
{
	if (model_is_pi3(s->o.m)) {
		/* §1.3: ROM: DHCP, bootcode.bin, bootsig.bin; then bootcode.bin does its own DHCP */
		if (run_dhcp(s, 1) || run_tftp(s, bootseq_rom))
			return -1;
	}
	if (run_dhcp(s, 0) || run_tftp(s, bootseq_firmware))
		return -1;
	if (s->o.handoff_dir)
		return handoff_write(s);
	return s->o.no_nfs ? 0 : run_nfs(s);
}

static void sim_free(struct sim *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		tftp_file_free(&s->files[i]);
	free(s->files);
	for (size_t i = 0; i < s->nfailures; i++)
		free(s->failures[i].message);
	free(s->failures);
	configtxt_free(&s->cfg);
	free(s->cmdline);
	free(s->nfs_server);
	free(s->nfs_export);
	nfs_result_free(&s->nfs);
}

int main(int argc, char **argv)
{
	static char prog[32] = "pisim";
	struct sim s = { .o = { .iface = "eth0", .m = model_by_name("4") } };
	struct raw_opts r = { .dhcp_timeout = -1, .dhcp_req = -1, .tftp_timeout = -1 };
	long long t0 = mono_ms();
	int rc;

	log_init(prog, L_INFO);
	if ((rc = parse_opts(argc, argv, &s.o, &r)) || (rc = model_defaults(&s.o, &r)))
		return rc;
	s.tftp.blksize = s.o.blksize;
	s.tftp.file_timeout_ms = s.o.tftp_file_timeout_ms;
	if (setup_iface(&s, &r)) {
		sim_fail(&s, "setup");
	} else {
		char mac[MAC_STRLEN];

		/* many instances log at once: name each by its MAC */
		mac_format(s.o.mac, mac);
		snprintf(prog, sizeof prog, "pisim %s", mac);
		log_info("Pi %s serial %08x booting on %s", s.o.m->name, s.o.serial, s.o.iface);
		boot(&s);
	}
	s.total_ms = mono_ms() - t0;
	report_summary(&s);
	if (s.o.json)
		report_json(&s);
	rc = s.nfailures ? EXIT_FAILURE : 0;
	sim_free(&s);
	return rc;
}
