/*
 * test_bounded.c: util/ae_bounded.c, a blocking call bounded in time in a
 * forked child: the result and message come back; a call past the bound is
 * killed (and reaped) at the bound, not when it would have ended; a child
 * that dies without a result is said; bad arguments are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "ae_bounded.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int answers(void *arg, char *msg, size_t len)
{
	snprintf(msg, len, "answer %s", (const char *)arg);
	return 42;
}

static int hangs(void *arg, char *msg, size_t len)
{
	(void)arg;
	(void)msg;
	(void)len;
	sleep(60);
	return 0;
}

static int dies(void *arg, char *msg, size_t len)
{
	(void)arg;
	(void)msg;
	(void)len;
	_exit(3);
}

static int long_message(void *arg, char *msg, size_t len)
{
	(void)arg;
	memset(msg, 'x', len);	/* not terminated: the parent caps it */
	return -7;
}

static void no_child_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_result_and_message(void **state)
{
	char msg[64];
	int result = 0;

	(void)state;
	assert_int_equal(ae_bounded_call(answers, "from the child", 10000, &result, msg,
					 sizeof(msg)), AE_OK);
	assert_int_equal(result, 42);
	assert_string_equal(msg, "answer from the child");
	no_child_left();
}

static void test_message_capped(void **state)
{
	char msg[16];
	int result = 0;

	(void)state;
	assert_int_equal(ae_bounded_call(long_message, NULL, 10000, &result, msg, sizeof(msg)),
			 AE_OK);
	assert_int_equal(result, -7);
	assert_int_equal(strlen(msg), sizeof(msg) - 1);
	no_child_left();
}

/* killed at the bound (300 ms), far before the call's 60 s */
static void test_killed_at_bound(void **state)
{
	char msg[64];
	int result = 1234;
	int64_t t0 = mono_ms();

	(void)state;
	assert_int_equal(ae_bounded_call(hangs, NULL, 300, &result, msg, sizeof(msg)),
			 AE_ERR_TRANSPORT);
	assert_true(mono_ms() - t0 < 30000);	/* generous: a loaded machine */
	assert_true(mono_ms() - t0 >= 300);
	assert_int_equal(result, 1234);		/* untouched */
	no_child_left();
}

static void test_died_without_result(void **state)
{
	char msg[64];
	int result = 1234;

	(void)state;
	assert_int_equal(ae_bounded_call(dies, NULL, 10000, &result, msg, sizeof(msg)), AE_ERR_IO);
	assert_non_null(strstr(msg, "without a result"));
	assert_int_equal(result, 1234);
	no_child_left();
}

static void test_bad_arguments(void **state)
{
	char msg[8];
	int result;

	(void)state;
	assert_int_equal(ae_bounded_call(NULL, NULL, 100, &result, msg, sizeof(msg)),
			 AE_ERR_INVALID);
	assert_int_equal(ae_bounded_call(answers, "", 0, &result, msg, sizeof(msg)),
			 AE_ERR_INVALID);
	assert_int_equal(ae_bounded_call(answers, "", 100, NULL, msg, sizeof(msg)),
			 AE_ERR_INVALID);
	assert_int_equal(ae_bounded_call(answers, "", 100, &result, msg, 0), AE_ERR_INVALID);
	no_child_left();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_and_message),
		cmocka_unit_test(test_message_capped),
		cmocka_unit_test(test_killed_at_bound),
		cmocka_unit_test(test_died_without_result),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
