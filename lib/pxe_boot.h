/*
 * The boot files of a plain PXE machine (node model pxe: x86_64 BIOS or
 * UEFI, arm64 UEFI), in its TFTP dir tftp/<mac-dashed>/ (DESIGN.md):
 *
 *   undionly.kpxe           iPXE for BIOS PXE firmware     } symlinks into
 *   snponly.efi             iPXE for x86_64 UEFI           } [paths] ipxe_dir,
 *   arm64-efi/snponly.efi   iPXE for arm64 UEFI            } those that exist
 *   boot.ipxe               the node's iPXE script, rendered from the
 *                           overlays' pxe/ templates (boot.ipxe.tmpl)
 *   vmlinuz, initrd.img     hardlinks to the kernel and initrd of the node's
 *                           image version (lib/pxe_image.h finds them)
 *
 * The firmware's PXE fetches the iPXE build for its architecture (DHCP
 * option 93), iPXE fetches boot.ipxe (lib/dnsmasq_conf.c hands out both
 * names), and the script loads the kernel and initrd relative to itself,
 * from the same dir. dnsmasq's tftp-unique-root=mac serves only this dir
 * to the node, hence the per-node links to the shared iPXE builds.
 */
#ifndef BRAMBLE_PXE_BOOT_H
#define BRAMBLE_PXE_BOOT_H

#include "node_tree.h"

#define PXE_SCRIPT "boot.ipxe"
#define PXE_KERNEL "vmlinuz"
#define PXE_INITRD "initrd.img"

/* iPXE builds by firmware, named as below ipxe_dir and in the TFTP dir. */
enum ipxe_fw { IPXE_BIOS, IPXE_EFI64, IPXE_ARM64, IPXE_NFW };
extern const char *const ipxe_files[IPXE_NFW];

/*
 * Add the iPXE links and the kernel and initrd of the image version whose
 * root is image_root (id names it in messages, "NAME@VER") to t. The
 * caller renders boot.ipxe into t. Fails when the image has no kernel or
 * when dnsmasq's unprivileged user could not read it.
 */
int pxe_boot_files(const char *image_root, const char *id, const char *ipxe_dir,
		   struct tree *t);

#endif
