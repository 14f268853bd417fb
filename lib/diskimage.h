/*
 * Raspberry Pi OS disk images: .img or .img.xz with an MBR or GPT partition
 * table, a FAT boot partition and an ext4 root partition, found by the
 * filesystem libblkid detects in each, not by their position.
 *
 * Reading them needs loop devices and mounts. mount_private() first puts
 * the process in its own mount namespace, so every mount it makes vanishes
 * with it, even on kill -9; loop devices are attached read-only with
 * autoclear, so they detach when their last user (the mount) goes.
 */
#ifndef BRAMBLE_DISKIMAGE_H
#define BRAMBLE_DISKIMAGE_H

#include "progress.h"

#include <stdint.h>

struct partition {
	int number;		/* as in the partition table */
	uint64_t start, size;	/* bytes */
	char fstype[32];	/* libblkid TYPE, "" when none */
};

struct diskimage {
	int fd;			/* the image, read-only */
	char *path;		/* as given, for messages */
	char table[8];		/* "dos" (MBR) or "gpt" */
	uint64_t size;
	struct partition *parts;
	int nparts;
	const struct partition *boot;	/* the FAT partition */
	const struct partition *root;	/* the ext4 partition */
};

/*
 * Open and probe path. An .xz image is streamed into an unnamed temporary
 * file in tmpdir (O_TMPFILE: gone when closed or killed), sparse.
 */
int diskimage_open(struct diskimage *img, const char *path, const char *tmpdir,
		   struct progress *progress);
void diskimage_close(struct diskimage *img);
/* Mount the root partition read-only at dir (ext4, no journal replay). */
int diskimage_mount_root(const struct diskimage *img, const char *dir);
/*
 * Make the boot partition's files readable as a directory: mounted at mnt,
 * or, where the kernel has no vfat, extracted by mtools into raw. *tree is
 * set to the one used.
 */
int diskimage_boot_tree(const struct diskimage *img, const char *mnt, const char *raw,
			const char **tree);
/* Enter a private mount namespace (mounts die with the process). */
int mount_private(void);
/*
 * Attach [off, off+size) of fd to a free loop device, read-only and
 * autoclear. Returns the loop device's fd (the device lives while it or a
 * mount holds it); dev receives its path.
 */
int loop_attach(int fd, uint64_t off, uint64_t size, char dev[32]);

#endif
