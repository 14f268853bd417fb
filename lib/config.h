/*
 * bramble.conf: the cluster's settings, INI parsed by inih.
 *
 * Every key lives in the table in config.c (section, key, default, check),
 * which is also what `bramble.conf(5)` documents. Unknown sections or keys
 * are errors with the line number: a typo must not silently fall back to a
 * default on a head node.
 */
#ifndef BRAMBLE_CONFIG_H
#define BRAMBLE_CONFIG_H

/* BRAMBLE_SYSCONFDIR and BRAMBLE_DATADIR come from the Makefile (SYSCONFDIR,
 * DATADIR: /etc/bramble, /usr/share/bramble when installed with PREFIX=/usr);
 * only config.c is compiled with them. */
#define CONFIG_DEFAULT_PATH BRAMBLE_SYSCONFDIR "/bramble.conf"

enum dhcp_mode { DHCP_PROXY, DHCP_FULL };
enum nfs_backend { NFS_GANESHA, NFS_KERNEL };
enum ipv6_ra { RA_AUTO, RA_ON, RA_OFF };

struct config {
	/* [cluster] */
	char *name;		/* cluster name, used in templates */
	char *interface;	/* cluster network interface */
	char *server_ip;	/* address nodes reach the head node on */
	int prefix_len;		/* cluster network prefix length */
	enum dhcp_mode dhcp_mode;
	char *dhcp_range;	/* "start,end" (full mode) */
	enum nfs_backend nfs_backend;
	char *ntp_server;	/* NTP servers for the nodes, "A,B" IPv4; "" when off */
	enum ipv6_ra ipv6_ra;	/* router advertisements with lifetime 0 */
	char *ssh_host_keys;	/* host key types made per node, "ed25519,ecdsa[,rsa]" */
	/* [login] (lib/login.h): "" when unset */
	char *login_user;	/* the user bramble-login.service makes on each node */
	char *login_password_hash;	/* its crypt(3) hash */
	char *login_authorized_keys;	/* file of its ssh public keys, on the head */
	/* [bootsrv] */
	char *http_listen;	/* status page and /metrics, "addr:port" or "off" */
	char *reboot_cmd;	/* rollout reboot hook */
	int tftp_max;		/* 0: sized from the node count */
	int node_exporter_port;	/* the nodes' node_exporter, for /sd/node_exporter */
	/* [paths] */
	char *overlay_dirs;	/* template search path, ':'-separated, later wins */
	char *dnsmasq;		/* dnsmasq binary */
	char *ganesha;		/* ganesha.nfsd binary */
	char *rpcbind;		/* rpcbind binary */
	char *exports_dir;	/* kernel backend: where the per-node exports files go */
	char *exportfs;		/* kernel backend: exportfs binary */
	char *ipxe_dir;		/* iPXE builds PXE nodes get (lib/pxe_boot.h) */
};

/*
 * Load path (NULL: $BRAMBLE_CONFIG, else the default path; a missing
 * default file means all defaults). An explicitly named file must exist.
 */
int config_load(struct config *cfg, const char *path);
void config_free(struct config *cfg);
/* "start,end" of dhcp_range split into two newly allocated strings. */
int config_dhcp_range(const struct config *cfg, char **start, char **end);

#endif
