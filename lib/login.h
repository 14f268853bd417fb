/*
 * The login user of the nodes: what Raspberry Pi Imager asks for (user
 * name, password hash, ssh keys), set cluster-wide in bramble.conf [login]
 * and per node with 'imgtool node set NAME login.KEY=VALUE'.
 *
 * node_vars() resolves them into the template variables login_user,
 * login_password_hash and login_authorized_keys (the keys file on the
 * head); login_plan() reads that file into the identity layer
 * (/etc/bramble/authorized_keys.USER, which the node's sshd reads) and into
 * the list login_keys (field yaml: the key as a YAML string, for the
 * cloud-init seed). bramble-login.service makes the user on the node.
 */
#ifndef BRAMBLE_LOGIN_H
#define BRAMBLE_LOGIN_H

#include "node_tree.h"
#include "template.h"

/* Is value good for key (user, password_hash, authorized_keys)? 1 if key is
 * one of them and value fits, 0 if key is none of them, -1 (err set) if value
 * is wrong for it. */
int login_check(const char *key, const char *value);

/* Read the keys file vars name into ident and the login_keys list. */
int login_plan(struct tscope *vars, struct tree *ident);

#endif
