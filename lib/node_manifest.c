#include "node_manifest.h"

#include "err.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAGIC "bramble-manifest 1\n"
#define HEX_LEN (2 * 32)
#define BUCKETS 4096

struct hentry {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char hex[HEX_LEN + 1];
	struct hentry *next;
};

struct hcache {
	struct hentry *b[BUCKETS];
};

struct hcache *hcache_new(void)
{
	return xcalloc(1, sizeof(struct hcache));
}

void hcache_free(struct hcache *hc)
{
	if (!hc)
		return;
	for (size_t i = 0; i < BUCKETS; i++)
		while (hc->b[i]) {
			struct hentry *next = hc->b[i]->next;
			free(hc->b[i]);
			hc->b[i] = next;
		}
	free(hc);
}

static void to_hex(const unsigned char *md, char hex[HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	/* not sprintf: a node add hashes every node's identity files */
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[HEX_LEN] = '\0';
}

static void hash_buf(const void *data, size_t len, char hex[HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		abort();
	to_hex(md, hex);
}

static int hash_fd(int fd, const char *path, char hex[HEX_LEN + 1])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE], buf[1 << 16];
	unsigned int n;
	ssize_t r;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		abort();
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			EVP_MD_CTX_free(ctx);
			return err_errno("cannot read %s", path);
		}
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	}
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	to_hex(md, hex);
	return 0;
}

static struct hentry **bucket(struct hcache *hc, const struct stat *st)
{
	return &hc->b[(size_t)(st->st_ino ^ st->st_dev) % BUCKETS];
}

static void remember(struct hcache *hc, const struct stat *st, const char *hex)
{
	struct hentry *e = xcalloc(1, sizeof *e), **b = bucket(hc, st);

	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	memcpy(e->hex, hex, HEX_LEN);
	e->next = *b;
	*b = e;
}

int hcache_put(struct hcache *hc, const char *path, const char *hex)
{
	struct stat st;

	if (strlen(hex) != HEX_LEN)
		return err_set("%s: a stored hash is not SHA-256 hex: run 'imgtool fsck'", path);
	if (lstat(path, &st) < 0)
		return err_errno("cannot stat %s", path);
	remember(hc, &st, hex);
	return 0;
}

int file_sha256(const char *path, char hex[HEX_LEN + 1])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc;

	if (fd < 0)
		return err_errno("cannot open %s", path);
	rc = hash_fd(fd, path, hex);
	close(fd);
	return rc;
}

/* Hash of the file at path (the source of a hardlink) and its mode. */
static int hash_file(struct hcache *hc, const char *path, char hex[HEX_LEN + 1], mode_t *mode)
{
	struct stat st;
	struct hentry *e;

	if (lstat(path, &st) < 0)
		return err_errno("cannot stat %s", path);
	*mode = st.st_mode & 07777;
	for (e = *bucket(hc, &st); e; e = e->next)
		if (e->ino == st.st_ino && e->dev == st.st_dev && e->size == st.st_size &&
		    e->mtime.tv_sec == st.st_mtim.tv_sec && e->mtime.tv_nsec == st.st_mtim.tv_nsec) {
			memcpy(hex, e->hex, sizeof e->hex);
			return 0;
		}
	if (file_sha256(path, hex) < 0)
		return -1;
	remember(hc, &st, hex);
	return 0;
}

static int add_tree(FILE *f, const char *prefix, const struct tree *t, struct hcache *hc)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct tent *e = &t->v[i];
		char hex[HEX_LEN + 1];
		mode_t mode = e->mode;

		if (e->kind == TE_DIR)
			continue;
		if (e->kind == TE_LINK) {
			if (hash_file(hc, e->data, hex, &mode) < 0)
				return -1;
		} else {
			hash_buf(e->data, e->len, hex);
		}
		fprintf(f, "%c %04o %s %s/%s\n", e->kind == TE_SYMLINK ? 'l' : 'f',
			(unsigned)mode, hex, prefix, e->rel);
	}
	return 0;
}

int manifest_make(const char *image_id, const struct tree *boot, const struct tree *ident,
		  struct hcache *hc, char **out)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return err_errno("cannot make a manifest");
	fprintf(f, MANIFEST_MAGIC "image %s\n", image_id);
	/* "boot/" sorts before "ident/", so the lines stay sorted. */
	rc = (boot ? add_tree(f, "boot", boot, hc) : 0) || add_tree(f, "ident", ident, hc);
	fclose(f);
	if (rc) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* A live directory as a tree: files as links to themselves, hashed alike. */
static int disk_entry(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct tree *t = arg;
	char target[4096];
	ssize_t n;

	if (S_ISDIR(st->st_mode)) {
		tree_dir(t, rel, st->st_mode & 07777, st->st_uid, st->st_gid);
	} else if (S_ISLNK(st->st_mode)) {
		if ((n = readlink(path, target, sizeof target - 1)) < 0)
			return err_errno("cannot read symlink %s", path);
		target[n] = '\0';
		tree_symlink(t, rel, target);
	} else if (S_ISREG(st->st_mode)) {
		tree_link(t, rel, path);
	} else {
		tree_file(t, rel, 0, xstrdup("?"), 1);	/* nothing a build makes: a mismatch */
	}
	return 0;
}

int manifest_of_dirs(const char *image_id, const char *boot_dir, const char *ident_dir,
		     struct hcache *hc, char **out)
{
	struct tree boot = { 0 }, ident = { 0 };
	int rc = (boot_dir && tree_walk(boot_dir, disk_entry, &boot) < 0) ||
		 tree_walk(ident_dir, disk_entry, &ident) < 0 ||
		 (boot_dir && tree_finish(&boot, boot_dir) < 0) || tree_finish(&ident, ident_dir) < 0 ||
		 manifest_make(image_id, boot_dir ? &boot : NULL, &ident, hc, out) < 0 ? -1 : 0;

	tree_free(&boot);
	tree_free(&ident);
	return rc;
}

/* ---- comparing -------------------------------------------------------- */

struct mline {
	const char *line;	/* "f 0644 hex path" */
	size_t len;
	const char *path;
};

struct parsed {
	char *image;
	struct mline *v;
	size_t n;
};

static int parse(const char *text, const char *what, struct parsed *p)
{
	const char *s;

	memset(p, 0, sizeof *p);
	if (strncmp(text, MANIFEST_MAGIC, strlen(MANIFEST_MAGIC)) ||
	    strncmp(text + strlen(MANIFEST_MAGIC), "image ", 6))
		return err_set("%s is not a bramble manifest (version 1)", what);
	s = text + strlen(MANIFEST_MAGIC) + 6;
	p->image = xasprintf("%.*s", (int)strcspn(s, "\n"), s);
	s += strcspn(s, "\n");
	while (*s == '\n' && s[1]) {
		const char *line = ++s;
		size_t len = strcspn(line, "\n");

		if (len < 8 + HEX_LEN || line[1] != ' ' || line[6] != ' ' ||
		    line[7 + HEX_LEN] != ' ') {
			free(p->image);
			free(p->v);
			return err_set("%s: malformed line '%.*s'", what, (int)len, line);
		}
		p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
		p->v[p->n++] = (struct mline){ line, len, line + 8 + HEX_LEN };
		s += len;
	}
	return 0;
}

static int path_cmp(const struct mline *a, const struct mline *b)
{
	size_t la = a->len - (size_t)(a->path - a->line), lb = b->len - (size_t)(b->path - b->line);
	int c = memcmp(a->path, b->path, la < lb ? la : lb);

	return c ? c : la < lb ? -1 : la > lb;
}

static void print_path(FILE *out, char what, const struct mline *m)
{
	fprintf(out, "%c %.*s\n", what, (int)(m->len - (size_t)(m->path - m->line)), m->path);
}

int manifest_diff(const char *old, const char *new, const char *what, FILE *out)
{
	struct parsed a, b;
	size_t i = 0, j = 0;
	int n = 0;

	if (parse(old, what, &a) < 0)
		return -1;
	if (parse(new, "the manifest of a build now", &b) < 0) {
		free(a.image);
		free(a.v);
		return -1;
	}
	if (strcmp(a.image, b.image)) {
		fprintf(out, "M image %s -> %s\n", a.image, b.image);
		n++;
	}
	while (i < a.n || j < b.n) {
		int c = i == a.n ? 1 : j == b.n ? -1 : path_cmp(&a.v[i], &b.v[j]);

		if (c < 0) {
			print_path(out, 'D', &a.v[i++]);
			n++;
		} else if (c > 0) {
			print_path(out, 'A', &b.v[j++]);
			n++;
		} else {
			if (a.v[i].len != b.v[j].len || memcmp(a.v[i].line, b.v[j].line, a.v[i].len)) {
				print_path(out, 'M', &b.v[j]);
				n++;
			}
			i++;
			j++;
		}
	}
	free(a.image);
	free(a.v);
	free(b.image);
	free(b.v);
	return n;
}
