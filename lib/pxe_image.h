/*
 * What a plain PXE machine (node model pxe) boots from an image: the
 * kernel and initrd in its root, as an installed Debian-like system keeps
 * them, and whether that pair can mount an NFS root.
 *
 * Found in this order, symlinks resolved inside the root:
 *   /vmlinuz, /initrd.img              Debian's links to the newest kernel
 *   /boot/vmlinuz, /boot/initrd.img    the same with link_in_boot
 *   /boot/vmlinuz-<kver>               the highest version, with
 *                                      /boot/initrd.img-<kver> (Debian) or
 *                                      /boot/initramfs-<kver>.img (dracut)
 * imgtool image import reports them; the node build links them into the
 * node's TFTP dir. The same function serves both, so they always agree.
 */
#ifndef BRAMBLE_PXE_IMAGE_H
#define BRAMBLE_PXE_IMAGE_H

struct pxe_kernel {
	char *kernel;	/* path below the root, e.g. "boot/vmlinuz-6.1.0-56-amd64" */
	char *initrd;	/* the same, NULL when the image has none */
	char *kver;	/* "6.1.0-56-amd64", NULL when the name tells none */
};

/* 0 found, 1 the root has no kernel, -1 error. */
int pxe_kernel_find(const char *root, struct pxe_kernel *k);
void pxe_kernel_free(struct pxe_kernel *k);

/*
 * Can this kernel + initrd mount an NFS root? The kernel's NFS client must
 * be built in (boot/config-<kver>) or a module in the initrd (nfs, and
 * nfsv3 where that is a module), and the initrd must hold a mount helper
 * (klibc's nfsmount or mount.nfs). No initrd is a no: the node's iPXE
 * script loads one (lib/pxe_boot.h). 1 yes, 0 no with *why (allocated)
 * saying what is missing, -1 error (an unreadable initrd).
 */
int pxe_nfsroot_check(const char *root, const struct pxe_kernel *k, char **why);

#endif
