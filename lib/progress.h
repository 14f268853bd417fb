/*
 * Progress of long work (imports): a one-line bar on a TTY (bytes and
 * files, rate, ETA from totals a pre-scan found), a plain log line every few
 * seconds otherwise, nothing at all when quiet. Output goes to stderr.
 */
#ifndef BRAMBLE_PROGRESS_H
#define BRAMBLE_PROGRESS_H

#include <stdint.h>

enum progress_mode { PROGRESS_QUIET, PROGRESS_LINES, PROGRESS_BAR };

struct progress {
	enum progress_mode mode;
	char *label;
	uint64_t total_bytes, total_files;
	uint64_t bytes, files;
	double start, last;	/* monotonic seconds */
	int drawn;		/* a bar is on screen */
};

/* Bar on a TTY, lines otherwise, or quiet. */
void progress_init(struct progress *p, int quiet);
/* Start a phase; totals may be 0 (unknown: no percentage, no ETA). */
void progress_begin(struct progress *p, const char *label, uint64_t total_bytes,
		    uint64_t total_files);
void progress_add(struct progress *p, uint64_t bytes, uint64_t files);
/* Finish the phase with a summary line (not when quiet). */
void progress_end(struct progress *p);
void progress_free(struct progress *p);

#endif
