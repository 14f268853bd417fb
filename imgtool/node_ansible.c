#include "node_ansible.h"
#include "node_cli.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Ansible warns about (and may rewrite) group names outside [A-Za-z0-9_];
 * ASCII ranges, not isalnum(): the locale must not change the names. */
static int group_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Put host into group PREFIX_VALUE of children, made on first use. */
static void join(json_t *children, const char *prefix, const char *value, const char *host)
{
	char *name = xasprintf("%s_%s", prefix, value);
	json_t *group;

	for (char *c = name; *c; c++)
		if (!group_char(*c))
			*c = '_';
	if (!(group = json_object_get(children, name))) {
		group = json_pack("{s:{}}", "hosts");
		json_object_set_new(children, name, group);
	}
	json_object_set_new(json_object_get(group, "hosts"), host, json_object());
	free(name);
}

static void set_str(json_t *o, const char *key, const char *value)
{
	if (value)
		json_object_set_new(o, key, json_string(value));
}

/* config.K are config.txt settings and login.K the login user, not
 * variables; ansible_* (ansible_user ...) are connection settings: they make
 * no group. Ansible logs in as the node's login user unless told otherwise. */
static void user_vars(json_t *hostvars, json_t *children, const struct node *n,
		      const char *login_user)
{
	json_t *vars = node_cli_vars(n), *value, *user = json_object_get(vars, "login.user");
	const char *key;

	if (user || *login_user)
		json_object_set_new(hostvars, "ansible_user",
				    user ? json_copy(user) : json_string(login_user));
	json_object_foreach(vars, key, value) {
		if (!strncmp(key, "config.", 7) || !strncmp(key, "login.", 6))
			continue;
		json_object_set(hostvars, key, value);
		if (strncmp(key, "ansible_", 8))
			join(children, key, json_string_value(value), n->name);
	}
	json_decref(vars);
}

/* Set after the user variables: the inventory's own facts win. */
static void bramble_vars(json_t *hostvars, json_t *children, const struct node *n)
{
	set_str(hostvars, "ansible_host", n->ip);
	set_str(hostvars, "bramble_model", n->model);
	set_str(hostvars, "bramble_mac", n->mac);
	join(children, "model", n->model, n->name);
	if (!n->image)
		return;
	set_str(hostvars, "bramble_image", n->image);
	json_object_set_new(hostvars, "bramble_version", json_integer(n->ver));
	join(children, "image", n->image, n->name);
}

json_t *node_ansible(const struct node *v, size_t n, const char *login_user)
{
	json_t *hosts = json_object(), *children = json_object();

	for (size_t i = 0; i < n; i++) {
		json_t *hostvars = json_object();

		user_vars(hostvars, children, &v[i], login_user);
		bramble_vars(hostvars, children, &v[i]);
		json_object_set_new(hosts, v[i].name, hostvars);
	}
	return json_pack("{s:{s:o, s:o}}", "all", "hosts", hosts, "children", children);
}
