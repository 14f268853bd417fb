/*
 * bootsrv's one event loop: epoll over every descriptor the daemon waits
 * on (signalfd, timerfd, dnsmasq's log pipe, the packet socket, the
 * control socket and its clients). Callbacks run one at a time; nothing
 * blocks for long in them.
 */
#ifndef BOOTSRV_LOOP_H
#define BOOTSRV_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

struct loop;
typedef void (*loop_fn)(struct loop *l, int fd, uint32_t events, void *arg);

struct watch;

struct loop {
	int epfd;
	int stop;		/* set to leave loop_run */
	struct watch *dead;	/* removed during a batch, freed after it */
	struct watch *all;
};

int loop_init(struct loop *l);
void loop_free(struct loop *l);
/* Call fn(l, fd, events, arg) whenever fd is ready for events (EPOLLIN...). */
int loop_add(struct loop *l, int fd, uint32_t events, loop_fn fn, void *arg);
/* Stop watching fd (the caller closes it); safe from inside a callback. */
void loop_del(struct loop *l, int fd);
/* Run until l->stop is set; -1 (err set) if epoll fails. */
int loop_run(struct loop *l);

#endif
