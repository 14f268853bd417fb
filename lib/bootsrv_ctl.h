/*
 * Talking to a running `bootsrv run` over its control socket,
 * <state>/run/bootsrv.sock (AF_UNIX, mode 0600, root only).
 *
 * Protocol: the client sends one JSON object on one line, the daemon
 * answers one JSON object on one line and closes:
 *   {"cmd":"status"}              -> {"ok":true,"nodes":[...],"services":{...}}
 *   {"cmd":"discover"}            -> {"ok":true,"discovered":[...]}
 *   {"cmd":"adopt","node":N[,"mac":M]} -> {"ok":true,"node":N,"mac":M}
 *   {"cmd":"reload"}              -> {"ok":true} once the inventory is applied
 *   {"cmd":"rollout","image":"N@V"[,"nodes":[..],"batch":B,"timeout":S,"reboot_cmd":C]}
 *   {"cmd":"rollback"[,"nodes":[..],"batch":B,"timeout":S,"reboot_cmd":C]}
 *                                 -> {"ok":true,"id":ID,"nodes":N,"batches":K} once started
 *   {"cmd":"rollout-status"[,"id":ID,"since":SEQ]}
 *                                 -> {"ok":true,"id":..,"state":..,"nodes":[..],"log":[..]}
 * A failure is {"ok":false,"error":"one line"}.
 */
#ifndef BRAMBLE_BOOTSRV_CTL_H
#define BRAMBLE_BOOTSRV_CTL_H

#include "state.h"

#include <jansson.h>

#define BOOTSRV_SOCK "run/bootsrv.sock"

/*
 * Send req, return the answer in *resp (caller json_decref()s it).
 * 0 answered (check "ok"), 1 no daemon is running (nothing set),
 * -1 error (err set).
 */
int bootsrv_call(const struct state *st, json_t *req, json_t **resp);
/*
 * Tell a running bootsrv that the inventory changed, and wait until it has
 * applied the change (dnsmasq hosts, NFS exports). Does nothing when no
 * daemon runs. imgtool's node verbs call it after committing; a failure
 * is logged as a warning (the change itself stands).
 * 0 done or no daemon, -1 failed (err set, warning logged).
 */
int bootsrv_notify_reload(const struct state *st);

#endif
