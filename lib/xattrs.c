#include "xattrs.h"

#include "diskfull.h"
#include "err.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static ssize_t list(int fd, const char *path, char *buf, size_t n)
{
	return fd >= 0 ? flistxattr(fd, buf, n) : llistxattr(path, buf, n);
}

static ssize_t get(int fd, const char *path, const char *name, void *buf, size_t n)
{
	return fd >= 0 ? fgetxattr(fd, name, buf, n) : lgetxattr(path, name, buf, n);
}

/* The list or a value may grow between the size query and the read: retry. */
static ssize_t read_names(int fd, const char *path, char **out)
{
	for (;;) {
		ssize_t n = list(fd, path, NULL, 0);
		char *buf;

		if (n < 0)
			return errno == ENOTSUP ? 0 : err_errno("cannot list attributes of %s", path);
		if (n == 0)
			return 0;
		buf = xmalloc((size_t)n);
		ssize_t got = list(fd, path, buf, (size_t)n);
		if (got >= 0) {
			*out = buf;
			return got;
		}
		free(buf);
		if (errno != ERANGE)
			return err_errno("cannot list attributes of %s", path);
	}
}

static int read_value(int fd, const char *path, const char *name, struct xattr *x)
{
	for (;;) {
		ssize_t n = get(fd, path, name, NULL, 0);

		if (n < 0)
			return err_errno("cannot read attribute %s of %s", name, path);
		x->value = xmalloc(n ? (size_t)n : 1);
		ssize_t got = get(fd, path, name, x->value, (size_t)n);
		if (got >= 0) {
			x->name = xstrdup(name);
			x->len = (size_t)got;
			return 0;
		}
		free(x->value);
		if (errno != ERANGE)
			return err_errno("cannot read attribute %s of %s", name, path);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct xattr *)a)->name, ((const struct xattr *)b)->name);
}

int xattrs_read(int fd, const char *path, struct xattrs *out)
{
	char *names = NULL;
	ssize_t len = read_names(fd, path, &names);
	size_t cap = 0;

	out->v = NULL;
	out->n = 0;
	if (len <= 0)
		return (int)len;
	for (char *p = names; p < names + len; p += strlen(p) + 1) {
		if (out->n == cap)
			out->v = xrealloc(out->v, (cap = cap ? cap * 2 : 4) * sizeof *out->v);
		if (read_value(fd, path, p, &out->v[out->n]) < 0) {
			free(names);
			xattrs_free(out);
			return -1;
		}
		out->n++;
	}
	free(names);
	qsort(out->v, out->n, sizeof *out->v, by_name);
	return 0;
}

int xattrs_apply(int fd, const char *path, const struct xattrs *xa)
{
	for (size_t i = 0; i < xa->n; i++) {
		const struct xattr *x = &xa->v[i];
		int rc = fd >= 0 ? fsetxattr(fd, x->name, x->value, x->len, 0)
				 : lsetxattr(path, x->name, x->value, x->len, 0);
		if (rc < 0)
			return err_write("cannot set attribute %s on %s", x->name, path);
	}
	return 0;
}

void xattrs_free(struct xattrs *xa)
{
	for (size_t i = 0; i < xa->n; i++) {
		free(xa->v[i].name);
		free(xa->v[i].value);
	}
	free(xa->v);
	xa->v = NULL;
	xa->n = 0;
}
