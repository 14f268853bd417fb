/* Checking what admins type about shares (lib/share.h). */
#include "share.h"

#include "db.h"
#include "err.h"
#include "node_parse.h"
#include "template.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Paths go unquoted into exports(5) lines and fstab: as nfsroot's paths. */
static const char path_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789/._+@-";

int share_check_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 63 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != len ||
	    name[0] == '-' || name[len - 1] == '-')
		return err_set("'%s' is not a share name: use 1-63 of a-z, 0-9 and '-', "
			       "not starting or ending with '-'", name);
	return 0;
}

/* The node's system: a share there (or, for the first group, below) hides it. */
static const char *const system_trees[] = {
	"/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot",
	"/proc", "/sys", "/dev", "/run", NULL,
};
static const char *const system_dirs[] = {
	"/", "/var", "/var/lib", "/var/log", "/var/cache", "/var/spool", "/var/tmp", "/tmp",
	"/var/lib/bramble", NULL,
};

/* Is path dir itself or below it? */
static bool within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

int share_check_mount(const char *mount)
{
	size_t bad = strspn(mount, path_chars), len = strlen(mount);

	if (mount[0] != '/')
		return err_set("mount path '%s' is not absolute: give it as /srv/NAME", mount);
	if (mount[bad])
		return err_set("mount path '%s' contains '%c': use letters, digits and . _ + @ - /",
			       mount, mount[bad]);
	if (strstr(mount, "//") || strstr(mount, "/./") || strstr(mount, "/../") ||
	    (len >= 2 && !strcmp(mount + len - 2, "/.")) ||
	    (len >= 3 && !strcmp(mount + len - 3, "/..")))
		return err_set("mount path '%s' has an empty, '.' or '..' component: "
			       "give the plain path", mount);
	if (len > 1 && mount[len - 1] == '/')
		return err_set("mount path '%s' ends in '/': give it without", mount);
	for (size_t i = 0; system_trees[i]; i++)
		if (within(mount, system_trees[i]))
			return err_set("mount path '%s' would hide the node's %s: mount shares "
				       "elsewhere (e.g. /srv/NAME)", mount, system_trees[i]);
	for (size_t i = 0; system_dirs[i]; i++)
		if (!strcmp(mount, system_dirs[i]))
			return err_set("mount path '%s' would hide a system directory: mount "
				       "shares below it or elsewhere (e.g. /srv/NAME)", mount);
	return 0;
}

int share_check_squash(const char *squash)
{
	if (strcmp(squash, "root") && strcmp(squash, "all") && strcmp(squash, "none"))
		return err_set("'%s' is not a squash mode: use root, all or none", squash);
	return 0;
}

int share_check_proto(const char *proto)
{
	if (strcmp(proto, "v3") && strcmp(proto, "v4"))
		return err_set("'%s' is not an NFS protocol for a share: use v4 (NFSv4.1) or v3",
			       proto);
	return 0;
}

int share_parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	for (size_t i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*out = !strcasecmp(v, yes[i]);
			return 0;
		}
	return err_set("'%s' is not yes or no", v);
}

static int row_exists(sqlite3 *db, const char *sql, const char *value, int *found)
{
	sqlite3_stmt *q;
	int rc;

	if (db_prepare(db, sql, &q) < 0)
		return -1;
	sqlite3_bind_text(q, 1, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	*found = rc == SQLITE_ROW;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, sql);
}

static int check_selector(sqlite3 *db, const char *item, const char *eq)
{
	const char *v = eq + 1;
	int found;

	if (!strncmp(item, "image=", 6)) {
		if (row_exists(db, "SELECT 1 FROM images WHERE name = ?1", v, &found) < 0)
			return -1;
		return found ? 0 : err_set("--nodes: no image named '%s' (see 'imgtool image list')", v);
	}
	if (!strncmp(item, "model=", 6))
		return node_check_model(v) < 0 ? err_wrap("--nodes: ") : 0;
	if (!strncmp(item, "var.", 4) && template_name_ok(item + 4, (size_t)(eq - item - 4)))
		return 0;
	return err_set("--nodes: '%s' is not a selector: use image=NAME, model=M or "
		       "var.KEY=VALUE", item);
}

static int check_item(sqlite3 *db, const char *item)
{
	const char *eq = strchr(item, '=');
	char **names;
	size_t n;
	int rc = 0, found;

	if (!strcmp(item, "all"))
		return 0;
	if (eq)
		return check_selector(db, item, eq);
	if (node_range(item, &names, &n) < 0)
		return err_wrap("--nodes: ");
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((rc = row_exists(db, "SELECT 1 FROM nodes WHERE name = ?1", names[i], &found)) < 0)
			break;
		if (!found)
			rc = err_set("--nodes: unknown node '%s' (see 'imgtool node list')", names[i]);
	}
	node_names_free(names, n);
	return rc;
}

int share_check_nodes(sqlite3 *db, const char *spec)
{
	char *copy = xstrdup(spec), *save = NULL;
	int rc = 0, items = 0;

	if (spec[0] == ',' || (*spec && spec[strlen(spec) - 1] == ',') || strstr(spec, ",,"))
		rc = err_set("--nodes '%s' has an empty item", spec);
	for (char *it = strtok_r(copy, ",", &save); it && rc == 0; it = strtok_r(NULL, ",", &save)) {
		items++;
		rc = check_item(db, it);
	}
	if (rc == 0 && !items)
		rc = err_set("--nodes is empty: give all, node names or selectors");
	free(copy);
	return rc;
}

static bool overlap(const char *a, const char *b)
{
	return within(a, b) || within(b, a);
}

/* path exists, is a directory, and has no character exports(5) would split on. */
static int canonical_dir(const char *path, char **out)
{
	struct stat st;
	size_t bad;

	if (stat(path, &st) < 0)
		return err_errno("share path %s", path);
	if (!S_ISDIR(st.st_mode))
		return err_set("share path %s is not a directory", path);
	if (!(*out = realpath(path, NULL)))
		return err_errno("cannot resolve share path %s", path);
	if ((*out)[bad = strspn(*out, path_chars)]) {
		err_set("share path %s contains '%c': use letters, digits and . _ + @ - /",
			*out, (*out)[bad]);
		free(*out);
		return -1;
	}
	return 0;
}

/* Not the image store, node roots or objects, nor a directory holding them. */
static int outside_store(const struct state *st, const char *path)
{
	static const char *const subs[] = { "images", "nodes", "objects", NULL };
	char *sd = realpath(st->dir, NULL);
	int rc = 0;

	if (!sd)
		return err_errno("cannot resolve state directory %s", st->dir);
	for (size_t i = 0; subs[i] && rc == 0; i++) {
		char *sub = xasprintf("%s/%s", sd, subs[i]);

		if (overlap(path, sub))
			rc = err_set("share path %s overlaps the state directory's %s/: "
				     "give a directory outside it", path, subs[i]);
		free(sub);
	}
	free(sd);
	return rc;
}

int share_validate(const struct state *st, sqlite3 *db, struct share *s)
{
	struct share *all;
	size_t n;
	char *canon;
	int rc = 0;

	if (share_check_name(s->name) < 0 || share_check_mount(s->mount) < 0 ||
	    share_check_squash(s->squash) < 0 || share_check_proto(s->proto) < 0 ||
	    canonical_dir(s->path, &canon) < 0)
		return -1;
	free(s->path);
	s->path = canon;
	if (outside_store(st, s->path) < 0 || share_list(db, &all, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!strcmp(all[i].name, s->name))
			continue;
		if (overlap(s->path, all[i].path))
			rc = err_set("share path %s overlaps share %s (%s): give a separate "
				     "directory", s->path, all[i].name, all[i].path);
		else if (!strcmp(s->mount, all[i].mount))
			rc = err_set("mount path %s is share %s's already: give another",
				     s->mount, all[i].name);
	}
	shares_free(all, n);
	return rc;
}
