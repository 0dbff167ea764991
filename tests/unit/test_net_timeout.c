/*
 * test_net_timeout.c: util/ae_net_timeout.c, the per-step network bound:
 * default, clamping, and the resolver held to it (resolver(3) _res:
 * retrans <= min(bound, 5) s, 2 tries only when the bound allows both).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_and_clamp),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_private_resolver_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
