/*
 * The node inventory as an Ansible inventory (imgtool node list --format
 * ansible): the YAML inventory plugin's shape written as JSON, which that
 * plugin reads from a FILE.json given to ansible -i.
 */
#ifndef IMGTOOL_NODE_ANSIBLE_H
#define IMGTOOL_NODE_ANSIBLE_H

#include "inventory.h"

#include <jansson.h>
#include <stddef.h>

/*
 * {"all": {"hosts": {NAME: HOSTVARS}, "children": {GROUP: {"hosts": ...}}}}
 * for the n nodes of v. HOSTVARS: ansible_host (the node's IP, left out
 * when it has none: Ansible then connects to the name), bramble_model,
 * bramble_image, bramble_version, bramble_mac (those the node has) and
 * its user variables, and ansible_user: the node's login user (its
 * login.user, else login_user, bramble.conf [login]) unless a variable sets
 * it. Groups: image_NAME, model_N, and KEY_VALUE per user variable except
 * config.*, login.* and ansible_*; every character Ansible refuses in a
 * group name becomes '_'.
 */
json_t *node_ansible(const struct node *v, size_t n, const char *login_user);

#endif
