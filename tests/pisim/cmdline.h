/*
 * cmdline.txt as the kernel reads it for an NFS root: root=/dev/nfs,
 * nfsroot=[SERVER:]PATH[,OPTIONS] and ip= (Documentation/admin-guide/
 * nfs/nfsroot.rst).
 */
#ifndef PISIM_CMDLINE_H
#define PISIM_CMDLINE_H

#include <stdint.h>

enum ipconf { IPCONF_ABSENT, IPCONF_DHCP, IPCONF_STATIC, IPCONF_OFF };

struct bootargs {
	char *root;		/* root=, NULL when absent */
	char *nfsroot;		/* nfsroot= as written, NULL when absent */
	char *nfs_server;	/* NULL: from ip= or the boot server */
	char *nfs_path;		/* may hold %s (client address) */
	char *nfs_opts;		/* "" when none */
	enum ipconf ip;
	uint32_t ip_client, ip_server, ip_mask;	/* network order, 0 when empty */
};

/* Parse the first line of cmdline.txt. */
void bootargs_parse(const char *cmdline, struct bootargs *b);
/*
 * Would the kernel mount this NFS root from Ganesha? -1 with err naming
 * the missing piece (root=/dev/nfs, nfsroot=, vers=3, tcp, ip=).
 * initramfs: an initramfs is loaded (initramfs-tools does DHCP without ip=).
 */
int bootargs_check(const struct bootargs *b, int initramfs);
/* The export path with %s replaced by the client address, newly allocated. */
char *bootargs_nfs_path(const struct bootargs *b, const char *client_ip);
void bootargs_free(struct bootargs *b);

#endif
