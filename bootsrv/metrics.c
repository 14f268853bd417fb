/*
 * /metrics: the daemon's counters in the Prometheus text format (0.0.4).
 * Node states are counted from the daemon's nodes; the rest are counters
 * kept where the events happen (watch.c, sniff.c, the children), since
 * bootsrv started.
 */
#include "bootsrv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Seconds; Pis boot in 5-120 s (bootloader, kernel over TFTP, NFS root, systemd). */
static const double bounds[BOOT_BUCKETS] = { 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300 };

void metrics_boot_done(struct daemon *d, long long ms)
{
	struct boot_hist *h = &d->boot_hist;
	double s = ms / 1000.0;

	for (int i = 0; i < BOOT_BUCKETS; i++)
		if (s <= bounds[i])
			h->le[i]++;
	h->count++;
	h->sum += s;
}

void metrics_tftp_sent(struct daemon *d, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		d->tftp_bytes += st.st_size;
}

static void head(FILE *o, const char *name, const char *type, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void node_states(FILE *o, const struct daemon *d)
{
	head(o, "bramble_nodes", "gauge", "Nodes in each boot state.");
	for (int p = PH_OFFLINE; p <= PH_UP; p++) {
		size_t n = 0;

		for (size_t i = 0; i < d->nnodes; i++)
			n += d->nodes[i].phase == (enum boot_phase)p;
		fprintf(o, "bramble_nodes{state=\"%s\"} %zu\n", phase_name(p), n);
	}
}

static void boot_histogram(FILE *o, const struct boot_hist *h)
{
	head(o, "bramble_boot_duration_seconds", "histogram",
	     "Time from the bootloader's DHCP request to the node's first heartbeat.");
	for (int i = 0; i < BOOT_BUCKETS; i++)
		fprintf(o, "bramble_boot_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[i], h->le[i]);
	fprintf(o, "bramble_boot_duration_seconds_bucket{le=\"+Inf\"} %llu\n", h->count);
	fprintf(o, "bramble_boot_duration_seconds_sum %.3f\n", h->sum);
	fprintf(o, "bramble_boot_duration_seconds_count %llu\n", h->count);
}

static void counter(FILE *o, const char *name, const char *help, long long v)
{
	head(o, name, "counter", help);
	fprintf(o, "%s %lld\n", name, v);
}

/* One gauge per share and fact, labelled with the share's name. */
static void share_gauges(FILE *o, json_t *shares)
{
	static const struct { const char *name, *key, *help; } g[] = {
		{ "bramble_share_used_bytes", "bytes_used", "Bytes the files of a share take." },
		{ "bramble_share_free_bytes", "bytes_free", "Free bytes on a share's filesystem." },
		{ "bramble_share_members", "members", "Nodes that mount a share." },
	};
	json_t *s;
	size_t i;

	for (size_t k = 0; k < sizeof g / sizeof g[0]; k++) {
		head(o, g[k].name, "gauge", g[k].help);
		json_array_foreach(shares, i, s) {
			json_t *v = json_object_get(s, g[k].key);
			long long n = json_is_array(v) ? (long long)json_array_size(v)
						       : (long long)json_integer_value(v);

			fprintf(o, "%s{share=\"%s\"} %lld\n", g[k].name,
				json_string_value(json_object_get(s, "name")), n);
		}
	}
}

char *metrics_render(struct daemon *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	json_t *disc;

	if (!o)
		abort();	/* out of memory, as xmalloc */

	watch_flush(d);		/* discovered Pis are written in the batch */
	disc = bootdb_discovered_json(d->db);
	node_states(o, d);
	head(o, "bramble_discovered_pis", "gauge",
	     "Pis asking to boot that belong to no node (bootsrv discover).");
	fprintf(o, "bramble_discovered_pis %zu\n", json_array_size(disc));
	json_decref(disc);
	counter(o, "bramble_boots_total", "Boots started (the bootloader's first DHCP request).",
		d->boots);
	counter(o, "bramble_boots_failed_total", "Boots that stalled before the heartbeat.",
		d->boots_failed);
	boot_histogram(o, &d->boot_hist);
	counter(o, "bramble_tftp_bytes_total", "Bytes of the files dnsmasq sent over TFTP.",
		d->tftp_bytes);
	counter(o, "bramble_dhcp_requests_total",
		"DHCP requests seen on the cluster interface.", d->dhcp_requests);
	head(o, "bramble_child_restarts_total", "counter",
	     "Restarts of a supervised child after it died.");
	fprintf(o, "bramble_child_restarts_total{child=\"dnsmasq\"} %u\n", d->dnsmasq.restarts);
	fprintf(o, "bramble_child_restarts_total{child=\"ganesha\"} %u\n", d->ganesha_restarts);
	fprintf(o, "bramble_child_restarts_total{child=\"rpcbind\"} %u\n", d->rpcbind_restarts);
	share_gauges(o, shares_status(d));
	fclose(o);
	return text;
}
