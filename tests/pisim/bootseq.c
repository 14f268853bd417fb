/*
 * The files each model's loaders ask for, in their order
 * (shared/reference/pi-netboot.md §1.3-1.5, §1.8). Probes are requests
 * the firmware aborts after the first answer; "absent" answers to them
 * are normal (dnsmasq logs them as "Early terminate" / "not found").
 */
#include "pisim.h"

#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "mac.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum where { IN_PREFIX, AT_ROOT };

static enum tftp_ask firmware_ask(const struct sim *s)
{
	/* §1.3: bootcode.bin and start.elf send tsize only; §1.4, §1.5: the EEPROM adds blksize */
	return model_is_pi3(s->o.m) ? TFTP_TSIZE : TFTP_TSIZE_BLKSIZE;
}

static int save(const struct sim *s, const struct tftp_file *f)
{
	char *path = xasprintf("%s/%s", s->o.save_dir, f->name), *dir = dir_of(path);
	int rc = mkdir_p(dir, 0755) ? -1 : write_file_atomic(path, f->data, f->len, 0644);

	free(dir);
	free(path);
	return rc ? err_wrap("--save: ") : 0;
}

static void log_file(const struct tftp_file *f, int probe)
{
	if (f->status == FILE_OK)
		log_info("TFTP %s: %zu bytes in %lld ms, blksize %d%s", f->name, f->len, f->ms, f->blksize,
			 f->retries ? ", with retransmits" : "");
	else if (f->status == FILE_PROBED)
		log_info("TFTP %s: present (%lld bytes), probe aborted", f->name, f->tsize);
	else if (f->status == FILE_ABSENT)
		log_info("TFTP %s: not found%s", f->name, probe ? " (probe)" : "");
}

/*
 * One request: name in the current prefix or at the root. Returns the
 * file's status, or -1 (recorded as a tftp failure) when the transfer
 * failed. With text, an OK file's content is handed over NUL-terminated.
 */
static int request(struct sim *s, const char *name, enum where w, enum tftp_ask ask, int probe,
		   char **text)
{
	char *full = w == AT_ROOT ? xstrdup(name) : xasprintf("%s%s", s->prefix, name);
	struct tftp_file *f;
	int rc;

	s->files = xrealloc(s->files, (s->nfiles + 1) * sizeof *s->files);
	f = &s->files[s->nfiles++];
	rc = tftp_fetch(&s->tftp, full, ask, probe, f);
	free(full);
	if (rc)
		return sim_fail(s, "tftp");
	log_file(f, probe);
	if (f->status == FILE_OK && s->o.save_dir && save(s, f))
		return sim_fail(s, "tftp");
	if (f->status == FILE_OK && text) {
		*text = xmalloc(f->len + 1);
		memcpy(*text, f->data, f->len);
		(*text)[f->len] = '\0';
	}
	/* the firmware only needs the content of the files it parses; --handoff writes the kernel's at the end */
	if (!s->o.handoff_dir) {
		free(f->data);
		f->data = NULL;
	}
	return (int)f->status;
}

static int probe(struct sim *s, const char *name)
{
	return request(s, name, IN_PREFIX, firmware_ask(s), 1, NULL) < 0 ? -1 : 0;
}

static const char *server_str(const struct sim *s, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &s->tftp.server, buf, INET_ADDRSTRLEN);
}

/* A file the boot cannot go on without. */
static int load(struct sim *s, const char *name, enum where w, enum tftp_ask ask, char **text)
{
	char a[INET_ADDRSTRLEN];
	int st = request(s, name, w, ask, 0, text);

	if (st == FILE_ABSENT) {
		err_set("%s%s not found on TFTP server %s: the Pi stops here", w == AT_ROOT ? "" : s->prefix,
			name, server_str(s, a));
		return sim_fail(s, "tftp");
	}
	return st < 0 ? -1 : 0;
}

static int load_optional(struct sim *s, const char *name, char **text)
{
	return request(s, name, IN_PREFIX, firmware_ask(s), 0, text) < 0 ? -1 : 0;
}

/*
 * §1.4: "If neither start4.elf nor start.elf are found in the prefixed
 * directory then the prefix is cleared" [D-eeprom]; §1.3: bootcode.bin
 * uses <serial>/ only when <serial>/start.elf exists. Pi 5 looks for
 * config.txt instead (§1.5, inference in the reference).
 */
static int choose_prefix(struct sim *s, const char *const *names)
{
	for (; *names; names++) {
		int st = request(s, *names, IN_PREFIX, firmware_ask(s), 1, NULL);

		if (st < 0)
			return -1;
		if (st != FILE_ABSENT)
			return 0;
		if (!s->prefix[0])
			return 0;	/* no prefix: the first probe is all the firmware does */
	}
	log_info("TFTP prefix %s has no boot files: cleared, reading from the root", s->prefix);
	s->prefix[0] = '\0';
	s->prefix_cleared = 1;
	return 0;
}

/* config.txt: read and parse; absent means defaults. */
static int read_config(struct sim *s)
{
	char *text = NULL;

	if (load_optional(s, "config.txt", &text))
		return -1;
	configtxt_free(&s->cfg);
	configtxt_parse("", 0, s->o.m, s->o.serial, s->o.board_rev, &s->cfg);
	if (!text)
		return 0;
	/* §3: without an OACK for blksize, Pi 4/CM4 ignore config.txt [firmware#1012] */
	if (!model_is_pi3(s->o.m) && !s->files[s->nfiles - 1].oack) {
		log_warn("config.txt: the TFTP server sent no OACK, so a Pi 4/5 ignores config.txt "
			 "(dnsmasq: drop tftp-no-blocksize)");
	} else {
		configtxt_parse(text, strlen(text), s->o.m, s->o.serial, s->o.board_rev, &s->cfg);
		if (s->cfg.truncated)
			log_warn("config.txt is over %d bytes: netboot drops the rest [firmware#1575]",
				 CONFIGTXT_NETBOOT_MAX);
		if (s->cfg.includes)
			log_warn("config.txt: include lines are not followed by pisim");
	}
	free(text);
	return 0;
}

/* start*.elf and its fixup file: the first name the server has. */
static int load_start(struct sim *s, const char *const *starts)
{
	char a[INET_ADDRSTRLEN], *fixup;
	int rc, st = FILE_ABSENT;
	const char *const *n;

	for (n = starts; *n && st == FILE_ABSENT; n++)
		if ((st = request(s, *n, IN_PREFIX, firmware_ask(s), 0, NULL)) < 0)
			return -1;
	if (st == FILE_ABSENT) {
		err_set("%s%s not found on TFTP server %s: the Pi stops here", s->prefix, starts[0],
			server_str(s, a));
		return sim_fail(s, "tftp");
	}
	/* start4.elf pairs with fixup4.dat, start.elf with fixup.dat */
	fixup = xstrdup(n[-1]);
	memcpy(fixup, "fixup", 5);
	strcpy(strrchr(fixup, '.'), ".dat");
	rc = load(s, fixup, IN_PREFIX, firmware_ask(s), NULL);
	free(fixup);
	return rc;
}

static int load_overlays(struct sim *s)
{
	if (load_optional(s, "overlays/overlay_map.dtb", NULL))
		return -1;
	for (size_t i = 0; i < s->cfg.n_overlays; i++) {
		char *name = xasprintf("overlays/%s.dtbo", s->cfg.overlays[i]);
		int st = request(s, name, IN_PREFIX, firmware_ask(s), 0, NULL);

		if (st == FILE_ABSENT)
			log_warn("dtoverlay=%s: %s%s not found, the firmware skips it", s->cfg.overlays[i],
				 s->prefix, name);
		free(name);
		if (st < 0)
			return -1;
	}
	return 0;
}

static int load_kernel(struct sim *s)
{
	return load(s, configtxt_kernel(&s->cfg, s->o.m), IN_PREFIX, firmware_ask(s), NULL);
}

static int load_cmdline(struct sim *s)
{
	free(s->cmdline);
	s->cmdline = NULL;
	return load_optional(s, configtxt_cmdline(&s->cfg), &s->cmdline);
}

/* initramfs: required when named by an "initramfs" line, optional with auto_initramfs=1. */
static int load_initramfs(struct sim *s)
{
	int required, st;
	char *name = configtxt_initramfs(&s->cfg, configtxt_kernel(&s->cfg, s->o.m), &required);

	if (!name)
		return 0;
	st = required ? load(s, name, IN_PREFIX, firmware_ask(s), NULL)
		      : request(s, name, IN_PREFIX, firmware_ask(s), 0, NULL);
	if (st == FILE_OK)
		s->initramfs_loaded = 1;
	free(name);
	return st < 0 ? -1 : 0;
}

/* What start*.elf loads last, 3B+ and Pi 4 order (§1.3, §1.4 [rpi-eeprom#87]). */
static int load_os(struct sim *s)
{
	if (load(s, configtxt_dtb(&s->cfg, s->o.m), IN_PREFIX, firmware_ask(s), NULL) ||
	    load_overlays(s) || load_cmdline(s) || load_kernel(s))
		return -1;
	return load_initramfs(s);
}

/* §1.4, observed orders [rpi-eeprom#74, firmware#1012, rpi-eeprom#87]. */
static int seq_pi4(struct sim *s)
{
	static const char *const starts[] = { "start4.elf", "start.elf", NULL };
	static const char *const probes[] = { "recover4.elf", "fixup4rc.dat", "recovery.elf",
					      "fixup_rc.dat", NULL };

	if (choose_prefix(s, starts) || read_config(s))
		return -1;
	for (const char *const *p = probes; *p; p++)
		if (probe(s, *p))
			return -1;
	if (load_start(s, starts) || read_config(s))
		return -1;
	return load_os(s);
}

/* §1.5: no start.elf; config.txt, kernel, dtb, overlays, cmdline.txt, initramfs. */
static int seq_pi5(struct sim *s)
{
	static const char *const marker[] = { "config.txt", NULL };

	if (choose_prefix(s, marker) || read_config(s) || load_kernel(s))
		return -1;
	if (load(s, configtxt_dtb(&s->cfg, s->o.m), IN_PREFIX, firmware_ask(s), NULL) ||
	    load_overlays(s) || load_cmdline(s))
		return -1;
	return load_initramfs(s);
}

/* §1.3, the 3B+ order seen with tftpd-hpa [PexMor; firmware#1012, #1605]. */
static int seq_pi3(struct sim *s)
{
	static const char *const starts[] = { "start.elf", NULL };

	if (choose_prefix(s, starts) || probe(s, "autoboot.txt") || read_config(s) ||
	    probe(s, "recovery.elf") || load_start(s, starts) || read_config(s) ||
	    probe(s, "dt-blob.bin") || probe(s, "bootcfg.txt"))
		return -1;
	return load_os(s);
}

static void set_prefix(struct sim *s)
{
	char mac[MAC_STRLEN];

	if (s->o.prefix == PREFIX_SERIAL) {
		snprintf(s->prefix, sizeof s->prefix, "%08x/", s->o.serial);
	} else if (s->o.prefix == PREFIX_MAC) {
		mac_dashed(s->o.mac, mac);
		snprintf(s->prefix, sizeof s->prefix, "%s/", mac);
	} else {
		s->prefix[0] = '\0';
	}
}

/* §1.3: the boot ROM sends bare RRQs from the root: bootcode.bin, then bootsig.bin (normally absent). */
int bootseq_rom(struct sim *s)
{
	if (load(s, "bootcode.bin", AT_ROOT, TFTP_BARE, NULL))
		return -1;
	return request(s, "bootsig.bin", AT_ROOT, TFTP_BARE, 0, NULL) < 0 ? -1 : 0;
}

int bootseq_firmware(struct sim *s)
{
	set_prefix(s);
	switch (s->o.m->id) {
	case PI_4:
		return seq_pi4(s);
	case PI_5:
		return seq_pi5(s);
	default:
		return seq_pi3(s);
	}
}
