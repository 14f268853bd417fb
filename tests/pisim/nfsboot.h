/*
 * What the kernel and the node's first userspace do with the NFS root:
 * mount SERVER:EXPORT (v3/TCP with libnfs), find /sbin/init through its
 * symlinks, read /etc/hostname and, like bramble's heartbeat unit, write
 * /var/lib/bramble/heartbeat.
 */
#ifndef PISIM_NFSBOOT_H
#define PISIM_NFSBOOT_H

struct nfs_params {
	const char *server;		/* dotted quad */
	const char *export;
	const char *iface;		/* mount from this interface */
	const char *boot_id;		/* NULL: no heartbeat */
};

struct nfs_result {
	char *init;			/* /sbin/init resolved inside the export */
	char *hostname;			/* NULL when /etc/hostname is missing */
	char *image;			/* /etc/bramble/image, NULL when missing */
	int heartbeat;			/* the heartbeat file was written */
};

int nfsboot_run(const struct nfs_params *p, struct nfs_result *r);
void nfs_result_free(struct nfs_result *r);

#endif
