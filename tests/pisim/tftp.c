#include "tftp.h"

#include "clock.h"
#include "err.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define OP_RRQ   1
#define OP_DATA  3
#define OP_ACK   4
#define OP_ERROR 5
#define OP_OACK  6

#define RETRANSMIT_MS 2000	/* §1.4: the Pi repeated its RRQ every 2 s [rpi-eeprom#74] */
#define MAX_FILE (1LL << 30)

/* One transfer in progress. */
struct xfer {
	int fd;
	struct sockaddr_in server;	/* port 69 until the server's TID is known */
	int have_tid;
	uint8_t last[600];		/* RRQ or ACK to resend */
	size_t last_len;
	uint16_t expect;		/* next DATA block */
	int got_data;
	size_t cap;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

const char *file_status_name(enum file_status s)
{
	static const char *const names[] = { "ok", "probed", "absent", "failed" };

	return names[s];
}

static int send_last(struct xfer *x)
{
	if (sendto(x->fd, x->last, x->last_len, 0, (struct sockaddr *)&x->server, sizeof x->server) < 0)
		return err_errno("cannot send to the TFTP server");
	return 0;
}

static int send_ack(struct xfer *x, uint16_t block)
{
	put16(x->last, OP_ACK);
	put16(x->last + 2, block);
	x->last_len = 4;
	return send_last(x);
}

/* ERROR to the server's TID: code 0 "Early terminate", as dnsmasq logs it for a Pi [firmware#1605]. */
static void send_error(int fd, const struct sockaddr_in *to, uint16_t code, const char *msg)
{
	uint8_t pkt[64];
	size_t n = strlen(msg) + 1;

	put16(pkt, OP_ERROR);
	put16(pkt + 2, code);
	memcpy(pkt + 4, msg, n);
	sendto(fd, pkt, 4 + n, 0, (const struct sockaddr *)to, sizeof *to);
}

/* RRQ "name" octet [tsize 0 [blksize N]] as the model's loader words it (§1.3, §1.4). */
static size_t build_rrq(uint8_t *p, size_t cap, const char *name, enum tftp_ask ask, int blksize)
{
	const char *parts[6];
	char bs[16];
	size_t np = 0, n = 2;

	parts[np++] = name;
	parts[np++] = "octet";
	if (ask != TFTP_BARE) {
		parts[np++] = "tsize";
		parts[np++] = "0";
	}
	if (ask == TFTP_TSIZE_BLKSIZE) {
		snprintf(bs, sizeof bs, "%d", blksize);
		parts[np++] = "blksize";
		parts[np++] = bs;
	}
	put16(p, OP_RRQ);
	for (size_t i = 0; i < np; i++) {
		size_t l = strlen(parts[i]) + 1;

		if (n + l > cap)
			return 0;
		memcpy(p + n, parts[i], l);
		n += l;
	}
	return n;
}

/* RFC 2347 OACK: "name\0value\0" pairs. */
static int parse_oack(const uint8_t *p, size_t n, int asked_blksize, struct tftp_file *f)
{
	size_t i = 2;

	while (i < n) {
		const char *k = (const char *)p + i, *v;
		size_t kl = strnlen(k, n - i);

		if (i + kl + 1 >= n)
			return err_set("%s: malformed OACK", f->name);
		v = k + kl + 1;
		if (!memchr(v, 0, n - (i + kl + 1)))
			return err_set("%s: malformed OACK", f->name);
		if (!strcasecmp(k, "tsize")) {
			f->tsize = strtoll(v, NULL, 10);
		} else if (!strcasecmp(k, "blksize")) {
			int b = atoi(v);

			if (b < 8 || b > asked_blksize)
				return err_set("%s: server answered blksize %d to our %d (RFC 2348)",
					       f->name, b, asked_blksize);
			f->blksize = b;
		}
		i += kl + 1 + strlen(v) + 1;
	}
	f->oack = 1;
	return 0;
}

static int append(struct xfer *x, struct tftp_file *f, const uint8_t *d, size_t n)
{
	if ((long long)(f->len + n) > MAX_FILE)
		return err_set("%s: larger than %lld bytes", f->name, MAX_FILE);
	if (f->len + n > x->cap) {
		x->cap = x->cap ? x->cap * 2 : 65536;
		if (x->cap < f->len + n)
			x->cap = f->len + n;
		f->data = xrealloc(f->data, x->cap);
	}
	memcpy(f->data + f->len, d, n);
	f->len += n;
	return 0;
}

/*
 * Handle one packet from the server: 1 when the transfer is over, 0 to
 * go on, -1 on failure.
 */
static int on_packet(struct xfer *x, struct tftp_file *f, const uint8_t *p, size_t n, int probe,
		     int asked_blksize)
{
	uint16_t op = get16(p);

	if (op == OP_ERROR) {
		uint16_t code = n >= 4 ? get16(p + 2) : 0;
		char msg[128];

		snprintf(msg, sizeof msg, "%.*s", (int)(n > 4 ? strnlen((const char *)p + 4, n - 4) : 0),
			 (const char *)p + 4);
		if (code == 1) {
			f->status = FILE_ABSENT;
			return 1;
		}
		return err_set("%s: TFTP server error %u: %s", f->name, code, msg);
	}
	if (op == OP_OACK && !x->got_data) {
		if (parse_oack(p, n, asked_blksize, f))
			return -1;
		if (probe) {
			send_error(x->fd, &x->server, 0, "Early terminate");
			f->status = FILE_PROBED;
			return 1;
		}
		if (f->tsize > MAX_FILE)
			return err_set("%s: tsize %lld is too large", f->name, f->tsize);
		if (f->tsize > 0)
			x->cap = (size_t)f->tsize + 1, f->data = xrealloc(f->data, x->cap);
		return send_ack(x, 0) ? -1 : 0;
	}
	if (op != OP_DATA || n < 4)
		return 0;
	if (get16(p + 2) != x->expect) {
		/* a duplicate of the block we acknowledged: ACK it again (EEPROM fix 2021-02-16 [RN2711]) */
		if (x->got_data && get16(p + 2) == (uint16_t)(x->expect - 1)) {
			f->retries++;
			return send_last(x) ? -1 : 0;
		}
		return 0;
	}
	if (probe) {	/* the server ignored our options: the first block proves existence */
		send_error(x->fd, &x->server, 0, "Early terminate");
		f->status = FILE_PROBED;
		return 1;
	}
	if (n - 4 > (size_t)f->blksize)
		return err_set("%s: block %u has %zu bytes, more than blksize %d", f->name,
			       x->expect, n - 4, f->blksize);
	if (append(x, f, p + 4, n - 4) || send_ack(x, x->expect))
		return -1;
	x->got_data = 1;
	/* block numbers wrap to 0 after 65535 (EEPROM fix 2025-09-23 [rpi-eeprom#720]) */
	x->expect++;
	if (n - 4 < (size_t)f->blksize) {
		f->status = FILE_OK;
		return 1;
	}
	return 0;
}

/* Can this packet answer an RRQ? Only then does its port become the server's TID. */
static int first_answer(const uint8_t *p, size_t n)
{
	uint16_t op = get16(p);

	return op == OP_OACK || op == OP_ERROR || (op == OP_DATA && n >= 4 && get16(p + 2) == 1);
}

static int run(struct xfer *x, const struct tftp_cfg *c, struct tftp_file *f, int probe, int asked)
{
	long long start = mono_ms(), deadline = start + c->file_timeout_ms, resend = start + RETRANSMIT_MS;
	uint8_t pkt[65536];

	for (;;) {
		struct pollfd pfd = { .fd = x->fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		long long now = mono_ms(), until = resend < deadline ? resend : deadline;
		ssize_t n;
		int rc;

		if (now >= deadline)
			return err_set("%s: no answer from the TFTP server for %d s (timeout, %zu bytes "
				       "received)", f->name, c->file_timeout_ms / 1000, f->len);
		if (now >= resend) {
			f->retries++;
			if (send_last(x))
				return -1;
			resend = now + RETRANSMIT_MS;
			continue;
		}
		rc = poll(&pfd, 1, (int)(until - now));
		if (rc < 0 && errno != EINTR)
			return err_errno("poll");
		if (rc <= 0)
			continue;
		n = recvfrom(x->fd, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &fl);
		if (n < 4 || from.sin_addr.s_addr != x->server.sin_addr.s_addr)
			continue;
		if (!x->have_tid) {
			if (!first_answer(pkt, (size_t)n))
				continue;	/* e.g. a late block of the last transfer to this port */
			x->server.sin_port = from.sin_port;	/* RFC 1350: the server's new TID */
			x->have_tid = 1;
		} else if (from.sin_port != x->server.sin_port) {
			send_error(x->fd, &from, 5, "Unknown transfer ID");
			continue;
		}
		rc = on_packet(x, f, pkt, (size_t)n, probe, asked);
		if (rc)
			return rc < 0 ? -1 : 0;
		resend = mono_ms() + RETRANSMIT_MS;
	}
}

int tftp_fetch(const struct tftp_cfg *c, const char *name, enum tftp_ask ask, int probe,
	       struct tftp_file *f)
{
	struct xfer x = { .expect = 1 };
	int asked = ask == TFTP_TSIZE_BLKSIZE ? c->blksize : 512;
	long long start = mono_ms();
	int rc = -1;

	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	f->tsize = -1;
	f->blksize = 512;
	f->status = FILE_FAILED;
	x.server.sin_family = AF_INET;
	x.server.sin_addr.s_addr = c->server;
	x.server.sin_port = htons(69);
	x.last_len = build_rrq(x.last, sizeof x.last, name, ask, asked);
	if (!x.last_len)
		return err_set("TFTP file name too long: %s", name);
	x.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (x.fd < 0)
		return err_errno("cannot open a UDP socket");
	if (send_last(&x) == 0 && run(&x, c, f, probe, asked) == 0)
		rc = 0;
	close(x.fd);
	f->ms = mono_ms() - start;
	if (rc == 0 && f->status == FILE_OK && f->tsize >= 0 && (long long)f->len != f->tsize) {
		f->status = FILE_FAILED;
		rc = err_set("%s: received %zu bytes but the OACK said tsize %lld", name, f->len, f->tsize);
	}
	if (rc < 0)
		f->status = FILE_FAILED;
	return rc;
}

void tftp_file_free(struct tftp_file *f)
{
	free(f->name);
	free(f->data);
	f->name = NULL;
	f->data = NULL;
}
