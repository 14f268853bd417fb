#include "kconfig.h"

#include "err.h"
#include "fsutil.h"
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

int kconfig_nfsroot(const char *root, const char *boot, char **why)
{
	char *rootboot = xasprintf("%s/boot", root), *names = xstrdup("");
	size_t skip;
	glob_t g;
	int rc = 1;

	*why = NULL;
	/* the boot files hold them when the boot partition is /boot */
	if (!find_configs(boot, &g, &skip) && !find_configs(rootboot, &g, &skip)) {
		free(rootboot);
		free(names);
		*why = xstrdup("no /boot/config-* in the image tells whether its kernel has them");
		return 0;
	}
	for (size_t i = 0; i < g.gl_pathc && rc == 1; i++) {
		char *more = xasprintf("%s%s/boot/%s", names, *names ? ", " : "",
				       g.gl_pathv[i] + skip);

		free(names);
		names = more;
		rc = check_one(g.gl_pathv[i], g.gl_pathv[i] + skip, why);
	}
	globfree(&g);
	free(rootboot);
	if (rc == 1)
		*why = names;
	else
		free(names);
	return rc;
}
