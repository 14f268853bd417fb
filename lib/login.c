#include "login.h"

#include "err.h"
#include "fsutil.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_user(const char *v)
{
	size_t n = strlen(v);

	if (!strcmp(v, "root"))
		return err_set("'root' logs in with the cluster key already; name another user");
	if (n > 32 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n ||
	    strchr("0123456789-", v[0]))
		return err_set("'%s' is not a user name: lower-case letters, digits, '_', '-', "
			       "starting with a letter or '_', at most 32", v);
	return 0;
}

/* A crypt(3) hash as /etc/shadow holds it; its characters are also safe in
 * the single quotes of login.conf and the YAML of the cloud-init seed. */
static int check_hash(const char *v)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789./$=,-";
	size_t n = strlen(v);

	if (v[0] != '$' || n < 4 || n > 512 || strspn(v, ok) != n)
		return err_set("'%s' is not a password hash: make one with 'openssl passwd -6' "
			       "or 'mkpasswd -m yescrypt'", v);
	return 0;
}

static int check_keys(const char *v)
{
	if (v[0] != '/')
		return err_set("'%s' is not an absolute path: name the file of ssh public keys "
			       "on this head node", v);
	return 0;
}

int login_check(const char *key, const char *value)
{
	int rc;

	if (!strcmp(key, "user"))
		rc = check_user(value);
	else if (!strcmp(key, "password_hash"))
		rc = check_hash(value);
	else if (!strcmp(key, "authorized_keys"))
		rc = check_keys(value);
	else
		return 0;
	/* empty: unset (the cluster's value, or none) */
	return !*value || rc == 0 ? 1 : -1;
}

/* A key as a YAML double-quoted string. */
static char *yaml_quote(const char *s, size_t n)
{
	char *out = xmalloc(2 * n + 3), *o = out;

	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			*o++ = '\\';
		*o++ = s[i];
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* Every line of text that is a key (not blank, not a comment) into the list. */
static void list_keys(struct tscope *vars, const char *text)
{
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\r\n"), lead = strspn(l, " \t");

		if (n > lead && l[lead] != '#') {
			char *q = yaml_quote(l + lead, n - lead);

			tscope_set(tscope_item(vars, "login_keys"), "yaml", q);
			free(q);
		}
		l += n;
		l += strspn(l, "\r\n");
	}
}

int login_plan(struct tscope *vars, struct tree *ident)
{
	const char *user = tscope_get(vars, "login_user");
	const char *path = tscope_get(vars, "login_authorized_keys");
	char *data, *rel;
	size_t len;

	if (!user || !*user || !path || !*path)
		return 0;
	if (read_file(path, &data, &len) < 0)
		return err_wrap("login.authorized_keys (the ssh keys of user %s; fix the path in "
				"bramble.conf [login] or 'imgtool node set'): ", user);
	if (memchr(data, '\0', len)) {
		free(data);
		return err_set("login.authorized_keys %s: not a text file of ssh public keys", path);
	}
	list_keys(vars, data);
	rel = xasprintf("etc/bramble/authorized_keys.%s", user);
	tree_file(ident, rel, 0644, data, len);
	free(rel);
	return 0;
}
