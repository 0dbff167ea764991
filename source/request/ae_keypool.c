/*
 * ae_keypool.c: keys generated ahead in worker threads, taken in order
 * (ae_keypool.h). The state the workers share with the calling thread is
 * malloc'd and guarded by one mutex; a worker holds it only to pick the
 * next key and to hand in its result, never while generating. talloc is
 * used by the calling thread only: the handle, and what take returns.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/err.h>
#include "ae_keypool.h"

enum slot_state { SLOT_WAITING, SLOT_RUNNING, SLOT_READY, SLOT_TAKEN };

struct slot {
	struct ae_key_spec spec;
	enum slot_state state;
	EVP_PKEY *pkey;		/* READY and generated: owned by the pool until taken */
	ae_err err;		/* READY: the generation's result */
	unsigned long ossl;	/* its OpenSSL error, 0 if none */
};

struct shared {
	pthread_mutex_t mu;
	pthread_cond_t ready;	/* a slot became READY */
	atomic_bool stop;	/* the pool is going away */
	size_t n;
	size_t next;		/* the first WAITING slot */
	struct slot *slots;
	pthread_t *threads;
	unsigned num_threads;
};

struct ae_keypool {
	struct shared *sh;
};

static bool stopped(void *arg)
{
	struct shared *sh = arg;

	return atomic_load(&sh->stop);
}

/* Generate slot i's key (no lock held) and hand the result in. */
static void make_key(struct shared *sh, size_t i, struct ae_key_spec spec)
{
	EVP_PKEY *pkey = NULL;
	unsigned long ossl = 0;
	ae_err err;

	err = ae_key_generate_evp(&spec, stopped, sh, &pkey);
	if (err != AE_OK) {
		ossl = ERR_peek_last_error();
		ERR_clear_error();	/* the queue is this thread's */
	}
	pthread_mutex_lock(&sh->mu);
	sh->slots[i].pkey = pkey;
	sh->slots[i].err = err;
	sh->slots[i].ossl = ossl;
	sh->slots[i].state = SLOT_READY;
	pthread_cond_broadcast(&sh->ready);
	pthread_mutex_unlock(&sh->mu);
}

static void *worker(void *arg)
{
	struct shared *sh = arg;

	pthread_mutex_lock(&sh->mu);
	while (!atomic_load(&sh->stop) && sh->next < sh->n) {
		size_t i = sh->next++;
		struct ae_key_spec spec = sh->slots[i].spec;

		sh->slots[i].state = SLOT_RUNNING;
		pthread_mutex_unlock(&sh->mu);
		make_key(sh, i, spec);
		pthread_mutex_lock(&sh->mu);
	}
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

/* Stop, join, free every key not taken, free the shared state. */
static void shared_free(struct shared *sh)
{
	unsigned t;
	size_t i;

	atomic_store(&sh->stop, true);
	for (t = 0; t < sh->num_threads; t++) {
		pthread_join(sh->threads[t], NULL);
	}
	for (i = 0; i < sh->n; i++) {
		EVP_PKEY_free(sh->slots[i].pkey);
	}
	pthread_cond_destroy(&sh->ready);
	pthread_mutex_destroy(&sh->mu);
	free(sh->threads);
	free(sh->slots);
	free(sh);
}

static int pool_destructor(struct ae_keypool *p)
{
	shared_free(p->sh);
	p->sh = NULL;
	return 0;
}

static unsigned thread_count(size_t n, unsigned max_threads)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = max_threads != 0 ? max_threads : AE_KEYPOOL_THREADS_MAX;

	if (want > AE_KEYPOOL_THREADS_MAX) {
		want = AE_KEYPOOL_THREADS_MAX;
	}
	if (cpus >= 1 && (size_t)cpus < want) {
		want = (size_t)cpus;
	}
	return (unsigned)(n < want ? n : want);
}

static struct shared *shared_new(const struct ae_key_spec *specs, size_t n, unsigned threads)
{
	struct shared *sh = calloc(1, sizeof(*sh));
	size_t i;

	if (sh == NULL) {
		return NULL;
	}
	sh->slots = calloc(n, sizeof(*sh->slots));
	sh->threads = calloc(threads, sizeof(*sh->threads));
	if (sh->slots == NULL || sh->threads == NULL) {
		free(sh->slots);
		free(sh->threads);
		free(sh);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		sh->slots[i].spec = specs[i];
	}
	sh->n = n;
	atomic_init(&sh->stop, false);
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->ready, NULL);
	return sh;
}

/* Up to want workers, with every signal blocked (they stay with the caller's thread). */
static void start_workers(struct shared *sh, unsigned want)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (sh->num_threads < want &&
	       pthread_create(&sh->threads[sh->num_threads], NULL, worker, sh) == 0) {
		sh->num_threads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

ae_err ae_keypool_start(TALLOC_CTX *mem, const struct ae_key_spec *specs, size_t n,
			unsigned max_threads, struct ae_keypool **_pool)
{
	struct ae_keypool *p = NULL;
	unsigned threads;

	if (specs == NULL || n == 0 || n > AE_KEYPOOL_KEYS_MAX || _pool == NULL) {
		return AE_ERR_INVALID;
	}
	threads = thread_count(n, max_threads);
	p = talloc_zero(mem, struct ae_keypool);
	if (p == NULL) {
		return AE_ERR_NOMEM;
	}
	p->sh = shared_new(specs, n, threads);
	if (p->sh == NULL) {
		talloc_free(p);
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(p, pool_destructor);
	/* no thread at all: take() makes each key itself */
	start_workers(p->sh, threads);
	*_pool = p;
	return AE_OK;
}

unsigned ae_keypool_threads(const struct ae_keypool *pool)
{
	return pool != NULL && pool->sh != NULL ? pool->sh->num_threads : 0;
}

/* Why slot s has no key, on mem. */
static char *slot_why(TALLOC_CTX *mem, const struct slot *s)
{
	char spec[32], ossl[256];

	ae_key_spec_describe(&s->spec, spec, sizeof(spec));
	if (s->err == AE_ERR_INVALID) {
		return talloc_asprintf(mem, "invalid key spec (%s, %u bits)",
				       s->spec.kind == AE_KEY_RSA ? "RSA" : "EC", s->spec.bits);
	}
	if (s->ossl != 0) {
		ERR_error_string_n(s->ossl, ossl, sizeof(ossl));
	} else {
		snprintf(ossl, sizeof(ossl), "no OpenSSL error reported");
	}
	return talloc_asprintf(mem, "%s key generation failed: %s", spec, ossl);
}

ae_err ae_keypool_take(struct ae_keypool *pool, size_t i, TALLOC_CTX *mem, struct ae_key **_key,
		       char **why)
{
	struct shared *sh = pool != NULL ? pool->sh : NULL;
	struct slot s;

	if (sh == NULL || i >= sh->n || _key == NULL) {
		return AE_ERR_INVALID;
	}
	pthread_mutex_lock(&sh->mu);
	if (sh->num_threads == 0 && sh->slots[i].state == SLOT_WAITING) {
		sh->slots[i].state = SLOT_RUNNING;
		pthread_mutex_unlock(&sh->mu);
		make_key(sh, i, sh->slots[i].spec);
		pthread_mutex_lock(&sh->mu);
	}
	while (sh->slots[i].state == SLOT_WAITING || sh->slots[i].state == SLOT_RUNNING) {
		pthread_cond_wait(&sh->ready, &sh->mu);
	}
	s = sh->slots[i];
	if (s.state == SLOT_READY) {
		sh->slots[i].state = SLOT_TAKEN;
		sh->slots[i].pkey = NULL;	/* moved out */
	}
	pthread_mutex_unlock(&sh->mu);
	if (s.state != SLOT_READY) {
		return AE_ERR_INVALID;		/* taken before */
	}
	if (s.err != AE_OK) {
		if (why != NULL) {
			*why = slot_why(mem, &s);
		}
		return s.err;
	}
	return ae_key_adopt_evp(mem, s.pkey, _key);	/* frees it on failure */
}
