/*
 * Following nodes through a boot: offline -> dhcp -> tftp -> nfs -> up.
 *
 *   dhcp  the bootloader's DHCP (PXE vendor class) from a known MAC
 *   tftp  dnsmasq sent a file from the node's TFTP dir
 *   nfs   the kernel went out: the node is mounting its root
 *   up    the heartbeat file in the node's upper dir names a new boot id
 *
 * The NFS mount itself is invisible to us (Ganesha does not tell), so
 * "nfs" is inferred from the kernel transfer. Each step is a timeline
 * event and a boot_state row; "up" also records the boot's duration.
 */
#include "bootsrv.h"

#include "dhcp_packet.h"
#include "db.h"
#include "dnsmasq_log.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "node_build.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEARTBEAT "state/upper/var/lib/bramble/heartbeat"
/* A new DHCP this long after the last sign of a boot starts a new boot. */
#define REBOOT_GAP_MS 30000
/* A boot making no progress for this long is reported stalled. */
#define STALL_MS 300000
/* The heartbeat unit writes every 5 s; this long without one: offline. */
#define HEARTBEAT_LOST_MS 60000

struct bnode *node_by_mac(struct daemon *d, const char *mac)
{
	for (size_t i = 0; i < d->nnodes; i++)
		if (d->nodes[i].n.mac && !strcmp(d->nodes[i].n.mac, mac))
			return &d->nodes[i];
	return NULL;
}

struct bnode *node_by_ip(struct daemon *d, const char *ip)
{
	for (size_t i = 0; i < d->nnodes; i++)
		if (*ip && !strcmp(d->nodes[i].ip, ip))
			return &d->nodes[i];
	return NULL;
}

static void bnode_free(struct bnode *b)
{
	node_free(&b->n);
	free(b->published);
	free(b->hb_path);
}

void nodes_free_all(struct daemon *d)
{
	for (size_t i = 0; i < d->nnodes; i++)
		bnode_free(&d->nodes[i]);
	free(d->nodes);
	d->nodes = NULL;
	d->nnodes = 0;
}

static struct bnode *find_name(struct bnode *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].n.name && !strcmp(v[i].n.name, name))	/* NULL: moved */
			return &v[i];
	return NULL;
}

/*
 * Re-read the inventory. Nodes that stay keep what the daemon knows of
 * them (published root, boot state); removed nodes are unpublished here,
 * while their old record still names their root.
 */
int nodes_load(struct daemon *d)
{
	struct node *list;
	struct bnode *v;
	size_t n;

	if (inventory_list(d->db, &list, &n) < 0)
		return -1;
	v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		struct bnode *old = find_name(d->nodes, d->nnodes, list[i].name);

		if (old) {
			v[i] = *old;		/* its published root and boot state */
			node_free(&v[i].n);	/* the record is replaced below */
			memset(old, 0, sizeof *old);	/* moved: not "removed" below */
		} else
			v[i].hb_path = state_path(d->st, "nodes/%s/" HEARTBEAT, list[i].name);
		v[i].n = list[i];
		if (!old && bootdb_load(d->db, &v[i]) < 0)
			log_warn("%s", err_get());
	}
	free(list);
	for (size_t i = 0; i < d->nnodes; i++) {
		struct bnode *old = &d->nodes[i];

		if (old->n.name && old->published)
			nfs_unpublish_node(d, old);
		bnode_free(old);
	}
	free(d->nodes);
	d->nodes = v;
	d->nnodes = n;
	return bootdb_prune(d->db);
}

static void set_phase(struct daemon *d, struct bnode *b, enum boot_phase p)
{
	if (b->phase == p)
		return;
	log_info("%s: %s -> %s", b->n.name, phase_name(b->phase), phase_name(p));
	b->phase = p;
	b->since = now_ms();
	(void)d;
}

/*
 * Boot-state writes are batched in one transaction committed on the tick
 * (watch_flush): in a boot storm every TFTP line is an event, and a
 * commit per line would slow the reading of dnsmasq's log, which in turn
 * blocks dnsmasq on its pipe.
 */
static void batch(struct daemon *d)
{
	if (d->in_txn)
		return;
	if (db_begin(d->db) < 0)
		log_warn("%s", err_get());
	else
		d->in_txn = 1;
}

void watch_flush(struct daemon *d)
{
	if (!d->in_txn)
		return;
	d->in_txn = 0;
	if (db_commit(d->db) < 0) {
		log_warn("%s", err_get());
		db_rollback(d->db);
	}
}

static void save(struct daemon *d, struct bnode *b)
{
	batch(d);
	if (bootdb_save(d->db, b) < 0)
		log_warn("%s", err_get());
}

static void event(struct daemon *d, struct bnode *b, const char *mac, const char *kind,
		  const char *detail)
{
	batch(d);
	if (bootdb_event(d->db, b ? b->n.name : NULL, mac, kind, "%s", detail) < 0)
		log_warn("%s", err_get());
}

static void start_boot(struct daemon *d, struct bnode *b, const char *how)
{
	long long now = now_ms();

	b->boot_started = now;
	d->boots++;
	set_phase(d, b, PH_DHCP);
	event(d, b, b->n.mac, "dhcp", how);
}

/*
 * Is the bootloader's DHCP part of the boot in progress? Only while still
 * in DHCP (repeated DISCOVERs), or on a Pi 3, whose bootcode.bin asks
 * again after its TFTP fetch (pi-netboot.md §1.3), or on a PXE machine,
 * whose firmware loads iPXE, which asks again (lib/pxe_boot.h). Anything
 * later is a new boot: a Pi never DHCPs from the firmware once it loaded
 * files.
 */
static int dhcp_in_boot(const struct bnode *b)
{
	int recent = now_ms() - b->last_seen < REBOOT_GAP_MS;
	int asks_twice = b->n.model && (!strcmp(b->n.model, "3") || !strcmp(b->n.model, "pxe"));

	return recent && (b->phase == PH_DHCP || (b->phase == PH_TFTP && asks_twice));
}

/* A transfer with no DHCP seen (missed, or we started mid-boot): which boot? */
static int tftp_in_boot(const struct bnode *b)
{
	return (b->phase == PH_DHCP || b->phase == PH_TFTP || b->phase == PH_NFS) &&
	       now_ms() - b->last_seen < REBOOT_GAP_MS;
}

static void watch_unknown(struct daemon *d, const struct dhcp_info *p)
{
	if (!dhcp_is_pi_boot(p))
		return;
	batch(d);
	if (bootdb_discovered(d->db, p) < 0) {
		log_warn("%s", err_get());
		return;
	}
	log_info("unknown Pi %s (model %d, serial %s) asks to boot: see 'bootsrv discover'",
		 p->mac, p->pi_model, *p->pi_serial ? p->pi_serial : "?");
}

void watch_dhcp(struct daemon *d, const struct dhcp_info *p)
{
	struct bnode *b = node_by_mac(d, p->mac);
	int bootloader;

	if (!b) {
		if (p->op == 1 && (p->msg_type == DHCP_DISCOVER || p->msg_type == 0))
			watch_unknown(d, p);
		return;
	}
	b->last_seen = now_ms();
	if (*p->ip && strcmp(b->ip, p->ip))
		snprintf(b->ip, sizeof b->ip, "%s", p->ip);
	/* only the bootloader's DHCP starts a boot; the OS's dhcpcd does not */
	bootloader = p->op == 1 && !strncmp(p->vendor, "PXEClient", 9);
	if (bootloader)
		b->pxe_dhcp_at = b->last_seen;	/* a rollout's switch waits for it */
	if (bootloader && !dhcp_in_boot(b)) {
		char how[160];

		snprintf(how, sizeof how, "%s from %s%s%s", p->msg_type == DHCP_REQUEST ?
			 "DHCPREQUEST" : "DHCPDISCOVER", p->mac, p->pi_model ? ", model " : "",
			 p->pi_model == 5 ? "5" : p->pi_model == 4 ? "4" : p->pi_model ? "3" : "");
		start_boot(d, b, how);
	}
	save(d, b);
}

static int is_kernel(const char *file)
{
	return !strncmp(file, "kernel", 6) || !strncmp(file, "vmlinuz", 7);
}

void watch_tftp(struct daemon *d, const struct dnsmasq_line *l)
{
	struct bnode *b = *l->mac ? node_by_mac(d, l->mac) : node_by_ip(d, l->ip);

	if (!b) {
		if (l->kind == DL_TFTP_SENT)	/* cannot happen with an empty root */
			log_warn("TFTP sent %s to unknown client %s", l->path, l->ip);
		return;
	}
	b->last_seen = now_ms();
	if (*l->ip)
		snprintf(b->ip, sizeof b->ip, "%s", l->ip);
	if (l->kind == DL_TFTP_SENT) {
		/* dnsmasq's log lags behind the heartbeat file in a storm: a late
		 * line of the boot that just went up is not a new boot */
		if (b->phase == PH_UP && now_ms() - b->since < REBOOT_GAP_MS) {
			event(d, b, b->n.mac, "tftp", l->file);
			save(d, b);
			return;
		}
		if (!tftp_in_boot(b))
			start_boot(d, b, "TFTP without DHCP seen");
		if (b->phase == PH_DHCP)
			set_phase(d, b, PH_TFTP);
		event(d, b, b->n.mac, "tftp", l->file);
		if (is_kernel(l->file) && b->phase == PH_TFTP) {
			set_phase(d, b, PH_NFS);
			event(d, b, b->n.mac, "nfs", "kernel loaded, mounting its root");
		}
	} else if (l->kind == DL_TFTP_NOT_FOUND && *l->mac && !strcmp(l->file, "start4.elf"))
		event(d, b, b->n.mac, "tftp-missing", l->file);
	save(d, b);
}

/* "key=value" lines; the identity layer's heartbeat unit writes them. */
static void heartbeat_field(char *text, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			snprintf(out, len, "%s", line + kl + 1);
			return;
		}
}

static void read_heartbeat(struct daemon *d, struct bnode *b, long long mtime)
{
	char *text, *copy, boot_id[64] = "", image[64] = "", ver[16] = "", detail[256];
	long long now = now_ms();

	if (read_file(b->hb_path, &text, NULL) < 0)
		return;
	copy = xstrdup(text);
	heartbeat_field(copy, "boot_id", boot_id, sizeof boot_id);
	strcpy(copy, text);
	heartbeat_field(copy, "image", image, sizeof image);
	strcpy(copy, text);
	heartbeat_field(copy, "version", ver, sizeof ver);
	free(copy);
	free(text);
	b->hb_mtime = mtime;
	b->last_seen = now;
	if (*boot_id && strcmp(boot_id, b->boot_id)) {
		snprintf(b->boot_id, sizeof b->boot_id, "%s", boot_id);
		snprintf(b->image, sizeof b->image, "%s%s%s", image, *ver ? "@" : "", ver);
		if (b->boot_started && b->phase != PH_UP && b->phase != PH_OFFLINE) {
			b->last_boot_ms = now - b->boot_started;
			metrics_boot_done(d, b->last_boot_ms);
		}
		set_phase(d, b, PH_UP);
		b->boot_started = 0;
		snprintf(detail, sizeof detail, "boot %s, %s%s%.1f s", boot_id, b->image,
			 *b->image ? ", " : "", b->last_boot_ms / 1000.0);
		event(d, b, b->n.mac, "up", detail);
		/* what it booted is what was built: `imgtool node diff` compares to it */
		if (node_mark_booted(d->st, b->n.name) < 0)
			log_warn("%s", err_get());
	} else if (*boot_id && b->phase == PH_OFFLINE) {
		set_phase(d, b, PH_UP);
		event(d, b, b->n.mac, "up", "heartbeat resumed");
	}
	save(d, b);
}

void watch_tick(struct daemon *d)
{
	long long now = now_ms();

	for (size_t i = 0; i < d->nnodes; i++) {
		struct bnode *b = &d->nodes[i];
		struct stat s;
		long long mtime;

		if (stat(b->hb_path, &s) == 0) {
			mtime = (long long)s.st_mtim.tv_sec * 1000000000LL + s.st_mtim.tv_nsec;
			if (mtime != b->hb_mtime)
				read_heartbeat(d, b, mtime);
			if (b->phase == PH_UP && now - mtime / 1000000 > HEARTBEAT_LOST_MS) {
				log_warn("%s: no heartbeat for %lld s: offline", b->n.name,
					 (now - mtime / 1000000) / 1000);
				event(d, b, b->n.mac, "offline", "heartbeat stopped");
				set_phase(d, b, PH_OFFLINE);
				save(d, b);
			}
		}
		if ((b->phase == PH_DHCP || b->phase == PH_TFTP || b->phase == PH_NFS) &&
		    now - b->since > STALL_MS && now - b->last_seen > STALL_MS) {
			log_warn("%s: boot stalled in %s for %lld s; it is offline",
				 b->n.name, phase_name(b->phase), (now - b->since) / 1000);
			event(d, b, b->n.mac, "stalled", phase_name(b->phase));
			d->boots_failed++;
			set_phase(d, b, PH_OFFLINE);
			b->boot_started = 0;
			save(d, b);
		}
	}
	/* what the log lines since the last tick and the heartbeats just read
	 * changed, readable by status and the tests from now on */
	watch_flush(d);
}
