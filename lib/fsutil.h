/*
 * Small filesystem helpers. Everything that changes the state directory
 * goes through write_file_atomic() or a staging directory + rename, so a
 * crash leaves the old or the new content, never a mix.
 */
#ifndef BRAMBLE_FSUTIL_H
#define BRAMBLE_FSUTIL_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode);
/*
 * Write temp file <path>.tmp.<pid>, fsync, rename over path, fsync dir;
 * then remove the temp files of earlier writes of path whose writer was
 * killed between its write and its rename.
 */
int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode);
/* Read a whole file, NUL-terminated; *len (optional) excludes the NUL. */
int read_file(const char *path, char **out, size_t *len);
/* rm -rf that never crosses into another filesystem (a forgotten mount). */
int rm_rf(const char *path);
int fsync_dir(const char *dir);
/* syncfs(2) of the filesystem holding dir: one flush for many files. */
int sync_fs(const char *dir);
/*
 * The same on a thread of its own, so the caller can work while the disk
 * does: sync_fs_end() waits for it and names its failure.
 */
struct fs_sync {
	pthread_t thread;
	int threaded;	/* else it ran before sync_fs_begin() returned */
	int fd, err;	/* errno of syncfs, 0 when it succeeded */
	char *dir;
};
int sync_fs_begin(const char *dir, struct fs_sync *s);
int sync_fs_end(struct fs_sync *s);
/* Directory part of path, newly allocated. */
char *dir_of(const char *path);
int path_exists(const char *path);
/* 1 when name is write_file_atomic's temp file and its writer is gone. */
int temp_writer_gone(const char *name);
/* Remove the temp files of path (in dir) whose writers are gone. */
void remove_dead_temps(const char *path, const char *dir);
/* 1 when a live process holds a flock() on the directory (a command at
 * work in it), 0 when nobody does, -1 when it cannot be opened. */
int dir_in_use(const char *dir);

#endif
