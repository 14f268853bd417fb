#include "node_csv.h"

#include "err.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const columns[] = { "name", "mac", "serial", "model", "image", "ip" };
#define NCOLS (sizeof columns / sizeof columns[0])

static char **row_field(struct node_csv_row *r, size_t col)
{
	char **f[NCOLS] = { &r->name, &r->mac, &r->serial, &r->model, &r->image, &r->ip };

	return f[col];
}

/* Split one line (without its newline) into fields; quotes as in RFC 4180. */
static int split(const char *s, size_t len, const char *path, int line, char ***out,
		 size_t *n)
{
	char **v = NULL;
	size_t cnt = 0, i = 0;

	for (;;) {
		char *buf = xmalloc(len + 1);
		size_t b = 0;

		if (i < len && s[i] == '"') {
			for (i++;; i++) {
				if (i >= len) {
					free(buf);
					for (size_t k = 0; k < cnt; k++)
						free(v[k]);
					free(v);
					return err_set("%s:%d: a quoted field is not closed", path,
						       line);
				}
				if (s[i] == '"' && i + 1 < len && s[i + 1] == '"')
					buf[b++] = s[i++];
				else if (s[i] == '"')
					break;
				else
					buf[b++] = s[i];
			}
			i++;
		}
		while (i < len && s[i] != ',')
			buf[b++] = s[i++];
		buf[b] = '\0';
		v = xrealloc(v, (cnt + 1) * sizeof *v);
		v[cnt++] = buf;
		if (i >= len)
			break;
		i++;	/* the comma */
	}
	*out = v;
	*n = cnt;
	return 0;
}

static void free_fields(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Column index of each header field into columns[]. */
static int read_header(char **v, size_t n, const char *path, int line, int *map)
{
	int seen[NCOLS] = { 0 };

	for (size_t i = 0; i < n; i++) {
		size_t c;

		for (c = 0; c < NCOLS && strcmp(v[i], columns[c]); c++)
			;
		if (c == NCOLS)
			return err_set("%s:%d: unknown column '%s' (columns: name,mac,serial,"
				       "model,image,ip)", path, line, v[i]);
		if (seen[c]++)
			return err_set("%s:%d: column '%s' appears twice", path, line, v[i]);
		map[i] = (int)c;
	}
	if (!seen[0])
		return err_set("%s:%d: the header has no 'name' column (expected e.g. "
			       "name,mac,serial,model,image,ip)", path, line);
	return 0;
}

int node_csv_read(const char *text, const char *path, struct node_csv_row **rows,
		  size_t *n)
{
	struct node_csv_row *v = NULL;
	size_t cnt = 0, ncols = 0;
	int map[64], line = 0, have_header = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char **f = NULL;
		size_t nf = 0;

		line++;
		if (len && p[len - 1] == '\r')
			len--;
		if (len == 0 || p[0] == '#')
			goto next;
		if (split(p, len, path, line, &f, &nf) < 0)
			goto fail;
		if (!have_header) {
			int rc = nf > 64 ? err_set("%s:%d: too many columns", path, line) :
					   read_header(f, nf, path, line, map);
			free_fields(f, nf);
			if (rc < 0)
				goto fail;
			ncols = nf;
			have_header = 1;
			goto next;
		}
		if (nf != ncols) {
			free_fields(f, nf);
			err_set("%s:%d: %zu fields, but the header has %zu", path, line, nf, ncols);
			goto fail;
		}
		v = xrealloc(v, (cnt + 1) * sizeof *v);
		memset(&v[cnt], 0, sizeof *v);
		v[cnt].line = line;
		for (size_t i = 0; i < nf; i++) {
			char **slot = row_field(&v[cnt], (size_t)map[i]);
			*slot = f[i][0] ? f[i] : NULL;
			if (!*slot)
				free(f[i]);
		}
		free(f);
		cnt++;
next:
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (!have_header) {
		err_set("%s: no header line (expected e.g. name,mac,serial,model,image,ip)", path);
		goto fail;
	}
	*rows = v;
	*n = cnt;
	return 0;
fail:
	node_csv_rows_free(v, cnt);
	return -1;
}

void node_csv_rows_free(struct node_csv_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < NCOLS; c++)
			free(*row_field(&rows[i], c));
	free(rows);
}

static void field(FILE *f, const char *s, int last)
{
	if (s && strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else if (s) {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

void node_csv_write(FILE *f, const struct node *v, size_t n)
{
	for (size_t c = 0; c < NCOLS; c++)
		field(f, columns[c], c + 1 == NCOLS);
	for (size_t i = 0; i < n; i++) {
		char *img = v[i].image ? xasprintf("%s@%d", v[i].image, v[i].ver) : NULL;

		field(f, v[i].name, 0);
		field(f, v[i].mac, 0);
		field(f, v[i].serial, 0);
		field(f, v[i].model, 0);
		field(f, img, 0);
		field(f, v[i].ip, 1);
		free(img);
	}
}
