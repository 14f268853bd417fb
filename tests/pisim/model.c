#include "model.h"

#include <string.h>
#include <strings.h>

/*
 * Option 55 lists (§1.1): the 3B boot ROM asks 43, 60, 67, 128-135, 66;
 * bootcode.bin adds 1 and 3 [firmware#871, #1265]; the Pi 4 EEPROM asks
 * 1, 3, 43, 60, 66, 67, 128-135 [cmprovision#5] and the Pi 5 the same
 * ("same DHCP/TFTP parameters as Pi 4" [D-eeprom]).
 */
static const uint8_t prl_rom[] = { 43, 60, 67, 128, 129, 130, 131, 132, 133, 134, 135, 66 };
static const uint8_t prl_bootcode[] = { 1, 3, 43, 60, 67, 128, 129, 130, 131, 132, 133, 134, 135, 66 };
static const uint8_t prl_eeprom[] = { 1, 3, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135 };

#define LIST(a) a, sizeof a

/*
 * Board revisions are common production codes (3B a02082, 3B+ a020d3,
 * 4B 4GB c03114, 5 4GB c04170). Blocks: the 3B+ firmware asks tsize only,
 * so 512-byte blocks [firmware#1041]; Pi 4/5 EEPROMs since 2022-10 ask
 * 1468 [RN2711, rpi-eeprom#857].
 */
static const struct model models[] = {
	{ PI_3B, "3b", 0, 0xa02082, "bcm2710-rpi-3-b.dtb", { "pi3" }, 0, 0,
	  LIST(prl_bootcode), LIST(prl_rom) },
	{ PI_3BPLUS, "3b+", 0, 0xa020d3, "bcm2710-rpi-3-b-plus.dtb", { "pi3", "pi3+" }, 0, 0,
	  LIST(prl_bootcode), LIST(prl_rom) },
	{ PI_4, "4", 0x34695052, 0xc03114, "bcm2711-rpi-4-b.dtb", { "pi4" }, 1468, 1,
	  LIST(prl_eeprom), NULL, 0 },
	{ PI_5, "5", 0x35695052, 0xc04170, "bcm2712-rpi-5-b.dtb", { "pi5" }, 1468, 1,
	  LIST(prl_eeprom), NULL, 0 },
};

const struct model *model_by_name(const char *s)
{
	/* "3" means the 3B+, the oldest model that net-boots from its ROM without OTP tricks */
	if (!strcmp(s, "3") || !strcasecmp(s, "3b+") || !strcasecmp(s, "3bplus"))
		return &models[PI_3BPLUS];
	if (!strcasecmp(s, "3b"))
		return &models[PI_3B];
	if (!strcmp(s, "4"))
		return &models[PI_4];
	if (!strcmp(s, "5"))
		return &models[PI_5];
	return NULL;
}

int model_is_pi3(const struct model *m)
{
	return m->id == PI_3B || m->id == PI_3BPLUS;
}

/* §1.8: kernel8.img (64-bit), kernel7.img (Pi 3 32-bit), kernel7l.img (Pi 4 32-bit LPAE), kernel_2712.img (Pi 5) */
const char *model_kernel(const struct model *m, int arm_64bit)
{
	if (m->id == PI_5)
		return "kernel_2712.img";
	if (arm_64bit)
		return "kernel8.img";
	return m->id == PI_4 ? "kernel7l.img" : "kernel7.img";
}
