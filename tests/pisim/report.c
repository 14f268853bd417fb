/*
 * The boot's outcome: a summary line on stderr and, with --json, one JSON
 * object on stdout (one line):
 *
 *   model "3b"|"3b+"|"4"|"5", mac, serial, board_rev (hex), ip, netmask,
 *   server (TFTP server; null before DHCP succeeded),
 *   dhcp {boot_server, address_server, proxy, menu, discovers},
 *   prefix (TFTP prefix in use, "" once cleared), prefix_cleared,
 *   phases {dhcp_ms, tftp_ms, nfs_ms, total_ms},
 *   files [{name (as requested, prefix included), bytes, ms, blksize,
 *           retries (packets resent), status "ok"|"probed"|"absent"|"failed",
 *           tsize (from the OACK, -1 without one)}],
 *   bytes_total (of "ok" files), tftp_bytes_per_s,
 *   nfsroot {server, export} or null, hostname, init (resolved /sbin/init),
 *   image (/etc/bramble/image), boot_id, heartbeat (written),
 *   failures [{phase "setup"|"dhcp"|"tftp"|"nfs"|"handoff", message}], ok.
 */
#include "pisim.h"

#include "log.h"
#include "mac.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>

static json_t *ip_json(uint32_t a)
{
	char buf[INET_ADDRSTRLEN];

	return a ? json_string(inet_ntop(AF_INET, &a, buf, sizeof buf)) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static long long bytes_total(const struct sim *s)
{
	long long n = 0;

	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].status == FILE_OK)
			n += (long long)s->files[i].len;
	return n;
}

static json_t *files_json(const struct sim *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->nfiles; i++) {
		const struct tftp_file *f = &s->files[i];

		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:i, s:i, s:s, s:I}",
						   "name", f->name, "bytes", (json_int_t)f->len,
						   "ms", (json_int_t)f->ms, "blksize", f->blksize,
						   "retries", f->retries,
						   "status", file_status_name(f->status),
						   "tsize", (json_int_t)f->tsize));
	}
	return a;
}

static json_t *failures_json(const struct sim *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->nfailures; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "phase", s->failures[i].phase,
						   "message", s->failures[i].message));
	return a;
}

void report_json(const struct sim *s)
{
	char mac[MAC_STRLEN], serial[9], rev[9];
	long long bytes = bytes_total(s);
	json_t *o;

	mac_format(s->o.mac, mac);
	snprintf(serial, sizeof serial, "%08x", s->o.serial);
	snprintf(rev, sizeof rev, "%08x", s->o.board_rev);
	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
		      "model", s->o.m->name, "mac", mac, "serial", serial, "board_rev", rev,
		      "ip", ip_json(s->lease.ip), "netmask", ip_json(s->lease.netmask),
		      "server", ip_json(s->lease.tftp_server));
	json_object_set_new(o, "dhcp", json_pack("{s:o, s:o, s:b, s:s, s:i}",
		"boot_server", ip_json(s->lease.boot_server),
		"address_server", ip_json(s->lease.addr_server), "proxy", s->lease.proxy,
		"menu", s->lease.menu, "discovers", s->lease.discovers));
	json_object_set_new(o, "prefix", json_string(s->prefix));
	json_object_set_new(o, "prefix_cleared", json_boolean(s->prefix_cleared));
	json_object_set_new(o, "phases", json_pack("{s:I, s:I, s:I, s:I}",
		"dhcp_ms", (json_int_t)s->dhcp_ms, "tftp_ms", (json_int_t)s->tftp_ms,
		"nfs_ms", (json_int_t)s->nfs_ms, "total_ms", (json_int_t)s->total_ms));
	json_object_set_new(o, "files", files_json(s));
	json_object_set_new(o, "bytes_total", json_integer(bytes));
	json_object_set_new(o, "tftp_bytes_per_s",
			    json_integer(s->tftp_ms > 0 ? bytes * 1000 / s->tftp_ms : 0));
	json_object_set_new(o, "nfsroot", s->nfs_export ? json_pack("{s:s, s:s}",
		"server", s->nfs_server, "export", s->nfs_export) : json_null());
	json_object_set_new(o, "hostname", str_or_null(s->nfs.hostname));
	json_object_set_new(o, "init", str_or_null(s->nfs.init));
	json_object_set_new(o, "image", str_or_null(s->nfs.image));
	json_object_set_new(o, "boot_id", json_string(s->o.boot_id));
	json_object_set_new(o, "heartbeat", json_boolean(s->nfs.heartbeat));
	json_object_set_new(o, "failures", failures_json(s));
	json_object_set_new(o, "ok", json_boolean(s->nfailures == 0));
	json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(o);
}

void report_summary(const struct sim *s)
{
	long long bytes = bytes_total(s);

	if (s->nfailures) {
		log_err("boot failed in phase %s after %lld ms", s->failures[0].phase, s->total_ms);
		return;
	}
	log_info("booted in %lld ms: DHCP %lld ms, TFTP %lld ms (%lld bytes, %lld KB/s), NFS %lld ms",
		 s->total_ms, s->dhcp_ms, s->tftp_ms, bytes, s->tftp_ms > 0 ? bytes / s->tftp_ms : 0,
		 s->nfs_ms);
}
