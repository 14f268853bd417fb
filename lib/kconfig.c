#include "kconfig.h"

#include "err.h"
#include "fsutil.h"
#include "ikconfig.h"
#include "xalloc.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const needed[] = { "CONFIG_ROOT_NFS", "CONFIG_IP_PNP", "CONFIG_IP_PNP_DHCP" };

/* The first option of needed[] that text does not set to y, or NULL. */
static const char *missing(const char *text)
{
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		char *line = xasprintf("\n%s=y\n", needed[i]);
		int found = strstr(text, line) != NULL ||
			    !strncmp(text, line + 1, strlen(line + 1));

		free(line);
		if (!found)
			return needed[i];
	}
	return NULL;
}

/* One config file, named /boot/rel in messages: 1 good, 0 not (*why set), -1 error. */
static int check_one(const char *path, const char *rel, char **why)
{
	struct stat st;
	char *text;
	const char *m;

	/* a link could lead out of the image, to the head's own kernel config */
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = xasprintf("/boot/%s is not a regular file", rel);
		return 0;
	}
	if (read_file(path, &text, NULL) < 0)
		return -1;
	m = missing(text);
	if (m)
		*why = xasprintf("/boot/%s lacks %s=y", rel, m);
	free(text);
	return m == NULL;
}

/* The config-* files in dir; *skip: where their names start. */
static int find_configs(const char *dir, glob_t *g, size_t *skip)
{
	char *pat = xasprintf("%s/config-*", dir);
	int found = glob(pat, 0, NULL, g) == 0;

	*skip = strlen(dir) + 1;
	free(pat);
	return found;
}

/* A Pi kernel's own config (lib/ikconfig.h), named in messages. */
static int check_embedded(const char *path, const char *name, char **why)
{
	struct stat st;
	char *data, *text;
	size_t len;
	int rc;
	const char *m;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = xasprintf("boot file %s is not a regular file", name);
		return 0;
	}
	if (read_file(path, &data, &len) < 0)
		return -1;
	rc = ikconfig_find((unsigned char *)data, len, &text);
	free(data);
	/* a kernel we cannot read a config from only keeps its initramfs */
	if (rc < 0) {
		*why = xasprintf("boot file %s: %s", name, err_get());
		return 0;
	}
	if (rc == 0) {
		*why = xasprintf("no /boot/config-* in the image, and boot file %s carries no "
				 "config of its own (CONFIG_IKCONFIG)", name);
		return 0;
	}
	if ((m = missing(text)))
		*why = xasprintf("the config in boot file %s lacks %s=y", name, m);
	free(text);
	return m == NULL;
}

typedef int (*check_fn)(const char *path, const char *rel, char **why);

/* fn on every file of g until one is not good; *names: those checked, each
 * prefix + its name below the dir, ", "-joined (newly allocated). */
static int check_each(const glob_t *g, size_t skip, const char *prefix, check_fn fn,
		      char **names, char **why)
{
	int rc = 1;

	*names = xstrdup("");
	for (size_t i = 0; i < g->gl_pathc && rc == 1; i++) {
		char *more = xasprintf("%s%s%s%s", *names, **names ? ", " : "", prefix,
				       g->gl_pathv[i] + skip);

		free(*names);
		*names = more;
		rc = fn(g->gl_pathv[i], g->gl_pathv[i] + skip, why);
	}
	return rc;
}

/* Every kernel*.img of the boot files, by the config it carries. */
static int check_kernels(const char *boot, char **why)
{
	char *pat = xasprintf("%s/kernel*.img", boot), *names;
	glob_t g;
	int rc;

	if (glob(pat, 0, NULL, &g) != 0) {
		free(pat);
		*why = xstrdup("no /boot/config-* in the image tells whether its kernel has them");
		return 0;
	}
	free(pat);
	rc = check_each(&g, strlen(boot) + 1, "", check_embedded, &names, why);
	globfree(&g);
	if (rc == 1)
		*why = xasprintf("the config built into %s", names);
	free(names);
	return rc;
}

int kconfig_nfsroot(const char *root, const char *boot, char **why)
{
	char *rootboot = xasprintf("%s/boot", root), *names;
	size_t skip;
	glob_t g;
	int found, rc;

	*why = NULL;
	/* the boot files hold them when the boot partition is /boot */
	found = find_configs(boot, &g, &skip) || find_configs(rootboot, &g, &skip);
	free(rootboot);
	if (!found)
		return check_kernels(boot, why);
	rc = check_each(&g, skip, "/boot/", check_one, &names, why);
	globfree(&g);
	if (rc == 1)
		*why = names;
	else
		free(names);
	return rc;
}
