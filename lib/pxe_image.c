#include "pxe_image.h"

#include "err.h"
#include "fsutil.h"
#include "initrd_list.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 8

void pxe_kernel_free(struct pxe_kernel *k)
{
	free(k->kernel);
	free(k->initrd);
	free(k->kver);
	k->kernel = k->initrd = k->kver = NULL;
}

/* rel with "." and ".." taken out; ".." stops at the root, as in a chroot. */
static char *normalize(const char *rel)
{
	char *copy = xstrdup(rel), *out = xcalloc(1, strlen(rel) + 1), *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			char *slash = strrchr(out, '/');
			*(slash ? slash : out) = '\0';
			continue;
		}
		if (*out)
			strcat(out, "/");
		strcat(out, c);
	}
	free(copy);
	return out;
}

/* Every directory on the way to rel is a real directory (no link out of the root). */
static int parents_are_dirs(const char *root, const char *rel)
{
	char *p = xstrdup(rel);
	int ok = 1;

	for (char *s = strchr(p, '/'); s && ok; s = strchr(s + 1, '/')) {
		char *full;
		struct stat st;

		*s = '\0';
		full = xasprintf("%s/%s", root, p);
		ok = lstat(full, &st) == 0 && S_ISDIR(st.st_mode);
		free(full);
		*s = '/';
	}
	free(p);
	return ok;
}

/*
 * rel, its symlinks followed inside root: the path below root of the
 * regular file it names (allocated), or NULL.
 */
static char *file_in_root(const char *root, const char *rel)
{
	char *cur = normalize(rel);

	for (int hops = 0; hops <= MAX_LINKS && *cur && parents_are_dirs(root, cur); hops++) {
		char *full = xasprintf("%s/%s", root, cur), target[PATH_MAX], *next;
		struct stat st;
		ssize_t n = -1;

		if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			free(full);
			return cur;
		}
		if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode))
			n = readlink(full, target, sizeof target - 1);
		free(full);
		if (n <= 0)
			break;
		target[n] = '\0';
		char *slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash)
			next = normalize(target);
		else {
			char *joined = xasprintf("%.*s/%s", (int)(slash - cur), cur, target);
			next = normalize(joined);
			free(joined);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

static char *kver_of(const char *kernel)
{
	const char *base = strrchr(kernel, '/');

	base = base ? base + 1 : kernel;
	return !strncmp(base, "vmlinuz-", 8) && base[8] ? xstrdup(base + 8) : NULL;
}

/* The initrd that goes with a kernel of version kver. */
static char *initrd_for(const char *root, const char *kver)
{
	static const char *const names[] = { "boot/initrd.img-%s", "boot/initramfs-%s.img" };
	char *found = NULL;

	for (size_t i = 0; kver && i < sizeof names / sizeof names[0] && !found; i++) {
		char *rel = xasprintf(names[i], kver);

		found = file_in_root(root, rel);
		free(rel);
	}
	return found;
}

/* boot/vmlinuz-* with the highest version (strverscmp), NULL if none. */
static int newest_kernel(const char *root, char **kernel)
{
	char *boot = xasprintf("%s/boot", root), *best = NULL;
	DIR *d = opendir(boot);
	struct dirent *de;

	*kernel = NULL;
	if (!d) {
		int rc = errno == ENOENT || errno == ENOTDIR ? 0 : err_errno("cannot read %s", boot);
		free(boot);
		return rc;
	}
	while ((de = readdir(d))) {
		char *rel, *file;

		if (strncmp(de->d_name, "vmlinuz-", 8) || !de->d_name[8])
			continue;
		if (best && strverscmp(de->d_name, best) <= 0)
			continue;
		rel = xasprintf("boot/%s", de->d_name);
		file = file_in_root(root, rel);
		free(rel);
		if (file) {
			free(best);
			best = xstrdup(de->d_name);
			free(*kernel);
			*kernel = xasprintf("boot/%s", de->d_name);
		}
		free(file);
	}
	closedir(d);
	free(boot);
	free(best);
	return 0;
}

int pxe_kernel_find(const char *root, struct pxe_kernel *k)
{
	static const char *const links[][2] = {
		{ "vmlinuz", "initrd.img" },
		{ "boot/vmlinuz", "boot/initrd.img" },
	};

	memset(k, 0, sizeof *k);
	for (size_t i = 0; i < sizeof links / sizeof links[0] && !k->kernel; i++) {
		k->kernel = file_in_root(root, links[i][0]);
		if (k->kernel)
			k->initrd = file_in_root(root, links[i][1]);
	}
	if (!k->kernel && newest_kernel(root, &k->kernel) < 0)
		return -1;
	if (!k->kernel)
		return 1;
	k->kver = kver_of(k->kernel);
	if (!k->initrd)
		k->initrd = initrd_for(root, k->kver);
	return 0;
}

/* ---- NFS root support ------------------------------------------------------ */

/* What boot/config-<kver> says of a kernel option: 'y', 'm' or 0 (unset/unknown). */
static char kconfig(const char *text, const char *opt)
{
	char *key = xasprintf("\n%s=", opt);
	const char *p = text ? strstr(text, key) : NULL;
	char v = p ? p[strlen(key)] : 0;

	free(key);
	return v == 'y' || v == 'm' ? v : 0;
}

struct rd_scan {
	int nfs, nfsv3, mounter;
};

static int module_named(const char *base, const char *mod)
{
	size_t n = strlen(mod);

	return !strncmp(base, mod, n) && !strncmp(base + n, ".ko", 3);
}

static void scan_member(const char *name, void *arg)
{
	struct rd_scan *s = arg;
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	s->nfs |= module_named(base, "nfs");
	s->nfsv3 |= module_named(base, "nfsv3");
	s->mounter |= !strcmp(base, "nfsmount") || !strcmp(base, "mount.nfs");
}

static void lack(char **why, const char *what)
{
	char *s = xasprintf("%s%s%s", *why ? *why : "", *why ? "; " : "", what);

	free(*why);
	*why = s;
}

int pxe_nfsroot_check(const char *root, const struct pxe_kernel *k, char **why)
{
	char *cfg_path, *cfg = NULL, *initrd;
	struct rd_scan s = { 0 };
	int rc;

	*why = NULL;
	if (!k->initrd) {
		*why = xstrdup("no initrd for the kernel (/boot/initrd.img-KVER)");
		return 0;
	}
	initrd = xasprintf("%s/%s", root, k->initrd);
	rc = initrd_list(initrd, scan_member, &s);
	free(initrd);
	/* unknown kernel config: everything must be in the initrd */
	cfg_path = k->kver ? xasprintf("%s/boot/config-%s", root, k->kver) : NULL;
	if (rc == 0 && cfg_path && path_exists(cfg_path))
		rc = read_file(cfg_path, &cfg, NULL);
	free(cfg_path);
	if (rc < 0)
		return -1;
	if (kconfig(cfg, "CONFIG_NFS_FS") != 'y' && !s.nfs)
		lack(why, "the initrd has no nfs module (nfs.ko) and the kernel no built-in NFS "
			  "client");
	if (kconfig(cfg, "CONFIG_NFS_V3") == 'm' && !s.nfsv3)
		lack(why, "the initrd has no nfsv3 module (nfsv3.ko)");
	if (!s.mounter)
		lack(why, "the initrd has no NFS mount helper (klibc's nfsmount or mount.nfs)");
	free(cfg);
	return *why ? 0 : 1;
}
