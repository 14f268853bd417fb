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
 * Add len bytes at data: on the thread while the caller goes on when
 * behind is set (the caller has more to do before it needs the digest),
 * else before the call returns, as is best for the last or only chunk of
 * a small file: a handover costs two task switches, more than hashing a
 * few KiB, and on a busy machine the thread may wait for a CPU.
 */
void shapipe_update(struct shapipe *p, const void *data, size_t len, int behind);
/* Wait for the chunks given and write the digest. */
void shapipe_final(struct shapipe *p, unsigned char md[SHAPIPE_LEN]);
/* Stop the thread; NULL is fine. */
void shapipe_free(struct shapipe *p);

#endif
