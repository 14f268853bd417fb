#include "shapipe.h"

#include "xalloc.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

struct shapipe {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a chunk was given, or taken off */
	EVP_MD_CTX *md;		/* the thread's while a chunk is in flight */
	const void *data;	/* the chunk in flight, NULL when idle */
	size_t len;
	int stop;
};

static void *hash_chunks(void *arg)
{
	struct shapipe *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->data && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!p->data)
			break;
		pthread_mutex_unlock(&p->lock);
		EVP_DigestUpdate(p->md, p->data, p->len);
		pthread_mutex_lock(&p->lock);
		p->data = NULL;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Wait until no chunk is in flight: md is the caller's again. */
static void wait_idle(struct shapipe *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->data)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

struct shapipe *shapipe_new(void)
{
	struct shapipe *p = xcalloc(1, sizeof *p);

	p->md = EVP_MD_CTX_new();
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (!p->md || pthread_create(&p->thread, NULL, hash_chunks, p) != 0) {
		EVP_MD_CTX_free(p->md);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		free(p);
		return NULL;
	}
	return p;
}

void shapipe_init(struct shapipe *p)
{
	wait_idle(p);
	EVP_DigestInit_ex(p->md, EVP_sha256(), NULL);
}

void shapipe_update(struct shapipe *p, const void *data, size_t len, int behind)
{
	wait_idle(p);
	if (!behind) {
		EVP_DigestUpdate(p->md, data, len);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->data = data;
	p->len = len;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void shapipe_final(struct shapipe *p, unsigned char md[SHAPIPE_LEN])
{
	wait_idle(p);
	EVP_DigestFinal_ex(p->md, md, NULL);
}

void shapipe_free(struct shapipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	EVP_MD_CTX_free(p->md);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}
