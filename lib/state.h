/*
 * The state directory (default /var/lib/bramble; --state or BRAMBLE_STATE)
 * and its one lock. Every command that changes the state takes the lock
 * for its whole run, so two imports, or an import and a node add, serialize.
 */
#ifndef BRAMBLE_STATE_H
#define BRAMBLE_STATE_H

#define STATE_DEFAULT_DIR "/var/lib/bramble"

struct state {
	char *dir;
	int lock_fd;	/* -1 while not locked */
};

/* Resolve the directory (arg, else $BRAMBLE_STATE, else the default) and
 * create the layout (images/, nodes/, tftp/, run/, objects/) if missing. */
int state_open(struct state *st, const char *dir);
void state_close(struct state *st);
/* Exclusive lock on <state>/lock; blocks, saying once that it waits. */
int state_lock(struct state *st);
/* The same without waiting: -1 with err set when another command holds it
 * (bootsrv's event loop must never wait behind an import). */
int state_trylock(struct state *st);
void state_unlock(struct state *st);
/* <state>/<printf-formatted relative path>, newly allocated. */
char *state_path(const struct state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
