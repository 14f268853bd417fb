#include "node_build.h"

#include "boot_sums.h"
#include "crashpoint.h"
#include "db.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "login.h"
#include "mac.h"
#include "nfsroot.h"
#include "node_keep.h"
#include "node_manifest.h"
#include "node_overlay.h"
#include "node_tree.h"
#include "node_vars.h"
#include "pxe_boot.h"
#include "store.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The Pi bootloader's netboot config.txt parser stops at 4 KB (pi-netboot.md §1.8). */
#define CONFIG_TXT_MAX 4096

/* What every node of one image version shares; loaded once per builder. */
struct imgver {
	char *image;
	int ver;
	char *id;	/* the manifest's image line */
	char *root;	/* images/<name>/<ver>/root */
	char *config;	/* boot/config.txt without comments and blank lines */
	int kernel_nfsroot;	/* its kernel mounts an NFS root itself (lib/kconfig.h) */
	struct tree boot;	/* the version's boot files, as links (unfinished) */
	struct tree parents;	/* the identity layer's directories as the image has them */
};

struct plan {
	const struct node *n;
	const struct imgver *iv;	/* NULL: the node has no image */
	char *keep;
	char *boot_dir;			/* NULL: no boot dir */
	struct tree ident, boot;
	char machine_id[MACHINE_ID_LEN + 1];
	int new_id;			/* machine_id is new: keep it */
	int built;			/* its built.manifest is this plan's: nothing to write */
};

struct builder {
	const struct state *st;
	sqlite3 *db;
	const struct config *cfg;
	struct overlay root, boot, pxe;	/* the templates */
	struct node *all;		/* inventory snapshot, without nodes being removed */
	size_t nall;
	struct share *shares;		/* every share: the members' fstab lines */
	size_t nshares;
	struct imgver **iv;	/* pointers: plans point at them */
	size_t niv;
	struct plan *plans;
	size_t nplans;
	int planned_all;
	int trust_built;	/* a node whose built.manifest matches its plan is left alone */
	struct hcache *hc;
};

char *node_path(const struct state *st, const char *name, const char *sub)
{
	return sub ? state_path(st, "nodes/%s/%s", name, sub) : state_path(st, "nodes/%s", name);
}

char *node_boot_path(const struct state *st, const char *mac)
{
	uint8_t m[6];
	char dashed[MAC_STRLEN];

	if (mac_parse(mac, m) < 0)
		abort();	/* the inventory holds canonical MACs only */
	mac_dashed(m, dashed);
	return state_path(st, "tftp/%s", dashed);
}

/* ---- image versions ------------------------------------------------------- */

static int add_boot_file(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct tree *t = arg;

	if (S_ISDIR(st->st_mode))
		tree_dir(t, rel, st->st_mode, st->st_uid, st->st_gid);
	else if (S_ISREG(st->st_mode))
		tree_link_inode(t, rel, path, st->st_dev, st->st_ino);
	else
		return err_set("%s: a boot partition holds files and directories only", path);
	return 0;
}

/* config.txt as the template variable image_config: comments and blank lines
 * dropped, so the node's settings fit in the 4 KB the netboot parser reads. */
static char *strip_config(const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		abort();
	while (*text) {
		size_t n = strcspn(text, "\n"), lead = strspn(text, " \t");

		while (n > lead && strchr(" \t\r", text[n - 1]))
			n--;
		if (n > lead && text[lead] != '#')
			fprintf(f, "%.*s\n", (int)n, text);
		text += strcspn(text, "\n");
		text += *text == '\n';
	}
	fclose(f);
	if (len && out[len - 1] == '\n')	/* the template decides about the last newline */
		out[len - 1] = '\0';
	return out;
}

/*
 * The identity layer's directories take the image's modes and owners, so
 * the merged root looks like the image. A directory that is a symlink in the image
 * (merged /usr: /lib -> usr/lib) must not become a real one: it would hide
 * the image's whole /lib. Found once per version: every node of it has
 * the same ones.
 */
static int image_parents(const struct overlay *o, const struct imgver *iv, struct tree *t)
{
	for (size_t i = 0; i < o->n; i++) {
		char *p = xstrdup(o->v[i].rel);
		int rc = 0;

		for (char *s = strrchr(p, '/'); s && rc == 0; s = strrchr(p, '/')) {
			char *img;
			struct stat st;

			*s = '\0';
			img = xasprintf("%s/%s", iv->root, p);
			if (lstat(img, &st) < 0)
				st.st_mode = 0;	/* not in the image: the layer makes it */
			if (S_ISLNK(st.st_mode))
				rc = err_set("%s: /%s is a symlink in image %s@%d (merged /usr?): "
					     "put the file under its target instead", o->v[i].src,
					     p, iv->image, iv->ver);
			else if (S_ISDIR(st.st_mode))
				tree_dir(t, p, st.st_mode, st.st_uid, st.st_gid);
			free(img);
		}
		free(p);
		if (rc)
			return -1;
	}
	return 0;
}

static int load_imgver(struct builder *b, const char *image, int ver, struct imgver *iv)
{
	char *dir = store_version_dir(b->st, image, ver), *boot, *cfg_path, *text;
	sqlite3_stmt *q;
	int rc = -1;

	memset(iv, 0, sizeof *iv);
	iv->image = xstrdup(image);
	iv->ver = ver;
	iv->root = xasprintf("%s/root", dir);
	boot = xasprintf("%s/boot", dir);
	cfg_path = xasprintf("%s/config.txt", boot);
	if (db_prepare(b->db, "SELECT created, files, bytes, kernel_nfsroot FROM versions"
		       " WHERE image = ?1 AND ver = ?2", &q) < 0)
		goto out;
	sqlite3_bind_text(q, 1, image, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ver);
	if (sqlite3_step(q) == SQLITE_ROW) {
		iv->id = xasprintf("%s@%d created=%lld files=%lld bytes=%lld", image, ver,
				   sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
				   sqlite3_column_int64(q, 2));
		/* NULL: published before the row held it */
		iv->kernel_nfsroot = sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 :
				     sqlite3_column_int(q, 3);
	}
	sqlite3_finalize(q);
	if (!iv->id) {
		err_set("image %s@%d is not in the store (see 'imgtool image list')", image, ver);
		goto out;
	}
	if (!path_exists(boot) || !path_exists(iv->root)) {
		err_set("%s lacks boot/ or root/: the store is damaged; re-import the image", dir);
		goto out;
	}
	if (tree_walk(boot, add_boot_file, &iv->boot) < 0 ||
	    image_parents(&b->root, iv, &iv->parents) < 0 ||
	    (iv->kernel_nfsroot < 0 &&
	     (iv->kernel_nfsroot = store_record_nfsroot(b->st, b->db, image, ver)) < 0) ||
	    boot_sums_load(b->db, image, ver, boot, b->hc) < 0)
		goto out;
	if (path_exists(cfg_path)) {
		if (read_file(cfg_path, &text, NULL) < 0)
			goto out;
		iv->config = strip_config(text);
		free(text);
	}
	rc = 0;
out:
	free(dir);
	free(boot);
	free(cfg_path);
	return rc;
}

static void free_imgver(struct imgver *iv)
{
	free(iv->image);
	free(iv->id);
	free(iv->root);
	free(iv->config);
	tree_free(&iv->boot);
	tree_free(&iv->parents);
	free(iv);
}

static const struct imgver *imgver_get(struct builder *b, const char *image, int ver)
{
	struct imgver *iv;

	for (size_t i = 0; i < b->niv; i++)
		if (b->iv[i]->ver == ver && !strcmp(b->iv[i]->image, image))
			return b->iv[i];
	iv = xmalloc(sizeof *iv);
	if (load_imgver(b, image, ver, iv) < 0) {
		free_imgver(iv);
		return NULL;
	}
	b->iv = xrealloc(b->iv, (b->niv + 1) * sizeof *b->iv);
	return b->iv[b->niv++] = iv;
}

/* ---- planning: the trees of one node, in memory --------------------------- */

/* Add the directories of from (unfinished, directories only) to t. */
static void add_dirs(const struct tree *from, struct tree *t)
{
	for (size_t i = 0; i < from->n; i++)
		tree_dir(t, from->v[i].rel, from->v[i].mode, from->v[i].uid, from->v[i].gid);
}

/* Render an overlay's files into t. */
static int render_into(const struct overlay *o, const struct tscope *vars, struct tree *t)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct ovl_file *f = &o->v[i];
		char *out;
		size_t len;

		switch (f->kind) {
		case OVL_TEMPLATE:
			if (template_render(f->t, vars, &out, &len) < 0)
				return -1;
			tree_file(t, f->rel, f->mode, out, len);
			break;
		case OVL_FILE:
			out = xmalloc(f->len + 1);
			memcpy(out, f->data, f->len);
			tree_file(t, f->rel, f->mode, out, f->len);
			break;
		case OVL_SYMLINK:
			tree_symlink(t, f->rel, f->data);
			break;
		}
	}
	return 0;
}

/* Raspberry Pi: the image's boot files, the node's rendered ones over them,
 * and the serial prefix resolving to the same directory. */
static int pi_boot(struct builder *b, struct plan *p, const struct tscope *vars)
{
	const struct tree *img = &p->iv->boot;
	const struct tent *c;

	for (size_t i = 0; i < img->n; i++) {
		const struct tent *e = &img->v[i];

		if (e->kind == TE_DIR)
			tree_dir(&p->boot, e->rel, e->mode, e->uid, e->gid);
		else
			tree_link_inode(&p->boot, e->rel, e->data, e->src_dev, e->src_ino);
	}
	if (render_into(&b->boot, vars, &p->boot) < 0)
		return -1;
	if (p->n->serial)
		tree_symlink(&p->boot, p->n->serial, ".");
	if (tree_finish(&p->boot, "boot dir") < 0)
		return -1;
	c = tree_find(&p->boot, "config.txt");
	if (c && c->kind == TE_FILE && c->len > CONFIG_TXT_MAX)
		return err_set("config.txt is %zu bytes; a netbooting Pi ignores what lies past "
			       "%d: shorten the image's config.txt or the config.txt template",
			       c->len, CONFIG_TXT_MAX);
	return 0;
}

/* Plain PXE machine: iPXE, the image's kernel and initrd, the rendered
 * script (lib/pxe_boot.h). */
static int pxe_boot(struct builder *b, struct plan *p, const struct tscope *vars)
{
	char *id = xasprintf("%s@%d", p->iv->image, p->iv->ver);
	int rc = pxe_boot_files(p->iv->root, id, b->cfg->ipxe_dir, &p->boot);

	free(id);
	if (rc < 0 || render_into(&b->pxe, vars, &p->boot) < 0)
		return -1;
	return tree_finish(&p->boot, "boot dir");
}

/* Boot dir builders by model. */
static const struct boot_kind {
	const char *model;
	int (*plan)(struct builder *b, struct plan *p, const struct tscope *vars);
} boot_kinds[] = {
	{ "3", pi_boot },
	{ "4", pi_boot },
	{ "5", pi_boot },
	{ "pxe", pxe_boot },
};

static const struct boot_kind *boot_kind(const char *model)
{
	for (size_t i = 0; i < sizeof boot_kinds / sizeof boot_kinds[0]; i++)
		if (!strcmp(boot_kinds[i].model, model))
			return &boot_kinds[i];
	return NULL;
}

/* The path the node mounts its root from, as nfsroot exports it. */
static char *export_path(struct builder *b, const struct node *n)
{
	struct nfsroot r;
	char *path;

	if (nfsroot_paths(b->st, n, &r) < 0)
		return NULL;
	path = nfsroot_export_path(b->cfg, &r);
	nfsroot_free(&r);
	return path;
}

static int plan_trees(struct builder *b, struct plan *p)
{
	const struct node *n = p->n;
	const struct boot_kind *k = boot_kind(n->model);
	struct node_env env = { .cfg = b->cfg, .all = b->all, .nall = b->nall,
				.machine_id = p->machine_id, .shares = b->shares,
				.nshares = b->nshares };
	struct tscope *vars;
	int rc = -1;

	if (n->image && !(p->iv = imgver_get(b, n->image, n->ver)))
		return -1;
	if (n->image && !(env.export = export_path(b, n)))
		return -1;
	env.image_config = p->iv ? p->iv->config : NULL;
	env.kernel_nfsroot = p->iv && p->iv->kernel_nfsroot;
	vars = node_vars(n, &env);
	if (login_plan(vars, &p->ident) < 0 || render_into(&b->root, vars, &p->ident) < 0)
		goto out;
	if (p->iv)
		add_dirs(&p->iv->parents, &p->ident);
	if (keep_add_ssh(p->keep, &p->ident) < 0 || tree_finish(&p->ident, "identity layer") < 0)
		goto out;
	if (n->mac && p->iv && k) {
		p->boot_dir = node_boot_path(b->st, n->mac);
		if (k->plan(b, p, vars) < 0)
			goto out;
	}
	rc = 0;
out:
	tscope_free(vars);
	free((char *)env.export);
	return rc;
}

static int plan_node(struct builder *b, const struct node *n)
{
	struct plan *p;
	int r;

	b->plans = xrealloc(b->plans, (b->nplans + 1) * sizeof *b->plans);
	p = &b->plans[b->nplans++];
	memset(p, 0, sizeof *p);
	p->n = n;
	p->keep = node_path(b->st, n->name, "keep");
	if ((r = keep_machine_id(p->keep, p->machine_id)) < 0)
		return err_wrap("node %s: ", n->name);
	p->new_id = r == 1;
	if (plan_trees(b, p) < 0)
		return err_wrap("node %s: ", n->name);
	return 0;
}

static void free_plan(struct plan *p)
{
	free(p->keep);
	free(p->boot_dir);
	tree_free(&p->ident);
	tree_free(&p->boot);
}

/* ---- the builder ------------------------------------------------------------ */

int node_pending(sqlite3 *db, const char *name, char **pending)
{
	sqlite3_stmt *q;
	int rc;

	*pending = NULL;
	if (db_prepare(db, "SELECT pending FROM nodes WHERE name = ?1", &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_text(q, 0))
		*pending = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, "reading node");
}

int builder_open(struct builder **out, const struct state *st, sqlite3 *db,
		 const struct config *cfg)
{
	struct builder *b = xcalloc(1, sizeof *b);
	size_t keep = 0;

	b->st = st;
	b->db = db;
	b->cfg = cfg;
	b->hc = hcache_new();
	if (overlay_load(cfg, &b->root, &b->boot, &b->pxe) < 0 ||
	    inventory_list(db, &b->all, &b->nall) < 0 || share_list(db, &b->shares, &b->nshares) < 0)
		goto fail;
	for (size_t i = 0; i < b->nall; i++) {
		char *pending;

		if (node_pending(db, b->all[i].name, &pending) < 0)
			goto fail;
		if (pending && strncmp(pending, "rm", 2) == 0)
			node_free(&b->all[i]);
		else
			b->all[keep++] = b->all[i];
		free(pending);
	}
	b->nall = keep;
	*out = b;
	return 0;
fail:
	builder_close(b);
	return -1;
}

void builder_close(struct builder *b)
{
	if (!b)
		return;
	overlay_free(&b->root);
	overlay_free(&b->boot);
	overlay_free(&b->pxe);
	nodes_free(b->all, b->nall);
	shares_free(b->shares, b->nshares);
	for (size_t i = 0; i < b->niv; i++)
		free_imgver(b->iv[i]);
	free(b->iv);
	for (size_t i = 0; i < b->nplans; i++)
		free_plan(&b->plans[i]);
	free(b->plans);
	hcache_free(b->hc);
	free(b);
}

void builder_trust_built(struct builder *b)
{
	b->trust_built = 1;
}

int builder_plan(struct builder *b, const char *name)
{
	if (!name) {
		b->planned_all = 1;
		for (size_t i = 0; i < b->nall; i++)
			if (plan_node(b, &b->all[i]) < 0)
				return -1;
		return 0;
	}
	for (size_t i = 0; i < b->nall; i++)
		if (!strcmp(b->all[i].name, name))
			return plan_node(b, &b->all[i]);
	return err_set("no node named '%s' (see 'imgtool node list')", name);
}

/* The empty places nfsroot mounts the node's root from and at. */
static int node_dirs(const struct state *st, const char *name)
{
	static const struct { const char *sub; mode_t mode; } dirs[] = {
		{ "keep", 0700 }, { "state/upper", 0755 }, { "state/work", 0700 },
		{ "root", 0755 },
	};

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *p = node_path(st, name, dirs[i].sub);
		int rc = mkdir_p(p, dirs[i].mode);

		free(p);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The manifest of a planned node, as a build would write it. */
static int plan_manifest(struct builder *b, const struct plan *p, char **out)
{
	return manifest_make(p->iv ? p->iv->id : "none", p->boot_dir ? &p->boot : NULL,
			     &p->ident, b->hc, out);
}

/* Stage the node's identity layer and boot dir into files. */
static int stage_node(struct builder *b, struct plan *p, struct sync_batch *files)
{
	char *ident = node_path(b->st, p->n->name, "ident");
	int rc = 0;

	if (keep_add_ssh(p->keep, &p->ident) < 0 || tree_finish(&p->ident, "identity layer") < 0 ||
	    tree_stage(&p->ident, ident, files, NULL) < 0 || (crashpoint("node-ident-synced"), 0) ||
	    (p->boot_dir && tree_stage(&p->boot, p->boot_dir, files, NULL) < 0))
		rc = err_wrap("node %s: ", p->n->name);
	free(ident);
	return rc;
}

/* Stage the node's built.manifest, once its files are live; an unchanged
 * node costs no write. */
static int stage_manifest(struct builder *b, struct plan *p, struct sync_batch *manifests)
{
	char *mpath = node_path(b->st, p->n->name, "built.manifest"), *m = NULL, *old = NULL;
	char *node = node_path(b->st, p->n->name, NULL);
	int rc = -1;

	if (plan_manifest(b, p, &m) < 0) {
		err_wrap("node %s: ", p->n->name);
		goto out;
	}
	if (path_exists(mpath) && read_file(mpath, &old, NULL) == 0 && !strcmp(old, m))
		rc = 0;
	else
		rc = sync_batch_file(manifests, mpath, m, strlen(m), 0644);
	remove_dead_temps(mpath, node);	/* a killed build's */
out:
	free(node);
	free(mpath);
	free(m);
	free(old);
	return rc;
}

/*
 * Is the plan what the node's built.manifest says was built? A manifest
 * is written only once the files it names are live, so then they are,
 * unless something outside bramble changed them: `node build` and fsck,
 * which do not trust the manifest, put those back. 1 yes, 0 no, -1 error.
 */
static int plan_built(struct builder *b, const struct plan *p)
{
	char *mpath = node_path(b->st, p->n->name, "built.manifest"), *m = NULL, *old = NULL;
	int rc = 0;

	if (!p->new_id && path_exists(mpath)) {
		if (plan_manifest(b, p, &m) < 0 || read_file(mpath, &old, NULL) < 0)
			rc = err_wrap("node %s: ", p->n->name);
		else
			rc = !strcmp(old, m);
	}
	free(mpath);
	free(m);
	free(old);
	return rc;
}

/* Every node's files live first, then every manifest naming them: the
 * manifests' commit flushes the files' renames with the manifests' temp
 * files, so a manifest is never durable before what it names. Three
 * syncfs for the whole build. */
static int write_nodes(struct builder *b)
{
	struct sync_batch files = { 0 }, manifests = { 0 };
	char *nodes = state_path(b->st, "nodes");
	int rc = -1, dirty;

	for (size_t i = 0; i < b->nplans; i++)
		if (!b->plans[i].built && stage_node(b, &b->plans[i], &files) < 0)
			goto out;
	dirty = sync_batch_dirty(&files);
	if (sync_batch_commit(&files, nodes) < 0)
		goto out;
	for (size_t i = 0; i < b->nplans; i++) {
		if (!b->plans[i].built && stage_manifest(b, &b->plans[i], &manifests) < 0)
			goto out;
		crashpoint("node-written");	/* the first of several */
	}
	dirty |= sync_batch_dirty(&manifests);
	if (sync_batch_commit(&manifests, nodes) < 0 || (dirty && sync_fs(nodes) < 0))
		goto out;
	rc = 0;
out:
	sync_batch_free(&files);
	sync_batch_free(&manifests);
	free(nodes);
	return rc;
}

/* Boot dirs no planned node owns any more (a replaced board, a removed node). */
static int sweep_boot_dirs(struct builder *b)
{
	char *tftp = state_path(b->st, "tftp");
	DIR *d = opendir(tftp);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		rc = err_errno("cannot read %s", tftp);
		free(tftp);
		return rc;
	}
	while (rc == 0 && (de = readdir(d))) {
		char *p = xasprintf("%s/%s", tftp, de->d_name);
		int owned = 0;

		for (size_t i = 0; i < b->nplans && !owned; i++)
			owned = b->plans[i].boot_dir && !strcmp(b->plans[i].boot_dir, p);
		if (mac_is_dashed(de->d_name) && !owned) {
			log_debug("removing boot dir %s: no node has MAC %s", p, de->d_name);
			rc = rm_rf(p);
		}
		free(p);
	}
	closedir(d);
	free(tftp);
	return rc;
}

static int clear_pending(struct builder *b)
{
	sqlite3_stmt *q;
	int rc = 0;

	if (db_begin(b->db) < 0)
		return -1;
	if (db_prepare(b->db, "UPDATE nodes SET pending = NULL WHERE name = ?1"
		       " AND pending = 'build'", &q) < 0) {
		db_rollback(b->db);
		return -1;
	}
	for (size_t i = 0; i < b->nplans && rc == 0; i++) {
		sqlite3_bind_text(q, 1, b->plans[i].n->name, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = db_fail(b->db, "recording a node as built");
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	if (rc == 0 && db_commit(b->db) == 0)
		return 0;
	db_rollback(b->db);
	return -1;
}

int builder_apply(struct builder *b)
{
	char **keeps = xcalloc(b->nplans + 1, sizeof *keeps);
	char **names = xcalloc(b->nplans + 1, sizeof *names);
	size_t nkeeps = 0;
	int rc = -1;

	for (size_t i = 0; i < b->nplans; i++) {
		struct plan *p = &b->plans[i];

		if (b->trust_built && (p->built = plan_built(b, p)) < 0)
			goto out;
		if (p->built)
			continue;
		if (node_dirs(b->st, p->n->name) < 0 ||
		    (p->new_id && keep_write_machine_id(p->keep, p->machine_id) < 0))
			goto out;
		crashpoint("node-dirs-made");
		p->new_id = 0;
		keeps[nkeeps] = p->keep;
		names[nkeeps++] = p->n->name;
	}
	if (keep_ssh_keys(keeps, names, nkeeps, b->cfg->ssh_host_keys) < 0)
		goto out;
	crashpoint("node-keys-made");
	if (write_nodes(b) < 0)
		goto out;
	if (b->planned_all && sweep_boot_dirs(b) < 0)
		goto out;
	crashpoint("node-boot-swept");
	rc = clear_pending(b);
out:
	free(keeps);
	free(names);
	return rc;
}

/* ---- the entry points ------------------------------------------------------- */

static int build(const struct state *st, sqlite3 *db, const struct config *cfg,
		 const char *name)
{
	struct builder *b;
	int rc;

	if (builder_open(&b, st, db, cfg) < 0)
		return -1;
	rc = builder_plan(b, name) < 0 || builder_apply(b) < 0 ? -1 : 0;
	builder_close(b);
	return rc;
}

int node_build(const struct state *st, sqlite3 *db, const struct config *cfg,
	       const char *name)
{
	return build(st, db, cfg, name);
}

int node_build_all(const struct state *st, sqlite3 *db, const struct config *cfg)
{
	return build(st, db, cfg, NULL);
}

int node_expected(const struct state *st, sqlite3 *db, const struct config *cfg,
		  struct node_expect **out, size_t *n)
{
	struct builder *b = NULL;
	struct node_expect *v = NULL;
	size_t i = 0;
	int rc = -1;

	if (builder_open(&b, st, db, cfg) < 0 || builder_plan(b, NULL) < 0)
		goto out;
	v = xcalloc(b->nplans + 1, sizeof *v);
	for (; i < b->nplans; i++) {
		const struct plan *p = &b->plans[i];

		v[i].name = xstrdup(p->n->name);
		v[i].boot_dir = p->boot_dir ? xstrdup(p->boot_dir) : NULL;
		v[i].image_id = xstrdup(p->iv ? p->iv->id : "none");
		if (plan_manifest(b, p, &v[i].manifest) < 0) {
			node_expect_free(v, i + 1);
			v = NULL;
			goto out;
		}
	}
	rc = 0;
out:
	builder_close(b);
	*out = v;
	*n = rc == 0 ? i : 0;
	return rc;
}

void node_expect_free(struct node_expect *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].boot_dir);
		free(v[i].image_id);
		free(v[i].manifest);
	}
	free(v);
}

int node_diff(const struct state *st, sqlite3 *db, const struct config *cfg,
	      const char *name, FILE *out)
{
	char *booted = node_path(st, name, "booted.manifest");
	char *built = node_path(st, name, "built.manifest");
	const char *against = path_exists(booted) ? booted : built;
	char *old = NULL, *now = NULL;
	struct builder *b = NULL;
	int rc = -1;

	if (builder_open(&b, st, db, cfg) < 0 || builder_plan(b, name) < 0)
		goto out;
	if (plan_manifest(b, &b->plans[0], &now) < 0)
		goto out;
	if (!path_exists(against))
		old = xstrdup("bramble-manifest 1\nimage none\n");	/* never built */
	else if (read_file(against, &old, NULL) < 0)
		goto out;
	rc = manifest_diff(old, now, against, out);
out:
	builder_close(b);
	free(old);
	free(now);
	free(booted);
	free(built);
	return rc;
}

int node_mark_booted(const struct state *st, const char *name)
{
	char *built = node_path(st, name, "built.manifest");
	char *booted = node_path(st, name, "booted.manifest");
	char *m = NULL;
	size_t len;
	int rc = read_file(built, &m, &len) < 0 ? -1 : write_file_atomic(booted, m, len, 0644);

	free(m);
	free(built);
	free(booted);
	return rc;
}
