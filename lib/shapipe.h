/*
 * SHA-256 on a second thread: an import hashes one chunk of a file while
 * it writes that chunk and reads the next, so hashing (a third of its CPU)
 * runs beside the copy instead of before it.
 *
 * One chunk is in flight at a time. A chunk given to shapipe_update()
 * must stay unchanged until the next call on the pipe returns, so a caller
 * alternating two buffers can refill the one the pipe is not reading.
 */
#ifndef BRAMBLE_SHAPIPE_H
#define BRAMBLE_SHAPIPE_H

#include <stddef.h>

#define SHAPIPE_LEN 32

struct shapipe;

/* Start the hashing thread; NULL when it cannot be started. */
struct shapipe *shapipe_new(void);
/* Begin a new digest (an unfinished one is dropped). */
void shapipe_init(struct shapipe *p);
/*
 * Add len bytes at data. Big chunks are hashed on the thread while the
 * caller goes on; small ones (metadata) on the caller's, before the call
 * returns, so they may live on its stack.
 */
void shapipe_update(struct shapipe *p, const void *data, size_t len);
/* Wait for the chunks given and write the digest. */
void shapipe_final(struct shapipe *p, unsigned char md[SHAPIPE_LEN]);
/* Stop the thread; NULL is fine. */
void shapipe_free(struct shapipe *p);

#endif
