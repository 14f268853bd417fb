/*
 * The bootloader's TFTP client (RFC 1350 with the RFC 2347/2348/2349
 * options): strictly lock-step, one block in flight, the last RRQ or ACK
 * resent every 2 s, a time limit per file (§1.3, §1.4).
 */
#ifndef PISIM_TFTP_H
#define PISIM_TFTP_H

#include <stddef.h>
#include <stdint.h>

enum tftp_ask {
	TFTP_BARE,		/* no options: the Pi 3 boot ROM */
	TFTP_TSIZE,		/* tsize 0: bootcode.bin, start.elf */
	TFTP_TSIZE_BLKSIZE,	/* tsize 0 blksize N: Pi 4/5 EEPROM */
};

enum file_status { FILE_OK, FILE_PROBED, FILE_ABSENT, FILE_FAILED };

struct tftp_cfg {
	uint32_t server;	/* network order */
	int blksize;		/* asked with TFTP_TSIZE_BLKSIZE */
	int file_timeout_ms;	/* TFTP_FILE_TIMEOUT */
};

/* One request and what came of it. */
struct tftp_file {
	char *name;
	enum file_status status;
	uint8_t *data;
	size_t len;
	long long tsize;	/* from the OACK, -1 when none came */
	int blksize;		/* block size in use */
	int retries;		/* packets sent again */
	long long ms;
	int oack;		/* the server acknowledged our options */
};

/*
 * Read name from the server, or with probe only learn whether it exists
 * (abort with an ERROR after the first answer, as the firmware does).
 * Returns 0 once the server answered (status OK, PROBED or ABSENT), -1 with
 * err set (status FAILED) on a timeout, a server error or a size mismatch.
 */
int tftp_fetch(const struct tftp_cfg *c, const char *name, enum tftp_ask ask, int probe,
	       struct tftp_file *f);
void tftp_file_free(struct tftp_file *f);
const char *file_status_name(enum file_status s);

#endif
