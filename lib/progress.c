#include "progress.h"

#include "log.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_EVERY 5.0	/* seconds between plain log lines */
#define BAR_EVERY 0.1
#define MiB (1024.0 * 1024.0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, int quiet)
{
	memset(p, 0, sizeof *p);
	p->mode = quiet ? PROGRESS_QUIET : isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_LINES;
}

void progress_begin(struct progress *p, const char *label, uint64_t total_bytes,
		    uint64_t total_files)
{
	free(p->label);
	p->label = xstrdup(label);
	p->total_bytes = total_bytes;
	p->total_files = total_files;
	p->bytes = p->files = 0;
	p->start = p->last = now();
}

static void eta(char *buf, size_t n, double secs)
{
	if (secs < 0 || secs > 360000)
		snprintf(buf, n, "--:--");
	else
		snprintf(buf, n, "%d:%02d", (int)secs / 60, (int)secs % 60);
}

static void draw(struct progress *p, double t)
{
	double el = t - p->start, rate = el > 0 ? p->bytes / el : 0;
	double frac = p->total_bytes ? (double)p->bytes / p->total_bytes : 0;
	char left[16];

	if (frac > 1)
		frac = 1;
	eta(left, sizeof left, rate > 0 && p->total_bytes ? (p->total_bytes - p->bytes) / rate : -1);
	if (p->mode == PROGRESS_BAR) {
		char bar[21];
		int fill = (int)(frac * 20);

		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(20 - fill));
		bar[20] = '\0';
		fprintf(stderr, "\r%s [%s] %3d%% %.0f/%.0f MiB %llu/%llu files %.1f MiB/s ETA %s\033[K",
			p->label, bar, (int)(frac * 100), p->bytes / MiB, p->total_bytes / MiB,
			(unsigned long long)p->files, (unsigned long long)p->total_files,
			rate / MiB, left);
		p->drawn = 1;
	} else {
		log_info("%s: %3d%% %.0f/%.0f MiB, %llu/%llu files, %.1f MiB/s, ETA %s",
			p->label, (int)(frac * 100), p->bytes / MiB, p->total_bytes / MiB,
			(unsigned long long)p->files, (unsigned long long)p->total_files,
			rate / MiB, left);
	}
	fflush(stderr);
	p->last = t;
}

void progress_add(struct progress *p, uint64_t bytes, uint64_t files)
{
	double t;

	p->bytes += bytes;
	p->files += files;
	if (p->mode == PROGRESS_QUIET)
		return;
	t = now();
	if (t - p->last >= (p->mode == PROGRESS_BAR ? BAR_EVERY : LINE_EVERY))
		draw(p, t);
}

void progress_end(struct progress *p)
{
	double el = now() - p->start;

	if (p->mode == PROGRESS_QUIET)
		return;
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = 0;
	log_info("%s: %.0f MiB, %llu files in %.1f s (%.1f MiB/s)", p->label,
		p->bytes / MiB, (unsigned long long)p->files, el,
		el > 0 ? p->bytes / MiB / el : 0);
}

void progress_free(struct progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	free(p->label);
	p->label = NULL;
}
