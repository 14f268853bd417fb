/*
 * pisim: one emulated Raspberry Pi network boot, from DHCP to the NFS
 * root. The options, what each phase found, and the failures, shared by
 * the phases (main.c runs them, report.c prints them).
 */
#ifndef PISIM_H
#define PISIM_H

#include "configtxt.h"
#include "dhcp.h"
#include "model.h"
#include "nfsboot.h"
#include "tftp.h"

#include <stdint.h>

enum prefix_mode { PREFIX_SERIAL, PREFIX_MAC, PREFIX_NONE };	/* EEPROM TFTP_PREFIX 0, 2, none */

struct sim_opts {
	const char *iface;
	uint8_t mac[6];
	const struct model *m;
	uint32_t serial, board_rev;
	enum prefix_mode prefix;
	int blksize;
	int dhcp_timeout_ms, dhcp_req_timeout_ms, tftp_file_timeout_ms;
	int no_nfs, heartbeat, json;
	char boot_id[37];
	const char *save_dir;
	const char *handoff_dir;	/* --handoff: keep the files, write the kernel's */
};

struct failure {
	const char *phase;		/* dhcp, tftp, nfs, setup, handoff */
	char *message;
};

struct sim {
	struct sim_opts o;
	int ifindex;
	struct dhcp_lease lease;
	struct tftp_cfg tftp;
	char prefix[40];		/* "" once cleared */
	int prefix_cleared;
	struct tftp_file *files;	/* every request, in order */
	size_t nfiles;
	struct configtxt cfg;		/* from the last config.txt read */
	char *cmdline;			/* cmdline.txt as fetched, NULL if not */
	int initramfs_loaded;
	char *nfs_server, *nfs_export;
	struct nfs_result nfs;
	long long dhcp_ms, tftp_ms, nfs_ms, total_ms;
	struct failure *failures;
	size_t nfailures;
};

/* Record err_get() as a failure of phase; returns -1. */
int sim_fail(struct sim *s, const char *phase);

/* bootseq.c: the model's TFTP requests. The Pi 3 boot ROM's part comes first, before its second DHCP. */
int bootseq_rom(struct sim *s);
int bootseq_firmware(struct sim *s);

/* handoff.c: --handoff DIR's kernel, initramfs and cmdline.txt; -1 recorded as a failure. */
int handoff_write(struct sim *s);

/* report.c */
void report_json(const struct sim *s);
void report_summary(const struct sim *s);

#endif
