/*
 * test_net_timeout.c: util/ae_net_timeout.c, the per-step network bound:
 * default, clamping, and the resolver held to it (resolver(3) _res:
 * retrans <= min(bound, 5) s, 2 tries only when the bound allows both);
 * the cycle's deadline (autoenroll:cycle timeout): the arithmetic of
 * min(bound, time left), the deadline passed, the pause for local waits and
 * the texts that name the option.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <resolv.h>
#include <cmocka.h>
#include "ae_net_timeout.h"

static void test_default_and_clamp(void **state)
{
	(void)state;
	assert_int_equal(ae_net_timeout(), AE_NET_TIMEOUT_DEFAULT_S);
	ae_net_timeout_set(7);
	assert_int_equal(ae_net_timeout(), 7);
	ae_net_timeout_set(0);
	assert_int_equal(ae_net_timeout(), AE_NET_TIMEOUT_DEFAULT_S);
	ae_net_timeout_set(AE_NET_TIMEOUT_MAX_S + 1);
	assert_int_equal(ae_net_timeout(), AE_NET_TIMEOUT_MAX_S);
	ae_net_timeout_set(1);
	assert_int_equal(ae_net_timeout(), 1);
}

static void test_resolver(void **state)
{
	(void)state;
	ae_net_timeout_set(30);	/* glibc's own default, unchanged */
	assert_int_equal(_res.retrans, 5);
	assert_int_equal(_res.retry, 2);
	ae_net_timeout_set(5);	/* one try of 5 s */
	assert_int_equal(_res.retrans, 5);
	assert_int_equal(_res.retry, 1);
	ae_net_timeout_set(2);
	assert_int_equal(_res.retrans, 2);
	assert_int_equal(_res.retry, 1);
	ae_net_timeout_set(10);	/* 5 s x 2 */
	assert_int_equal(_res.retrans, 5);
	assert_int_equal(_res.retry, 2);
	ae_net_timeout_set(0);
}

static void test_private_resolver_state(void **state)
{
	struct __res_state rs;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(res_ninit(&rs), 0);
	ae_net_timeout_set(3);
	ae_net_timeout_res(&rs);
	assert_int_equal(rs.retrans, 3);
	assert_int_equal(rs.retry, 1);
	res_nclose(&rs);
	ae_net_timeout_set(0);
}

/* ae_net_bound_s: min(step, time left rounded up to a second), 0 past it */
static void test_bound_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(ae_net_bound_s(30, 0, 300000), 30);	/* plenty left */
	assert_int_equal(ae_net_bound_s(30, 1000, 31000), 30);	/* exactly the step */
	assert_int_equal(ae_net_bound_s(30, 1000, 12000), 11);	/* 11 s left */
	assert_int_equal(ae_net_bound_s(30, 1000, 11001), 11);	/* 10.001 s: a started second */
	assert_int_equal(ae_net_bound_s(30, 1000, 1001), 1);	/* 1 ms left: still 1 s */
	assert_int_equal(ae_net_bound_s(30, 1000, 1000), 0);	/* the deadline itself */
	assert_int_equal(ae_net_bound_s(30, 5000, 1000), 0);	/* past it */
	assert_int_equal(ae_net_bound_s(5, INT64_C(1) << 40, (INT64_C(1) << 40) + 4000), 4);
	assert_int_equal(ae_net_bound_s(0, 0, 1000), 0);
	assert_int_equal(ae_net_bound_s(120, 0, INT64_MAX), 120);	/* no deadline */
	assert_int_equal(ae_net_bound_s(120, -5, INT64_MAX), 120);
	assert_int_equal(ae_net_bound_s(120, INT64_MIN + 1, 0), 120);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0) {
	}
}

/* No deadline: the network timeout alone, nothing passes, INT64_MAX left. */
static void test_no_deadline(void **state)
{
	(void)state;
	ae_net_timeout_set(7);
	ae_net_deadline_set(0);
	assert_int_equal(ae_net_cycle_timeout(), 0);
	assert_true(ae_net_left_ms() == INT64_MAX);
	assert_false(ae_net_deadline_passed());
	assert_int_equal(ae_net_timeout(), 7);
	assert_non_null(strstr(ae_net_no_answer(), "no answer within 7 s (autoenroll:network timeout)"));
	ae_net_timeout_set(0);
}

/* A deadline far away leaves the step's bound; a near one shortens it and
 * the resolver with it; a passed one is said by name. */
static void test_deadline(void **state)
{
	(void)state;
	ae_net_timeout_set(30);
	ae_net_deadline_set(300);
	assert_int_equal(ae_net_cycle_timeout(), 300);
	assert_int_equal(ae_net_timeout(), 30);
	assert_false(ae_net_deadline_passed());
	assert_true(ae_net_left_ms() > 290000 && ae_net_left_ms() <= 300000);
	ae_net_deadline_set(AE_NET_CYCLE_TIMEOUT_MAX_S + 1);	/* clamped */
	assert_int_equal(ae_net_cycle_timeout(), AE_NET_CYCLE_TIMEOUT_MAX_S);

	ae_net_deadline_set(3);		/* shorter than the step: the step is cut */
	assert_true(ae_net_timeout() >= 1 && ae_net_timeout() <= 3);
	assert_true(_res.retrans <= 3);
	assert_int_equal(_res.retry, 1);

	ae_net_deadline_set(1);
	sleep_ms(1100);
	assert_true(ae_net_deadline_passed());
	assert_int_equal(ae_net_left_ms(), 0);
	assert_int_equal(ae_net_timeout(), 1);	/* never 0: "no timeout" to some libraries */
	assert_non_null(strstr(ae_net_no_answer(), "cycle's bound of 1 s (autoenroll:cycle timeout)"));
	assert_non_null(strstr(ae_net_cycle_over(), "not started"));
	assert_non_null(strstr(ae_net_cycle_over(), "autoenroll:cycle timeout"));
	ae_net_deadline_set(0);
	ae_net_timeout_set(0);
}

/* The store lock's wait does not count: the clock stops between pause and resume. */
static void test_pause(void **state)
{
	int64_t before, after;

	(void)state;
	ae_net_timeout_set(30);
	ae_net_deadline_set(2);
	ae_net_deadline_pause();
	before = ae_net_left_ms();
	sleep_ms(2200);			/* longer than the whole deadline */
	assert_false(ae_net_deadline_passed());
	assert_int_equal(ae_net_left_ms(), before);	/* frozen while paused */
	ae_net_deadline_pause();	/* a second pause changes nothing */
	ae_net_deadline_resume();
	after = ae_net_left_ms();
	assert_false(ae_net_deadline_passed());
	assert_true(after > 1000 && after <= before);
	ae_net_deadline_resume();	/* without a pause: nothing */
	assert_true(ae_net_left_ms() <= after);
	ae_net_deadline_set(0);
	ae_net_timeout_set(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_and_clamp),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_private_resolver_state),
		cmocka_unit_test(test_bound_arithmetic),
		cmocka_unit_test(test_no_deadline),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_pause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
