/*
 * The daemon's side of rollouts and rollbacks: the control requests that
 * start one or ask how it goes, and the state machine rollout.h describes,
 * advanced on every tick of the event loop.
 */
#include "rollout.h"

#include "crashpoint.h"
#include "db.h"
#include "err.h"
#include "log.h"
#include "node_conflict.h"
#include "node_edit.h"
#include "store.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define DEFAULT_BATCH 1
#define DEFAULT_TIMEOUT 300

struct bnode *bnode_of(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->nnodes; i++)
		if (!strcmp(d->nodes[i].n.name, name))
			return &d->nodes[i];
	return NULL;
}

static void save_node(struct daemon *d, struct rnode *n)
{
	if (rollout_db_save_node(d->db, d->rollout, n) < 0)
		log_warn("%s", err_get());
}

static void save(struct daemon *d)
{
	if (rollout_db_save(d->db, d->rollout) < 0)
		log_warn("%s", err_get());
}

static int over(const struct rollout *r);

/* ---- starting one ------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct rnode *)a)->name, ((const struct rnode *)b)->name);
}

/* A listed node: it must exist with a board and an image. */
static int check_node(sqlite3 *db, const char *name, struct node *n)
{
	int rc = inventory_get(db, name, n);

	if (rc != 0)
		return rc < 0 ? -1 : err_set("no node '%s' (see 'imgtool node list')", name);
	if (!n->mac || !n->image) {
		err_set("node %s has no %s: it cannot boot, so it cannot be rolled out", name,
			!n->mac ? "board (MAC)" : "image");
		node_free(n);
		return -1;
	}
	return 0;
}

static void add_node(struct rollout *r, const struct node *n, const char *image, int ver)
{
	struct rnode *x = rollout_add(r, n->name);

	x->from_image = xstrdup(n->image);
	x->from_ver = n->ver;
	x->to_image = xstrdup(image);
	x->to_ver = ver;
}

/* The nodes to move to image@ver: those listed, else every node of image. */
static int rollout_plan(sqlite3 *db, const char *image, int ver, json_t *names, struct rollout *r)
{
	struct node *all, n;
	size_t count, i;
	json_t *v;

	if (json_array_size(names)) {
		json_array_foreach(names, i, v) {
			if (check_node(db, json_string_value(v) ?: "", &n) < 0)
				return -1;
			if (strcmp(n.image, image) || n.ver != ver)
				add_node(r, &n, image, ver);
			node_free(&n);
		}
		return r->n ? 0 : err_set("every node listed runs %s@%d already", image, ver);
	}
	if (inventory_list(db, &all, &count) < 0)
		return -1;
	for (i = 0; i < count; i++)
		if (all[i].mac && all[i].image && !strcmp(all[i].image, image) && all[i].ver != ver)
			add_node(r, &all[i], image, ver);
	nodes_free(all, count);
	return r->n ? 0 : err_set("no node of image %s to move: each runs %s@%d already, or none "
				  "has the image (name them with --nodes)", image, image, ver);
}

static int names_of(json_t *names, char ***out, size_t *n)
{
	size_t i;
	json_t *v;

	*out = xcalloc(json_array_size(names) + 1, sizeof **out);
	*n = 0;
	json_array_foreach(names, i, v) {
		if (!json_is_string(v))
			return err_set("\"nodes\" must be an array of node names");
		(*out)[(*n)++] = (char *)json_string_value(v);
	}
	return 0;
}

static int plan(struct daemon *d, const char *kind, json_t *req, struct rollout *r)
{
	const char *spec = json_string_value(json_object_get(req, "image"));
	json_t *names = json_object_get(req, "nodes");
	char *image = NULL, **list;
	size_t n;
	int ver, rc;

	if (names && !json_is_array(names))
		return err_set("\"nodes\" must be an array of node names");
	if (!strcmp(kind, "rollback")) {
		r->target = xstrdup("previous versions");
		if (names_of(names, &list, &n) < 0) {
			free(list);
			return -1;
		}
		rc = rollback_plan(d->db, list, n, r);
		free(list);
		return rc;
	}
	if (!spec)
		return err_set("rollout needs \"image\": NAME@VER");
	if (store_resolve(d->db, spec, &image, &ver) < 0)
		return -1;
	r->target = xasprintf("%s@%d", image, ver);
	rc = rollout_plan(d->db, image, ver, names, r);
	free(image);
	return rc;
}

static int options(json_t *req, struct rollout *r)
{
	json_t *batch = json_object_get(req, "batch"), *timeout = json_object_get(req, "timeout");
	const char *cmd = json_string_value(json_object_get(req, "reboot_cmd"));

	r->batch = batch ? (int)json_integer_value(batch) : DEFAULT_BATCH;
	r->timeout = timeout ? (int)json_integer_value(timeout) : DEFAULT_TIMEOUT;
	if (r->batch < 1 || r->timeout < 1)
		return err_set("--batch and --timeout must be at least 1");
	r->reboot_cmd = cmd && *cmd ? xstrdup(cmd) : NULL;
	return 0;
}

json_t *rollout_request(struct daemon *d, const char *kind, json_t *req)
{
	struct rollout *r = xcalloc(1, sizeof *r);

	r->kind = strcmp(kind, "rollback") ? "rollout" : "rollback";
	if (d->rollout) {
		err_set(over(d->rollout) ? "%s %lld %s, but its reboot hooks still run: try again "
			"in a moment" : "%s %lld is still %s: wait for it ('bootsrv rollout --status "
			"--wait')", d->rollout->kind, d->rollout->id, ro_state_name(d->rollout->state));
		goto fail;
	}
	if (options(req, r) < 0 || plan(d, r->kind, req, r) < 0)
		goto fail;
	qsort(r->nodes, r->n, sizeof *r->nodes, by_name);
	for (size_t i = 0; i < r->n; i++)
		r->nodes[i].batch = (int)i / r->batch;
	r->nbatches = (int)((r->n + (size_t)r->batch - 1) / (size_t)r->batch);
	if (rollout_db_create(d->db, r) < 0)
		goto fail;
	d->rollout = r;
	rollout_log(d->db, r, "%s of %zu node%s to %s in %d batch%s of %d", r->kind, r->n,
		    r->n == 1 ? "" : "s", r->target, r->nbatches, r->nbatches == 1 ? "" : "es",
		    r->batch);
	return json_pack("{s:b, s:I, s:i, s:i}", "ok", 1, "id", (json_int_t)r->id, "nodes",
			 (int)r->n, "batches", r->nbatches);
fail:
	rollout_free(r);
	return json_pack("{s:b, s:s}", "ok", 0, "error", err_get());
}

json_t *rollout_status_request(struct daemon *d, json_t *req)
{
	json_t *o;

	watch_flush(d);
	o = rollout_db_json(d->db, json_integer_value(json_object_get(req, "id")),
			    json_integer_value(json_object_get(req, "since")));
	return o ? o : json_pack("{s:b, s:s}", "ok", 0, "error", err_get());
}

/* ---- holding a node -------------------------------------------------------- */

/* Rebooted toward a switch that waits for its DHCP: dnsmasq must not answer it. */
static int held(enum rn_state s)
{
	return s == RN_REBOOTING || s == RN_RETURNING;
}

int rollout_holds(const struct daemon *d, const char *name)
{
	const struct rollout *r = d->rollout;

	for (size_t i = 0; r && i < r->n; i++)
		if (held(r->nodes[i].state) && !strcmp(r->nodes[i].name, name))
			return 1;
	return 0;
}

/* The node's bootloader asked to boot since its reboot hook started. */
static int asked_to_boot(struct daemon *d, const struct rnode *n)
{
	struct bnode *b = bnode_of(d, n->name);

	return b && b->pxe_dhcp_at >= n->reboot_at;
}

/* Its row names the version it is moved to: its root was switched. */
static int on_target(struct daemon *d, const struct rnode *n)
{
	struct bnode *b = bnode_of(d, n->name);

	return b && b->n.image && !strcmp(b->n.image, n->to_image) && b->n.ver == n->to_ver;
}

/* Hold n (state held) and start its reboot hook toward image@ver. */
static int hold_and_reboot(struct daemon *d, struct rnode *n, enum rn_state state,
			   const char *image, int ver)
{
	struct rollout *r = d->rollout;

	n->state = state;
	n->reboot_at = now_ms();
	n->deadline = n->reboot_at + (long long)r->timeout * 1000;
	n->lock_waiting = 0;
	if (dnsmasq_reload(d) < 0)
		return err_wrap("cannot keep dnsmasq from answering it: ");
	if (rollout_hook_start(d, r, n, image, ver) < 0)
		return err_wrap("cannot run its reboot hook: ");
	save_node(d, n);
	return 0;
}

/* ---- the steps ----------------------------------------------------------------- */

/*
 * Move the node's root to image@ver while it is down: withdraw it
 * (unexport, unmount), change its row and re-render its identity layer and
 * boot dir in place; the caller publishes it again (daemon_reload). Every
 * step is idempotent, so a resumed rollout simply switches a node again.
 * 1: another command holds the state lock; the loop must not wait for it
 * (an import holds it for minutes), so the caller tries again next tick.
 */
static int switch_node(struct daemon *d, struct rnode *n, const char *image, int ver)
{
	struct bnode *b = bnode_of(d, n->name);
	struct node row;
	int rc;

	if (!b)
		return err_set("node %s is no longer in the inventory", n->name);
	if (state_trylock(d->st) < 0) {
		if (!n->lock_waiting)
			rollout_log(d->db, d->rollout, "%s: its root is switched once the state lock "
				    "is free (it is held until then): %s", n->name, err_get());
		n->lock_waiting = 1;
		return 1;
	}
	rc = nfs_unpublish_node(d, b);
	if (rc == 0)
		rc = inventory_get(d->db, n->name, &row);
	if (rc == 0) {
		free(row.image);
		row.image = xstrdup(image);
		row.ver = ver;
		rc = node_update(d->st, d->db, d->cfg, &row);
		node_free(&row);
	} else if (rc > 0) {
		rc = err_set("node %s is no longer in the inventory", n->name);
	}
	state_unlock(d->st);
	crashpoint("rollout-switched");	/* row changed, root not published */
	return rc;
}

/* Publish the switched roots and lift the holds that ended. */
static void reload(struct daemon *d)
{
	if (daemon_reload(d) < 0)
		log_warn("%s", err_get());
}

static __attribute__((format(printf, 3, 4)))
void fail_node(struct daemon *d, struct rnode *n, const char *fmt, ...)
{
	va_list ap;

	free(n->why);
	va_start(ap, fmt);
	n->why = xvasprintf(fmt, ap);
	va_end(ap);
	n->state = RN_FAILED;
	save_node(d, n);
	rollout_log(d->db, d->rollout, "%s failed: %s", n->name, n->why);
}

/* Say which of the node's own files will shadow what the update changed. */
static void log_conflicts(struct daemon *d, const struct rnode *n)
{
	char *text = NULL, *save = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return;
	rc = node_conflicts(d->st, n->name, n->from_image, n->from_ver, n->to_image, n->to_ver, f);
	fclose(f);
	if (rc < 0)
		log_warn("%s: %s", n->name, err_get());
	for (char *l = strtok_r(text, "\n", &save); rc > 0 && l; l = strtok_r(NULL, "\n", &save))
		rollout_log(d->db, d->rollout, "%s: its own state shadows the update: %s", n->name, l);
	free(text);
}

/* pending -> rebooting: held, the hook started, its root still the one it runs on. */
static void do_reboot(struct daemon *d, struct rnode *n)
{
	struct bnode *b = bnode_of(d, n->name);
	struct rollout *r = d->rollout;

	free(n->old_boot_id);
	n->old_boot_id = b && *b->boot_id ? xstrdup(b->boot_id) : NULL;
	log_conflicts(d, n);
	if (hold_and_reboot(d, n, RN_REBOOTING, n->to_image, n->to_ver) < 0) {
		fail_node(d, n, "%s", err_get());
		return;
	}
	rollout_log(d->db, r, "%s: rebooting (hook pid %d); its root is switched when it asks to "
		    "boot, then up to %d s in all for its heartbeat on %s@%d", n->name,
		    (int)n->hook.pid, r->timeout, n->to_image, n->to_ver);
}

/* rebooting -> switched, once it asked to boot: it is in its firmware now. */
static void switch_when_down(struct daemon *d, struct rnode *n)
{
	struct bnode *b = bnode_of(d, n->name);
	double asked_after;
	int rc;

	if (!asked_to_boot(d, n))
		return;
	asked_after = (b->pxe_dhcp_at - n->reboot_at) / 1000.0;
	if ((rc = switch_node(d, n, n->to_image, n->to_ver)) > 0)
		return;
	if (rc < 0) {
		fail_node(d, n, "switching its root: %s", err_get());
		return;
	}
	n->state = RN_SWITCHED;
	save_node(d, n);
	reload(d);
	rollout_log(d->db, d->rollout, "%s: switched root from %s@%d to %s@%d while it was down "
		    "(it asked to boot %.1f s after the reboot)", n->name, n->from_image,
		    n->from_ver, n->to_image, n->to_ver, asked_after);
}

/* What the node's boot reached since the reboot, from the boot events. */
static char *how_far(struct daemon *d, const struct rnode *n, const struct bnode *b)
{
	static const char *const kinds[] = { "dhcp", "tftp", "nfs", "up" };
	sqlite3_stmt *q;
	int seen = 0;

	watch_flush(d);
	if (db_prepare(d->db, "SELECT kind FROM boot_events WHERE node = ?1 AND time >= ?2", &q) < 0)
		return xstrdup(err_get());
	sqlite3_bind_text(q, 1, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, n->reboot_at);
	while (sqlite3_step(q) == SQLITE_ROW)
		for (int i = 0; i < 4; i++)
			if (!strcmp((const char *)sqlite3_column_text(q, 0), kinds[i]) && i + 1 > seen)
				seen = i + 1;
	sqlite3_finalize(q);
	if (n->state == RN_REBOOTING && n->lock_waiting)
		return xstrdup("its root was never switched: it asked to boot, but another bramble "
			       "command held the state lock all along (an image import?)");
	switch (seen) {
	case 0: return xstrdup("no DHCP: it did not ask to boot (did the reboot hook reboot it?)");
	case 1: return xstrdup("no TFTP: it asked for DHCP but fetched no boot file");
	case 2: return xstrdup("no NFS mount: it fetched boot files but never its kernel, so "
			       "never mounted its root");
	case 3: return xstrdup("no heartbeat: it loaded its kernel, but no heartbeat came from "
			       "its root (NFS mount or init failed?)");
	default: return xasprintf("its heartbeat names %s, not %s@%d", b && *b->image ?
				  b->image : "no image", n->to_image, n->to_ver);
	}
}

/* rebooting or switched: switched when down, done when up on the target, or late. */
static void follow(struct daemon *d, struct rnode *n)
{
	char *want = xasprintf("%s@%d", n->to_image, n->to_ver), *why;
	struct bnode *b;

	if (n->state == RN_REBOOTING)
		switch_when_down(d, n);
	b = bnode_of(d, n->name);	/* a switch re-reads the inventory */
	if (n->state == RN_SWITCHED && b && *b->boot_id &&
	    (!n->old_boot_id || strcmp(b->boot_id, n->old_boot_id)) && !strcmp(b->image, want)) {
		n->state = RN_DONE;
		save_node(d, n);
		rollout_log(d->db, d->rollout, "%s: up on %s (boot %s, %.1f s after the reboot)",
			    n->name, want, b->boot_id, (now_ms() - n->reboot_at) / 1000.0);
	} else if ((n->state == RN_REBOOTING || n->state == RN_SWITCHED) && now_ms() > n->deadline) {
		why = how_far(d, n, b);
		fail_node(d, n, "not back on %s within %d s: %s", want, d->rollout->timeout, why);
		free(why);
	}
	free(want);
}

/* ---- batches ------------------------------------------------------------------- */

static void start_revert(struct daemon *d)
{
	struct rollout *r = d->rollout;
	struct rnode *failed = NULL;

	for (size_t i = 0; i < r->n && !failed; i++)
		if (r->nodes[i].batch == r->cur && r->nodes[i].state == RN_FAILED)
			failed = &r->nodes[i];
	free(r->error);
	r->error = xasprintf("%s %s", failed->name, failed->why);
	r->state = RO_REVERTING;
	save(d);
	rollout_log(d->db, r, "batch %d failed: switching it back", r->cur + 1);
}

static void advance(struct daemon *d)
{
	struct rollout *r = d->rollout;
	int all_done = 1, failed = 0;

	for (size_t i = 0; i < r->n; i++)
		failed |= r->nodes[i].batch == r->cur && r->nodes[i].state == RN_FAILED;
	if (failed) {
		start_revert(d);
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct rnode *n = &r->nodes[i];

		if (n->batch != r->cur)
			continue;
		if (n->state == RN_PENDING)
			do_reboot(d, n);
		else if (n->state == RN_REBOOTING || n->state == RN_SWITCHED)
			follow(d, n);
		all_done &= n->state == RN_DONE;
		failed |= n->state == RN_FAILED;
	}
	if (failed) {
		start_revert(d);
	} else if (all_done) {
		rollout_log(d->db, r, "batch %d of %d done", r->cur + 1, r->nbatches);
		if (++r->cur == r->nbatches) {
			r->state = RO_DONE;
			save(d);
			rollout_log(d->db, r, "done: %zu node%s on %s", r->n, r->n == 1 ? "" : "s",
				    r->target);
		}
	}
}

/*
 * A node of the failed batch goes back: one never switched is only let go
 * (its hold lifted: it boots its old root, which was never touched); a
 * switched one is held and rebooted, to be switched back when it asks to
 * boot (returning).
 */
static void send_back(struct daemon *d, struct rnode *n)
{
	struct rollout *r = d->rollout;

	rollout_hook_stop(n);
	if (!on_target(d, n)) {
		n->state = RN_REVERTED;	/* a failed node keeps its why */
		save_node(d, n);
		reload(d);
		rollout_log(d->db, r, "%s: never switched: %s %s@%d", n->name, n->reboot_at ?
			    "let go, it boots" : "left on", n->from_image, n->from_ver);
	} else if (hold_and_reboot(d, n, RN_RETURNING, n->from_image, n->from_ver) < 0) {
		rollout_log(d->db, r, "%s: %s: switching it back to %s@%d without a reboot", n->name,
			    err_get(), n->from_image, n->from_ver);
		n->deadline = 0;
		save_node(d, n);
	} else {
		rollout_log(d->db, r, "%s: rebooting (hook pid %d); its root is switched back to "
			    "%s@%d when it asks to boot", n->name, (int)n->hook.pid, n->from_image,
			    n->from_ver);
	}
}

/* returning -> reverted: switched back once it asked to boot, or when late. */
static void return_when_down(struct daemon *d, struct rnode *n)
{
	struct rollout *r = d->rollout;
	int asked = asked_to_boot(d, n), rc;

	if (!asked && now_ms() <= n->deadline)
		return;
	if ((rc = switch_node(d, n, n->from_image, n->from_ver)) > 0)
		return;
	if (rc < 0)
		rollout_log(d->db, r, "%s: cannot switch it back to %s@%d: %s", n->name,
			    n->from_image, n->from_ver, err_get());
	else if (asked)
		rollout_log(d->db, r, "%s: switched root back to %s@%d while it was down", n->name,
			    n->from_image, n->from_ver);
	else
		rollout_log(d->db, r, "%s: switched root back to %s@%d without seeing it ask to boot "
			    "within %d s (power-cycle it if it does not come back)", n->name,
			    n->from_image, n->from_ver, r->timeout);
	n->state = RN_REVERTED;
	save_node(d, n);
	reload(d);
}

/* Send the failed batch back; later batches stay untouched. */
static void revert(struct daemon *d)
{
	struct rollout *r = d->rollout;
	int busy = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct rnode *n = &r->nodes[i];

		if (n->batch != r->cur || n->state == RN_REVERTED)
			continue;
		if (n->state == RN_RETURNING)
			return_when_down(d, n);
		else
			send_back(d, n);
		busy |= n->state != RN_REVERTED;
	}
	if (busy)
		return;
	r->state = RO_FAILED;
	save(d);
	rollout_log(d->db, r, "failed: %s", r->error);
}

static int hooks_running(const struct rollout *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->nodes[i].hook.pid > 0)
			return 1;
	return 0;
}

static int over(const struct rollout *r)
{
	return r->state == RO_DONE || r->state == RO_FAILED;
}

void rollout_tick(struct daemon *d)
{
	if (!d->rollout)
		return;
	watch_flush(d);
	if (d->rollout->state == RO_RUNNING)
		advance(d);
	if (d->rollout->state == RO_REVERTING)
		revert(d);
	/* kept until the hooks it started (the reverted batch's reboots) end */
	if (over(d->rollout) && !hooks_running(d->rollout))
		rollout_close(d);
}

void rollout_close(struct daemon *d)
{
	rollout_free(d->rollout);
	d->rollout = NULL;
}

int rollout_reaped(struct daemon *d, pid_t pid, int status)
{
	struct rollout *r = d->rollout;
	char line[512], how[64];

	for (size_t i = 0; r && i < r->n; i++) {
		struct rnode *n = &r->nodes[i];

		if (n->hook.pid != pid)
			continue;
		n->hook.pid = 0;
		rollout_hook_output(n, line, sizeof line);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 1;
		child_status_str(status, how, sizeof how);
		if (n->state == RN_RETURNING) {
			/* no reboot coming: it is switched back on the next tick */
			rollout_log(d->db, r, "%s: reboot hook %s%s%s: switching it back without a "
				    "reboot", n->name, how, *line ? ": " : "", line);
			n->deadline = 0;
			save_node(d, n);
			return 1;
		}
		if (n->state != RN_REBOOTING && n->state != RN_SWITCHED) {
			rollout_log(d->db, r, "%s: reboot hook %s%s%s", n->name, how, *line ? ": " : "",
				    line);
			return 1;
		}
		fail_node(d, n, "reboot hook %s%s%s", how, *line ? ": " : "", line);
		return 1;
	}
	return 0;
}

int rollout_resume(struct daemon *d)
{
	if (rollout_db_active(d->db, &d->rollout) < 0)
		return -1;
	if (d->rollout)
		rollout_log(d->db, d->rollout, "bootsrv restarted: resuming at batch %d of %d",
			    d->rollout->cur + 1, d->rollout->nbatches);
	return 0;
}
