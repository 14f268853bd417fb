/*
 * The part of config.txt the firmware's file requests depend on: kernel=,
 * initramfs, auto_initramfs, arm_64bit, device_tree=, cmdline=,
 * dtoverlay=, under [pi3]/[pi3+]/[pi4]/[pi5]/[all]/[0xSERIAL] filters.
 */
#ifndef PISIM_CONFIGTXT_H
#define PISIM_CONFIGTXT_H

#include "model.h"

#include <stddef.h>
#include <stdint.h>

/* Netboot drops settings past 4 KB [firmware#1575, #1012] (§1.8, §3). */
#define CONFIGTXT_NETBOOT_MAX 4096

struct configtxt {
	char *kernel;		/* kernel=, NULL: the model's default */
	char *initramfs;	/* "initramfs FILE": must exist */
	int auto_initramfs;	/* -1 when not set */
	int arm_64bit;		/* -1 when not set */
	char *device_tree;	/* device_tree= */
	char *cmdline;		/* cmdline= */
	char **overlays;	/* dtoverlay= names, first mention order, no duplicates */
	size_t n_overlays;
	int includes;		/* include lines (not followed) */
	int truncated;		/* longer than CONFIGTXT_NETBOOT_MAX */
};

/* Parse text for model m with the given serial and board revision. */
void configtxt_parse(const char *text, size_t len, const struct model *m, uint32_t serial,
		     uint32_t board_rev, struct configtxt *c);
void configtxt_free(struct configtxt *c);

const char *configtxt_kernel(const struct configtxt *c, const struct model *m);
const char *configtxt_dtb(const struct configtxt *c, const struct model *m);
const char *configtxt_cmdline(const struct configtxt *c);
/*
 * The initramfs to load for kernel, newly allocated, or NULL: the
 * "initramfs" line (*required = 1) or auto_initramfs=1 (kernel8.img ->
 * initramfs8, kernel_2712.img -> initramfs_2712; *required = 0).
 */
char *configtxt_initramfs(const struct configtxt *c, const char *kernel, int *required);

#endif
