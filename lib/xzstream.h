/*
 * .xz decompression as a stream (liblzma): the image is never held in
 * memory, and runs of zero blocks become holes in the output, so a
 * mostly-empty disk image stays as small on disk as it was compressed.
 */
#ifndef BRAMBLE_XZSTREAM_H
#define BRAMBLE_XZSTREAM_H

#include "progress.h"

#include <stdint.h>

/* Does fd start with the .xz magic? 1 yes, 0 no, -1 read error. */
int xz_detect(int fd, const char *path);
/*
 * Decompress all of in (from offset 0) into out (empty, seekable) and set
 * out's size. A truncated or corrupt stream is an error naming in_path.
 * progress (may be NULL) counts compressed bytes against in's size.
 */
int xz_decompress(int in, const char *in_path, int out, const char *out_path,
		  struct progress *progress, uint64_t *out_size);

#endif
