#include "loop.h"

#include "err.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct watch {
	int fd;
	loop_fn fn;
	void *arg;
	struct watch *next;
};

int loop_init(struct loop *l)
{
	l->stop = 0;
	l->dead = l->all = NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? err_errno("epoll_create1") : 0;
}

static void free_list(struct watch *w)
{
	while (w) {
		struct watch *next = w->next;

		free(w);
		w = next;
	}
}

void loop_free(struct loop *l)
{
	free_list(l->all);
	free_list(l->dead);
	l->all = l->dead = NULL;
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int loop_add(struct loop *l, int fd, uint32_t events, loop_fn fn, void *arg)
{
	struct watch *w = xmalloc(sizeof *w);
	struct epoll_event ev = { .events = events, .data.ptr = w };

	*w = (struct watch){ fd, fn, arg, l->all };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(w);
		return err_errno("epoll_ctl add fd %d", fd);
	}
	l->all = w;
	return 0;
}

void loop_del(struct loop *l, int fd)
{
	for (struct watch **p = &l->all; *p; p = &(*p)->next) {
		struct watch *w = *p;

		if (w->fd != fd)
			continue;
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		*p = w->next;
		/* an event for it may still sit in the current batch */
		w->fn = NULL;
		w->next = l->dead;
		l->dead = w;
		return;
	}
}

int loop_run(struct loop *l)
{
	struct epoll_event ev[32];

	while (!l->stop) {
		int n = epoll_wait(l->epfd, ev, 32, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_errno("epoll_wait");
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct watch *w = ev[i].data.ptr;

			if (w->fn)
				w->fn(l, w->fd, ev[i].events, w->arg);
		}
		free_list(l->dead);
		l->dead = NULL;
	}
	return 0;
}
