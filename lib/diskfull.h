/*
 * Write errors that name their fix. ENOSPC and EDQUOT on the state
 * filesystem are the failures an admin can do something about, so they say
 * "disk full" and what to do instead of a bare strerror().
 */
#ifndef BRAMBLE_DISKFULL_H
#define BRAMBLE_DISKFULL_H

/* As err_errno(); on ENOSPC/EDQUOT the message says the disk is full. */
int err_write(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
