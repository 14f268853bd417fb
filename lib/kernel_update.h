/*
 * Did a new image version get a new kernel the nodes will boot? A kernel
 * upgrade (imgtool image exec IMG -- apt-get -y upgrade) adds its modules
 * under /lib/modules/RELEASE of the root and its kernel to the boot files
 * (/boot/firmware on Pi OS bookworm, /boot where the boot partition is
 * mounted there); the nodes take the boot files over TFTP and the modules
 * from the root, so both must change together. A kernel installed only into
 * the root (/boot/vmlinuz-* beside a /boot/firmware partition that nothing
 * updated) would boot the old kernel without its modules.
 */
#ifndef BRAMBLE_KERNEL_UPDATE_H
#define BRAMBLE_KERNEL_UPDATE_H

/*
 * Compare version dirs old and new (each with root/ and boot/). *line: NULL
 * when no module release was added, else one line for the user: which
 * releases came and which kernel boot files changed, or a warning that none
 * did. *warn: 1 for the warning.
 */
void kernel_update_check(const char *old, const char *new, char **line, int *warn);

#endif
