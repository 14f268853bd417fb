/*
 * fsck's directory walk: one level, every name (dot names too: fsck looks
 * for what others hide).
 */
#include "fsck.h"

#include "err.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fsck_each(struct fsck *f, const char *dir, fsck_entry_fn fn)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : err_errno("cannot read %s", dir);
	while (rc == 0 && (e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		rc = fn(f, p, e->d_name);
		free(p);
	}
	closedir(d);
	return rc;
}
