/*
 * What differs between the Pi generations pisim emulates: option 97 layout,
 * DHCP parameter lists, device tree, kernel names, config.txt filter names.
 * The facts and their sources are in shared/reference/pi-netboot.md §1.
 */
#ifndef PISIM_MODEL_H
#define PISIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum pi_model { PI_3B, PI_3BPLUS, PI_4, PI_5 };

struct model {
	enum pi_model id;
	const char *name;		/* as given to --model and shown in JSON */
	uint32_t fourcc;		/* option 97 magic; 0: serial layout (§1.1) */
	uint32_t board_rev;		/* default --board-rev */
	const char *dtb;
	const char *filters[3];		/* config.txt [filters] that select it */
	int blksize;			/* TFTP blksize asked; 0: none asked */
	int default_64bit;		/* arm_64bit when config.txt is silent */
	const uint8_t *prl;		/* option 55 of the (second stage) DISCOVER */
	size_t prl_len;
	const uint8_t *rom_prl;		/* Pi 3 boot ROM's list, NULL on 4/5 */
	size_t rom_prl_len;
};

/* The model named s ("3", "3b+", "3b", "4", "5"), NULL if unknown. */
const struct model *model_by_name(const char *s);
int model_is_pi3(const struct model *m);
/* Kernel file when config.txt has no kernel=: kernel8.img, kernel_2712.img ... */
const char *model_kernel(const struct model *m, int arm_64bit);

#endif
