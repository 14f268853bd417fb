/*
 * nfsbench SERVER EXPORT LIST: read every file LIST names (one path per
 * line, below EXPORT) whole, in order, over one NFSv3 mount made with
 * libnfs, and print "FILES BYTES MS": what scripts/bench-nfs adds up over
 * its parallel clients. Any error: one line naming the file, exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nfsc/libnfs.h>

#define CHUNK (1 << 20)

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Bytes of the whole file at path, or -1. */
static long long read_whole(struct nfs_context *nfs, const char *path, char *buf)
{
	struct nfsfh *fh;
	long long total = 0;
	int r;

	if (nfs_open(nfs, path, O_RDONLY, &fh) < 0)
		return -1;
	do {
#ifdef LIBNFS_API_V2
		r = nfs_read(nfs, fh, buf, CHUNK);
#else
		r = nfs_read(nfs, fh, CHUNK, buf);
#endif
		total += r > 0 ? r : 0;
	} while (r > 0);
	nfs_close(nfs, fh);
	return r < 0 ? -1 : total;
}

int main(int argc, char **argv)
{
	struct nfs_context *nfs;
	char line[4096], *buf;
	long long files = 0, bytes = 0, t0;
	FILE *list;

	if (argc != 4) {
		fputs("usage: nfsbench SERVER EXPORT LIST\n", stderr);
		return 2;
	}
	if (!(list = fopen(argv[3], "r"))) {
		fprintf(stderr, "nfsbench: cannot read %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	nfs = nfs_init_context();
	buf = malloc(CHUNK);
	if (!nfs || !buf) {
		fputs("nfsbench: out of memory\n", stderr);
		return 1;
	}
	if (nfs_mount(nfs, argv[1], argv[2]) < 0) {
		fprintf(stderr, "nfsbench: cannot mount %s:%s: %s (is the server running?)\n",
			argv[1], argv[2], nfs_get_error(nfs));
		return 1;
	}
	t0 = now_ms();
	while (fgets(line, sizeof line, list)) {
		long long n;

		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		if ((n = read_whole(nfs, line, buf)) < 0) {
			fprintf(stderr, "nfsbench: cannot read %s:%s%s: %s\n", argv[1], argv[2], line,
				nfs_get_error(nfs));
			return 1;
		}
		files++;
		bytes += n;
	}
	printf("%lld %lld %lld\n", files, bytes, now_ms() - t0);
	fclose(list);
	free(buf);
	nfs_destroy_context(nfs);
	return 0;
}
