#include "store.h"

#include "db.h"
#include "err.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int store_check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || !isalnum((unsigned char)name[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			goto bad;
	return 0;
bad:
	return err_set("'%s' is not a valid image name (letters, digits, '.', '_', '-'; "
		       "at most 64; no '/' or spaces)", name);
}

static int parse_ver(const char *s, int *ver)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end || v < 1 || v > 1000000)
		return -1;
	*ver = (int)v;
	return 0;
}

int store_resolve(sqlite3 *db, const char *spec, char **name, int *ver)
{
	const char *at = strchr(spec, '@');
	char *n = at ? strndup(spec, (size_t)(at - spec)) : xstrdup(spec);
	sqlite3_stmt *q;
	int want = 0, rc = -1;

	if (!n || store_check_name(n) < 0)
		goto out;
	if (at && parse_ver(at + 1, &want) < 0) {
		err_set("'%s' is not NAME@VERSION (e.g. bookworm@2)", spec);
		goto out;
	}
	if (db_prepare(db, "SELECT max(ver), count(*) FROM versions WHERE image = ?1 AND"
		       " (?2 = 0 OR ver = ?2)", &q) < 0)
		goto out;
	sqlite3_bind_text(q, 1, n, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, want);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 1) > 0) {
		*ver = sqlite3_column_int(q, 0);
		*name = n;
		n = NULL;
		rc = 0;
	} else if (want) {
		err_set("image %s has no version %d (see 'imgtool image list')", n, want);
	} else {
		err_set("unknown image '%s' (see 'imgtool image list')", n);
	}
	sqlite3_finalize(q);
out:
	free(n);
	return rc;
}

char *store_version_dir(const struct state *st, const char *name, int ver)
{
	return state_path(st, "images/%s/%d", name, ver);
}
