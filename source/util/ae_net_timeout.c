/*
 * The per-step network bound of ae_net_timeout.h: a process-wide value,
 * set once at session start, read by the transport and directory layers;
 * and the whole cycle's deadline (autoenroll:cycle timeout) that shortens
 * it, on the monotonic clock.
 */
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <time.h>
#include "ae_net_timeout.h"

static unsigned net_timeout_s = AE_NET_TIMEOUT_DEFAULT_S;
static unsigned cycle_s;		/* 0: no deadline */
static int64_t deadline_ms;		/* CLOCK_MONOTONIC */
static int64_t paused_at_ms = -1;	/* a local wait under way (the store lock) */

static int64_t mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		return 0;
	}
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ae_net_timeout_set(unsigned seconds)
{
	if (seconds == 0) {
		seconds = AE_NET_TIMEOUT_DEFAULT_S;
	}
	net_timeout_s = seconds > AE_NET_TIMEOUT_MAX_S ? AE_NET_TIMEOUT_MAX_S : seconds;
	ae_net_timeout_resolver();
}

unsigned ae_net_bound_s(unsigned step_s, int64_t now_ms, int64_t until_ms)
{
	int64_t left, left_s;

	if (until_ms <= now_ms) {
		return 0;
	}
	if (__builtin_sub_overflow(until_ms, now_ms, &left)) {
		return step_s;		/* more time left than an int64_t of ms holds */
	}
	if (left / 1000 >= (int64_t)step_s) {
		return step_s;		/* also "no deadline": until_ms INT64_MAX */
	}
	left_s = left / 1000 + (left % 1000 != 0);	/* a started second counts: never 0 */
	return left_s < (int64_t)step_s ? (unsigned)left_s : step_s;
}

void ae_net_deadline_set(unsigned seconds)
{
	if (seconds > AE_NET_CYCLE_TIMEOUT_MAX_S) {
		seconds = AE_NET_CYCLE_TIMEOUT_MAX_S;
	}
	cycle_s = seconds;
	deadline_ms = mono_ms() + (int64_t)seconds * 1000;
	paused_at_ms = -1;
	ae_net_timeout_resolver();
}

void ae_net_deadline_pause(void)
{
	if (cycle_s != 0 && paused_at_ms < 0) {
		paused_at_ms = mono_ms();
	}
}

void ae_net_deadline_resume(void)
{
	if (cycle_s != 0 && paused_at_ms >= 0) {
		deadline_ms += mono_ms() - paused_at_ms;
		paused_at_ms = -1;
		ae_net_timeout_resolver();
	}
}

unsigned ae_net_cycle_timeout(void)
{
	return cycle_s;
}

int64_t ae_net_left_ms(void)
{
	int64_t left;

	if (cycle_s == 0) {
		return INT64_MAX;
	}
	left = deadline_ms - (paused_at_ms >= 0 ? paused_at_ms : mono_ms());
	return left > 0 ? left : 0;
}

bool ae_net_deadline_passed(void)
{
	return ae_net_left_ms() == 0;
}

unsigned ae_net_timeout(void)
{
	unsigned b;

	if (cycle_s == 0) {
		return net_timeout_s;
	}
	b = ae_net_bound_s(net_timeout_s, 0, ae_net_left_ms());
	/* past the deadline callers refuse to start (ae_net_deadline_passed);
	 * a bound of 0 means "no timeout" to several libraries: never 0 */
	return b > 0 ? b : 1;
}

const char *ae_net_no_answer(void)
{
	static __thread char buf[128];

	if (cycle_s != 0 && ae_net_deadline_passed()) {
		snprintf(buf, sizeof(buf), "no answer within the cycle's bound of %u s "
			 "(autoenroll:cycle timeout)", cycle_s);
	} else {
		snprintf(buf, sizeof(buf), "no answer within %u s (autoenroll:network timeout)",
			 net_timeout_s);
	}
	return buf;
}

const char *ae_net_cycle_over(void)
{
	static __thread char buf[128];

	snprintf(buf, sizeof(buf), "not started: the cycle's bound of %u s "
		 "(autoenroll:cycle timeout) was reached", cycle_s);
	return buf;
}

void ae_net_timeout_res(struct __res_state *rs)
{
	unsigned t = ae_net_timeout();
	unsigned per_try = t < 5 ? t : 5;

	/*
	 * resolver(3): each query waits RES_TIMEOUT (5 s) per try and nameserver,
	 * RES_DFLRETRY (2) tries. Never more than that, and no more than the
	 * step's bound per nameserver: 30 s -> 5 s x 2 (glibc's default), 5 s ->
	 * 5 s x 1, 2 s -> 2 s x 1. getaddrinfo() asks A and AAAA in parallel.
	 */
	rs->retrans = (int)per_try;
	rs->retry = t >= 2 * per_try ? 2 : 1;
}

void ae_net_timeout_resolver(void)
{
	if (res_init() == 0) {
		ae_net_timeout_res(&_res);
	}
}
