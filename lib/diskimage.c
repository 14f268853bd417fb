#include "diskimage.h"

#include "diskfull.h"
#include "err.h"
#include "log.h"
#include "runcmd.h"
#include "xalloc.h"
#include "xzstream.h"

#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define MiB (1024.0 * 1024.0)

/*
 * Slave, not private: our mounts stay ours (they vanish with us, even on
 * kill -9), while the head's umounts still reach us, so a node root the
 * head unmounts meanwhile is not pinned by our copy of it (EBUSY on its
 * remount otherwise).
 */
int mount_private(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return err_errno("cannot make a private mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return err_errno("cannot make mounts private");
	return 0;
}

int loop_attach(int fd, uint64_t off, uint64_t size, char dev[32])
{
	struct loop_config cfg = {
		.fd = (uint32_t)fd,
		.info = {
			.lo_offset = off,
			.lo_sizelimit = size,
			.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR,
		},
	};
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), lfd = -1;

	if (ctl < 0)
		return err_errno("cannot open /dev/loop-control (modprobe loop)");
	/* Another process may take the free device first: try the next one. */
	for (int tries = 0; tries < 100; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0) {
			err_errno("no free loop device");
			break;
		}
		snprintf(dev, 32, "/dev/loop%d", n);
		lfd = open(dev, O_RDONLY | O_CLOEXEC);
		if (lfd < 0) {
			err_errno("cannot open %s", dev);
			break;
		}
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			break;
		if (errno != EBUSY) {
			err_errno("cannot set up loop device %s", dev);
			close(lfd);
			lfd = -1;
			break;
		}
		close(lfd);
		lfd = -1;
	}
	close(ctl);
	return lfd;
}

/* Mount part at dir read-only; errno is kept for the caller on failure. */
static int mount_part(const struct diskimage *img, const struct partition *part,
		      const char *fstype, const char *opts, const char *dir)
{
	char dev[32];
	int lfd = loop_attach(img->fd, part->start, part->size, dev), rc, saved;

	if (lfd < 0)
		return -1;
	rc = mount(dev, dir, fstype, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, opts);
	saved = errno;
	/* The mount holds the device now; closing ours lets autoclear work. */
	close(lfd);
	errno = saved;
	if (rc < 0)
		return err_errno("cannot mount partition %d of %s (%s)", part->number, img->path,
				 fstype);
	return 0;
}

int diskimage_mount_root(const struct diskimage *img, const char *dir)
{
	/* noload: a read-only device cannot replay a journal. */
	return mount_part(img, img->root, "ext4", "noload", dir);
}

/*
 * mtools says only "Short write" when the disk fills up: name the likely
 * cause when there is less space left than the partition could hold.
 */
static int boot_failed(const struct diskimage *img, const char *raw)
{
	struct statvfs vfs;

	if (statvfs(raw, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < img->boot->size)
		return err_wrap("disk full: extracting the boot partition of %s into %s (%.0f MiB "
				"free): free space on that filesystem or use a larger state "
				"directory (--state): ", img->path, raw,
				(double)vfs.f_bavail * vfs.f_frsize / MiB);
	return err_wrap("reading the boot partition of %s: ", img->path);
}

/*
 * FAT has no owners, no xattrs and 2-second times, so mounting with fixed
 * owner and masks and extracting with mtools under umask 022 give the same
 * tree: root-owned, files 0644 (0444 read-only), dirs 0755, times in UTC.
 */
int diskimage_boot_tree(const struct diskimage *img, const char *mnt, const char *raw,
			const char **tree)
{
	char *src;
	int rc;

	if (mount_part(img, img->boot, "vfat", "uid=0,gid=0,fmask=0133,dmask=0022,tz=UTC",
		       mnt) == 0) {
		*tree = mnt;
		return 0;
	}
	if (errno != ENODEV)
		return -1;
	log_debug("no vfat in this kernel: reading the boot partition with mtools");
	src = xasprintf("/proc/%d/fd/%d@@%llu", (int)getpid(), img->fd,
			(unsigned long long)img->boot->start);
	const char *const argv[] = { "mcopy", "-s", "-p", "-m", "-n", "-Q", "-i", src, "::/", raw,
				     NULL };
	const char *const env[] = { "MTOOLS_SKIP_CHECK=1", "TZ=UTC", NULL };
	mode_t old = umask(022);
	rc = run_cmd(argv, env);
	umask(old);
	free(src);
	if (rc < 0)
		return boot_failed(img, raw);
	*tree = raw;
	return 0;
}

static void probe_fstype(int fd, struct partition *p)
{
	blkid_probe pr = blkid_new_probe();
	const char *type;

	p->fstype[0] = '\0';
	if (!pr)
		return;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)p->start, (blkid_loff_t)p->size) == 0) {
		blkid_probe_enable_partitions(pr, 0);
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
		if (blkid_do_safeprobe(pr) == 0 &&
		    blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0)
			snprintf(p->fstype, sizeof p->fstype, "%s", type);
	}
	blkid_free_probe(pr);
}

static int has_gpt_header(const struct diskimage *img)
{
	char sig[8];

	return pread(img->fd, sig, sizeof sig, 512) == sizeof sig && !memcmp(sig, "EFI PART", 8);
}

static int read_table(struct diskimage *img)
{
	blkid_probe pr = blkid_new_probe();
	blkid_partlist ls;
	int n, rc = -1;

	if (!pr)
		return err_set("cannot start libblkid");
	if (blkid_probe_set_device(pr, img->fd, 0, 0) < 0) {
		err_set("cannot probe %s", img->path);
		goto out;
	}
	ls = blkid_probe_get_partitions(pr);
	n = ls ? blkid_partlist_numof_partitions(ls) : 0;
	if (n <= 0 && has_gpt_header(img)) {
		/* libblkid rejects a GPT whose disk ends beyond the file */
		err_set("%s is truncated: its GPT describes a larger disk than the file "
			"(download or copy it again)", img->path);
		goto out;
	}
	if (n <= 0) {
		err_set("%s is not a disk image: no MBR or GPT partition table found "
			"(give a Raspberry Pi OS .img, .img.xz or an installed directory)", img->path);
		goto out;
	}
	snprintf(img->table, sizeof img->table, "%s",
		 blkid_parttable_get_type(blkid_partlist_get_table(ls)));
	img->parts = xcalloc((size_t)n, sizeof *img->parts);
	for (int i = 0; i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(ls, i);
		struct partition *p = &img->parts[img->nparts];

		if (blkid_partition_is_extended(par))
			continue;
		p->number = blkid_partition_get_partno(par);
		p->start = (uint64_t)blkid_partition_get_start(par) * 512;
		p->size = (uint64_t)blkid_partition_get_size(par) * 512;
		img->nparts++;
	}
	rc = 0;
out:
	blkid_free_probe(pr);
	return rc;
}

/* "1: vfat 256 MiB, 2: ext4 1800 MiB" for messages. */
static char *describe(const struct diskimage *img)
{
	char *s = xstrdup("");

	for (int i = 0; i < img->nparts; i++) {
		const struct partition *p = &img->parts[i];
		char *t = xasprintf("%s%s%d: %s %.0f MiB", s, i ? ", " : "", p->number,
				    p->fstype[0] ? p->fstype : "no filesystem", p->size / MiB);
		free(s);
		s = t;
	}
	return s;
}

/* The one partition holding fstype; 0 found, -1 none or several. */
static int pick(struct diskimage *img, const char *fstype, const char *role,
		const struct partition **out)
{
	int found = 0;
	char *parts;

	for (int i = 0; i < img->nparts; i++)
		if (!strcmp(img->parts[i].fstype, fstype) && found++ == 0)
			*out = &img->parts[i];
	if (found == 1)
		return 0;
	parts = describe(img);
	err_set("%s has %s %s %s partition (partitions %s); bramble imports images with one FAT "
		"boot and one ext4 root partition", img->path, found ? "more than one" : "no",
		strcmp(fstype, "vfat") ? fstype : "FAT", role, parts);
	free(parts);
	return -1;
}

static int probe(struct diskimage *img)
{
	if (read_table(img) < 0)
		return -1;
	for (int i = 0; i < img->nparts; i++) {
		struct partition *p = &img->parts[i];

		if (p->start + p->size > img->size)
			return err_set("%s is truncated: partition %d ends at byte %llu but the image "
				       "has %llu bytes (download or copy it again)", img->path,
				       p->number, (unsigned long long)(p->start + p->size),
				       (unsigned long long)img->size);
		probe_fstype(img->fd, p);
	}
	return pick(img, "vfat", "boot", &img->boot) < 0 ||
	       pick(img, "ext4", "root", &img->root) < 0 ? -1 : 0;
}

/* Decompress the .xz image open at *fd into an unnamed file in tmpdir. */
static int unxz(struct diskimage *img, const char *tmpdir, struct progress *progress)
{
	int out = open(tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	struct stat st;
	uint64_t size;

	if (out < 0)
		return err_write("cannot create a temporary file in %s", tmpdir);
	if (fstat(img->fd, &st) < 0) {
		close(out);
		return err_errno("cannot stat %s", img->path);
	}
	if (progress)
		progress_begin(progress, "decompressing", (uint64_t)st.st_size, 0);
	if (xz_decompress(img->fd, img->path, out, tmpdir, progress, &size) < 0) {
		close(out);
		return -1;
	}
	if (progress)
		progress_end(progress);
	close(img->fd);
	img->fd = out;
	img->size = size;
	return 0;
}

int diskimage_open(struct diskimage *img, const char *path, const char *tmpdir,
		   struct progress *progress)
{
	struct stat st;
	int xz;

	memset(img, 0, sizeof *img);
	img->path = xstrdup(path);
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0 || fstat(img->fd, &st) < 0)
		return err_errno("cannot open %s", path);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return err_set("%s is not a disk image file", path);
	img->size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(img->fd, BLKGETSIZE64, &img->size) < 0)
		return err_errno("cannot get the size of %s", path);
	if ((xz = xz_detect(img->fd, path)) < 0 || (xz && unxz(img, tmpdir, progress) < 0))
		return -1;
	return probe(img);
}

void diskimage_close(struct diskimage *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
	free(img->parts);
	free(img->path);
	img->parts = NULL;
	img->path = NULL;
}
