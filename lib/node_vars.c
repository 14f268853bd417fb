#include "node_vars.h"

#include "mac.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The built-in names; node_vars() sets each (tests/unit/test_node_vars.c checks). */
static const char *const builtins[] = {
	"name", "mac", "mac_dashed", "serial", "model", "ip", "server_ip", "prefix_len",
	"image", "version", "cluster", "export", "nfs_options", "nfsroot", "machine_id",
	"image_config", "ntp_servers", "nodes", "config", "ssh_host_keys", "login_user",
	"login_password_hash", "login_authorized_keys", "login_keys", "kernel_nfsroot", "shares",
	NULL,
};

static const char *const node_fields[] = { "name", "ip", "mac", "serial", "model", NULL };
static const char *const config_fields[] = { "key", "value", NULL };
static const char *const key_fields[] = { "type", NULL };
static const char *const login_key_fields[] = { "yaml", NULL };
static const char *const share_fields[] = { "name", "mount", "export", "options", NULL };

/* {{#each ssh_host_keys}}{{type}}: the node's host key types, for sshd's HostKey. */
static void key_types(struct tscope *s, const char *types)
{
	char *copy = xstrdup(types), *save = NULL;

	tscope_list(s, "ssh_host_keys", key_fields);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		tscope_set(tscope_item(s, "ssh_host_keys"), "type", t);
	free(copy);
}

int node_var_builtin(const char *key)
{
	for (size_t i = 0; builtins[i]; i++)
		if (!strcmp(builtins[i], key))
			return 1;
	return 0;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* User variables: "k=v" lines. config.K=V ones are config.txt lines
 * ({{#each config}}), login.K=V ones replace the cluster's login_K, the rest
 * are plain. */
static void user_var(const char *key, const char *value, void *scope)
{
	struct tscope *s = scope;

	if (!strncmp(key, "login.", 6)) {
		char *k = xasprintf("login_%s", key + 6);
		tscope_set(s, k, value);
		free(k);
	} else if (!strncmp(key, "config.", 7)) {
		struct tscope *it = tscope_item(s, "config");
		tscope_set(it, "key", key + 7);
		tscope_set(it, "value", value);
	} else {
		tscope_set(s, key, value);
	}
}

static void node_item(struct tscope *s, const struct node *n)
{
	struct tscope *it = tscope_item(s, "nodes");

	tscope_set(it, "name", n->name);
	tscope_set(it, "ip", or_empty(n->ip));
	tscope_set(it, "mac", or_empty(n->mac));
	tscope_set(it, "serial", or_empty(n->serial));
	tscope_set(it, "model", or_empty(n->model));
}

/* A share node n mounts: {{#each shares}} in the fstab template. */
static void share_item(struct tscope *s, const struct share *sh, const struct config *cfg)
{
	struct tscope *it = tscope_item(s, "shares");
	char *v;

	tscope_set(it, "name", sh->name);
	tscope_set(it, "mount", sh->mount);
	tscope_set(it, "export", (v = share_export_path(cfg, sh)));
	free(v);
	tscope_set(it, "options", (v = share_mount_options(sh)));
	free(v);
}

struct tscope *node_vars(const struct node *n, const struct node_env *env)
{
	struct tscope *s = tscope_new();
	char dashed[MAC_STRLEN] = "", *v;
	uint8_t mac[6];

	tscope_list(s, "nodes", node_fields);
	tscope_list(s, "config", config_fields);
	key_types(s, env->cfg->ssh_host_keys);
	tscope_list(s, "login_keys", login_key_fields);	/* filled by login_plan */
	tscope_set(s, "login_user", or_empty(env->cfg->login_user));
	tscope_set(s, "login_password_hash", or_empty(env->cfg->login_password_hash));
	tscope_set(s, "login_authorized_keys", or_empty(env->cfg->login_authorized_keys));
	node_each_var(n, user_var, s);
	for (size_t i = 0; i < env->nall; i++)
		node_item(s, &env->all[i]);
	tscope_list(s, "shares", share_fields);
	for (size_t i = 0; i < env->nshares; i++)
		if (share_has_member(&env->shares[i], n))
			share_item(s, &env->shares[i], env->cfg);
	if (n->mac && mac_parse(n->mac, mac) == 0)
		mac_dashed(mac, dashed);
	tscope_set(s, "name", n->name);
	tscope_set(s, "mac", or_empty(n->mac));
	tscope_set(s, "mac_dashed", dashed);
	tscope_set(s, "serial", or_empty(n->serial));
	tscope_set(s, "model", or_empty(n->model));
	tscope_set(s, "ip", or_empty(n->ip));
	tscope_set(s, "server_ip", env->cfg->server_ip);
	v = xasprintf("%d", env->cfg->prefix_len);
	tscope_set(s, "prefix_len", v);
	free(v);
	tscope_set(s, "image", or_empty(n->image));
	v = n->image ? xasprintf("%s@%d", n->image, n->ver) : xstrdup("");
	tscope_set(s, "version", v);
	free(v);
	tscope_set(s, "cluster", env->cfg->name);
	v = env->export ? xstrdup(env->export) : xasprintf(NODE_EXPORT_FMT, n->name);
	tscope_set(s, "export", v);
	free(v);
	/*
	 * The root's mount, by the kernel or initramfs and again by fstab.
	 * noacl: Ganesha fails NFSACL's SETACL with EIO, which fails a real
	 * systemd's StateDirectory= set-up; without it the client says
	 * EOPNOTSUPP, which every caller handles. No NLM on the root.
	 */
	tscope_set(s, "nfs_options", "vers=3,tcp,nolock,noacl");
	v = xasprintf("%s:%s,%s", env->cfg->server_ip, tscope_get(s, "export"),
		      tscope_get(s, "nfs_options"));
	tscope_set(s, "nfsroot", v);
	free(v);
	tscope_set(s, "machine_id", or_empty(env->machine_id));
	tscope_set(s, "image_config", or_empty(env->image_config));
	tscope_set(s, "kernel_nfsroot", env->kernel_nfsroot ? "yes" : "");
	/* timesyncd's NTP= wants them blank-separated */
	v = xstrdup(or_empty(env->cfg->ntp_server));
	for (char *c = strchr(v, ','); c; c = strchr(c, ','))
		*c = ' ';
	tscope_set(s, "ntp_servers", v);
	free(v);
	return s;
}
