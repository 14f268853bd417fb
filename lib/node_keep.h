/*
 * What a node keeps across re-renders and board swaps, made once in
 * nodes/<n>/keep/ (mode 0700) and copied into its identity layer:
 *
 *   keep/machine-id                          32 hex digits (libuuid)
 *   keep/ssh/ssh_host_{ed25519,ecdsa,rsa}_key{,.pub}   ssh host keys
 *
 * and, for the whole cluster, <state>/keep/cluster_ed25519{,.pub}: the
 * ssh key bootsrv's default rollout reboot hook logs in to nodes with as
 * root. Every identity layer authorizes its public half in
 * etc/bramble/authorized_keys.root (sshd reads it through the overlays'
 * etc/ssh/sshd_config.d/bramble.conf). It is found from a node's keep dir
 * (<state>/nodes/<n>/keep), made with the host keys.
 *
 * A replaced board gets them too: same machine-id, no "host key changed".
 */
#ifndef BRAMBLE_NODE_KEEP_H
#define BRAMBLE_NODE_KEEP_H

#include "node_tree.h"

#include <stddef.h>

#define MACHINE_ID_LEN 32

/*
 * The kept machine-id: 0 when present, 1 when not (out then holds a fresh
 * one for keep_write_machine_id), -1 on error.
 */
int keep_machine_id(const char *keep, char out[MACHINE_ID_LEN + 1]);
int keep_write_machine_id(const char *keep, const char *id);
/*
 * Make the missing ssh host keys of n nodes (their keep dirs and names,
 * the names go in the key comments) of the types listed in types
 * ("ed25519,ecdsa", config cluster.ssh_host_keys), running ssh-keygen for
 * up to one key per CPU at a time; and the cluster key if missing. RSA is
 * left out by default: at about half a second a key it would be most of
 * a node add, and every OpenSSH client since 6.5 takes ed25519.
 */
int keep_ssh_keys(char *const *keeps, char *const *names, size_t n, const char *types);
/* Add the kept ssh host keys there are to ident as etc/ssh/..., and the
 * cluster key as etc/bramble/authorized_keys.root once it is made. */
int keep_add_ssh(const char *keep, struct tree *ident);

#endif
