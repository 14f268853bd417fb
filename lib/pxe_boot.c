#include "pxe_boot.h"

#include "err.h"
#include "fsutil.h"
#include "pxe_image.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Debian 12's ipxe package ships the two x86 builds; no package has arm64's. */
const char *const ipxe_files[IPXE_NFW] = {
	[IPXE_BIOS] = "undionly.kpxe",
	[IPXE_EFI64] = "snponly.efi",
	[IPXE_ARM64] = "arm64-efi/snponly.efi",
};

/* The image's file rel as name in t; dnsmasq serves as an unprivileged user. */
static int link_image_file(const char *root, const char *rel, const char *id,
			   const char *name, struct tree *t)
{
	char *path = xasprintf("%s/%s", root, rel);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) < 0)
		rc = err_errno("image %s: cannot read /%s", id, rel);
	else if (!(st.st_mode & S_IROTH))
		rc = err_set("image %s: /%s is not world-readable, so dnsmasq cannot serve it: "
			     "make a version where it is (imgtool image exec ... chmod o+r)",
			     id, rel);
	else
		tree_link(t, name, path);
	free(path);
	return rc;
}

int pxe_boot_files(const char *image_root, const char *id, const char *ipxe_dir,
		   struct tree *t)
{
	struct pxe_kernel k;
	int rc = pxe_kernel_find(image_root, &k);

	if (rc == 1)
		return err_set("image %s has no kernel (/vmlinuz or /boot/vmlinuz-*) for a PXE "
			       "node: give the node another image (imgtool node set NAME image=...)",
			       id);
	if (rc < 0)
		return -1;
	if (!k.initrd)
		rc = err_set("image %s has no initrd for its kernel /%s: a PXE node needs one "
			     "to mount its NFS root", id, k.kernel);
	else if (link_image_file(image_root, k.kernel, id, PXE_KERNEL, t) < 0 ||
		 link_image_file(image_root, k.initrd, id, PXE_INITRD, t) < 0)
		rc = -1;
	pxe_kernel_free(&k);
	for (int i = 0; rc == 0 && i < IPXE_NFW; i++) {
		char *src = xasprintf("%s/%s", ipxe_dir, ipxe_files[i]);

		if (path_exists(src))
			tree_symlink(t, ipxe_files[i], src);
		free(src);
	}
	return rc;
}
