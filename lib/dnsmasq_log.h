/*
 * dnsmasq's log lines, as it writes them with --log-facility=- (stderr,
 * "dnsmasq-tftp[PID]: sent /x/tftp/dc-a6-32-01-02-03/start4.elf to 10.42.0.12").
 * bootsrv reads them from a pipe to see TFTP transfers per node: with
 * tftp-unique-root=mac the path names the client's MAC directory.
 */
#ifndef BRAMBLE_DNSMASQ_LOG_H
#define BRAMBLE_DNSMASQ_LOG_H

#include "mac.h"

#include <limits.h>

enum dnsmasq_kind {
	DL_OTHER,		/* anything else: passed on to our log */
	DL_STARTED,		/* "started, version ..." (sockets are bound) */
	DL_READ,		/* "read <file>" (hosts file (re)loaded) */
	DL_FATAL,		/* "dnsmasq: <why>" printed before exiting */
	DL_TFTP_SENT,		/* a whole file went out */
	DL_TFTP_NOT_FOUND,	/* an existence probe (normal) or a missing file */
	DL_TFTP_FAILED,		/* transfer aborted ("Early terminate" probes are normal) */
	DL_TFTP_ERROR,		/* "error N <text> received from IP", other TFTP complaints */
};

struct dnsmasq_line {
	enum dnsmasq_kind kind;
	int tftp;			/* came from dnsmasq-tftp */
	int dhcp;			/* came from dnsmasq-dhcp */
	const char *msg;		/* text after "dnsmasq...: " (points into the line) */
	char path[PATH_MAX];		/* TFTP: the file, "" if none */
	char file[PATH_MAX];		/* TFTP: path below the client's dir (or the root) */
	char mac[MAC_STRLEN];		/* TFTP: the client dir's MAC, "" when outside one */
	char ip[46];			/* TFTP: the client address, "" if not in the line */
};

/*
 * Parse one line (no trailing newline). tftp_root (no trailing slash) is
 * what the config names, so paths below it split into MAC dir and file.
 */
void dnsmasq_parse_line(const char *line, const char *tftp_root, struct dnsmasq_line *out);

#endif
