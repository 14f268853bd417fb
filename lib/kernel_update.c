#include "kernel_update.h"

#include "xalloc.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Boot files that are a kernel or its initramfs, by Pi firmware and Debian names. */
static const char *const kernel_names[] = {
	"kernel*.img", "vmlinuz*", "initramfs*", "initrd.img*",
};

/* Does dir/sub have an entry name? */
static int has_entry(const char *dir, const char *sub, const char *name)
{
	char *p = xasprintf("%s/%s/%s", dir, sub, name);
	struct stat st;
	int found = lstat(p, &st) == 0;

	free(p);
	return found;
}

/* The module dir of a root: usr/lib/modules (merged /usr) or lib/modules. */
static const char *modules_sub(const char *vdir)
{
	char *lib = xasprintf("%s/root/lib", vdir);
	struct stat st;
	int merged = lstat(lib, &st) == 0 && S_ISLNK(st.st_mode);

	free(lib);
	return merged ? "root/usr/lib/modules" : "root/lib/modules";
}

static int kernel_file(const char *name)
{
	for (size_t i = 0; i < sizeof kernel_names / sizeof kernel_names[0]; i++)
		if (fnmatch(kernel_names[i], name, 0) == 0)
			return 1;
	return 0;
}

/* Names in new/sub not in old/sub (or, files: another inode), ", "-joined; NULL: none. */
static char *added(const char *old, const char *new, const char *sub, int kernels)
{
	char *dir = xasprintf("%s/%s", new, sub), *out = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *a, *b, *more;
		struct stat sa, sb;
		int same;

		if (e->d_name[0] == '.' || (kernels && !kernel_file(e->d_name)))
			continue;
		a = xasprintf("%s/%s/%s", old, sub, e->d_name);
		b = xasprintf("%s/%s", dir, e->d_name);
		/* stored files equal in content share an inode (lib/objstore.h) */
		same = kernels ? lstat(a, &sa) == 0 && lstat(b, &sb) == 0 && sa.st_ino == sb.st_ino
			       : has_entry(old, sub, e->d_name);
		free(a);
		free(b);
		if (same)
			continue;
		more = xasprintf("%s%s%s", out ? out : "", out ? ", " : "", e->d_name);
		free(out);
		out = more;
	}
	if (d)
		closedir(d);
	free(dir);
	return out;
}

void kernel_update_check(const char *old, const char *new, char **line, int *warn)
{
	char *mods = added(old, new, modules_sub(new), 0), *boot;

	*line = NULL;
	*warn = 0;
	if (!mods)
		return;
	boot = added(old, new, "boot", 1);
	if (boot)
		*line = xasprintf("kernel: modules %s added to the root, boot files %s changed with "
				  "them: the nodes boot the new kernel", mods, boot);
	else
		*line = xasprintf("kernel: modules %s added to the root, but no kernel boot file "
				  "changed: the nodes would boot the old kernel without its modules; "
				  "install the kernel where the boot partition is mounted (/boot/firmware "
				  "or /boot)", mods);
	*warn = !boot;
	free(mods);
	free(boot);
}
