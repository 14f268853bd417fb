/*
 * The reboot hook of a rollout: --reboot-cmd, else bramble.conf's
 * bootsrv.reboot_cmd, else ssh to the node as root with the cluster key
 * (lib/node_keep.h), checking the node's kept host keys. sh runs
 *
 *   CMD NODE ADDRESS MAC IMAGE
 *
 * with the same in $BRAMBLE_NODE, $BRAMBLE_NODE_IP, $BRAMBLE_NODE_MAC and
 * $BRAMBLE_IMAGE (the version it is to boot), so a PoE switch or power
 * relay script fits as well as ssh (an inline command that wants no
 * arguments ends in '#'). It should start the reboot and exit 0;
 * bootsrv then waits for the node's heartbeat. Its output goes to a pipe
 * whose last line explains a failure.
 */
#include "rollout.h"

#include "err.h"
#include "fsutil.h"
#include "node_build.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Given $5: the cluster key, $6: a known_hosts file with the node's host
 * keys. Three connect attempts: a busy node or a lost SYN must not fail
 * (and revert) a rollout batch; the real-OS node's once did.
 */
static const char ssh_cmd[] =
	"exec ssh -n -i \"$5\" -o BatchMode=yes -o ConnectTimeout=10 -o ConnectionAttempts=3 "
	"-o StrictHostKeyChecking=yes -o UserKnownHostsFile=\"$6\" "
	"root@\"$2\" 'nohup reboot >/dev/null 2>&1 &'";

/* The node's kept ssh host keys as known_hosts lines for addr. */
static int known_hosts(struct daemon *d, const char *name, const char *addr, const char *path)
{
	static const char *const types[] = { "ed25519", "ecdsa", "rsa" };
	char *text = xstrdup("");
	int rc;

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		char *rel = xasprintf("keep/ssh/ssh_host_%s_key.pub", types[i]);
		char *pub = node_path(d->st, name, rel), *key, *next;

		if (path_exists(pub) && read_file(pub, &key, NULL) == 0) {
			key[strcspn(key, "\n")] = '\0';
			next = xasprintf("%s%s %s\n", text, addr, key);
			free(text);
			text = next;
			free(key);
		}
		free(pub);
		free(rel);
	}
	rc = *text ? write_file_atomic(path, text, strlen(text), 0644)
		   : err_set("node %s has no kept ssh host key to check it by", name);
	free(text);
	return rc;
}

static const char exports[] = "export BRAMBLE_NODE=\"$1\" BRAMBLE_NODE_IP=\"$2\" "
			       "BRAMBLE_NODE_MAC=\"$3\" BRAMBLE_IMAGE=\"$4\"\n";

int rollout_hook_start(struct daemon *d, const struct rollout *r, struct rnode *n,
		       const char *to_image, int to_ver)
{
	const char *cmd = r->reboot_cmd ? r->reboot_cmd : d->cfg->reboot_cmd;
	struct bnode *b = bnode_of(d, n->name);
	const char *addr = b && *b->ip ? b->ip : b && b->n.ip ? b->n.ip : "";
	char *key = state_path(d->st, "keep/cluster_ed25519");
	char *hosts = state_path(d->st, "run/known_hosts.%s", n->name);
	char *image = xasprintf("%s@%d", to_image, to_ver), *script = NULL;
	int rc = -1;

	if (!b) {
		err_set("node %s is no longer in the inventory", n->name);
		goto out;
	}
	if (cmd && *cmd) {
		script = xasprintf("%s%s \"$@\"", exports, cmd);
	} else {
		if (!*addr) {
			err_set("no address known for %s to ssh to: give it one (imgtool node set %s "
				"ip=...) or a --reboot-cmd", n->name, n->name);
			goto out;
		}
		if (known_hosts(d, n->name, addr, hosts) < 0)
			goto out;
		script = xasprintf("%s%s", exports, ssh_cmd);
	}
	char *argv[] = { "/bin/sh", "-c", script, "bramble-reboot", n->name, (char *)addr,
			 b->n.mac ? b->n.mac : "", image, key, hosts, NULL };
	if (cmd && *cmd)
		argv[8] = NULL;		/* a hook of its own gets the four */
	n->hook = (struct child){ .name = "reboot hook", .out = -1 };
	rc = child_spawn(&n->hook, argv);
out:
	free(key);
	free(hosts);
	free(image);
	free(script);
	return rc;
}

void rollout_hook_stop(struct rnode *n)
{
	if (n->hook.pid > 0)
		child_stop(&n->hook, 1000);
	if (n->hook.out >= 0)
		close(n->hook.out);
	n->hook.out = -1;
}

void rollout_hook_output(struct rnode *n, char *line, size_t len)
{
	char buf[4096];
	size_t have = 0;
	ssize_t got;

	*line = '\0';
	if (n->hook.out < 0)
		return;
	/* keep the tail: the last complete line is what explains a failure */
	while ((got = read(n->hook.out, buf + have, sizeof buf - 1 - have)) > 0 ||
	       (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		have += (size_t)got;
		if (have == sizeof buf - 1) {
			memmove(buf, buf + have / 2, have - have / 2);
			have -= have / 2;
		}
	}
	close(n->hook.out);
	n->hook.out = -1;
	while (have && buf[have - 1] == '\n')
		have--;
	buf[have] = '\0';
	snprintf(line, len, "%s", strrchr(buf, '\n') ? strrchr(buf, '\n') + 1 : buf);
}
