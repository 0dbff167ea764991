/*
 * test_icpr_client.c: what icpr_connect reports when every binding failed
 * (issue D finding 8: the named-pipe fallback reported NT_STATUS_NO_MEMORY
 * for a host that is down instead of the TCP attempt's real cause).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <talloc.h>
#include <core/ntstatus.h>
#include "icpr.h"
#include "leak_check.h"

/* bug: host down -> "NT_STATUS_NO_MEMORY" from the pipe attempt */
static void test_np_no_memory_reports_tcp_cause(void **state)
{
	(void)state;
	assert_true(NT_STATUS_EQUAL(icpr_connect_cause(NT_STATUS_CONNECTION_REFUSED,
						       NT_STATUS_NO_MEMORY),
				    NT_STATUS_CONNECTION_REFUSED));
	assert_true(NT_STATUS_EQUAL(icpr_connect_cause(NT_STATUS_HOST_UNREACHABLE,
						       NT_STATUS_UNSUCCESSFUL),
				    NT_STATUS_HOST_UNREACHABLE));
	/* an informative pipe status stands */
	assert_true(NT_STATUS_EQUAL(icpr_connect_cause(NT_STATUS_CONNECTION_REFUSED,
						       NT_STATUS_ACCESS_DENIED),
				    NT_STATUS_ACCESS_DENIED));
	/* both uninformative: the last one */
	assert_true(NT_STATUS_EQUAL(icpr_connect_cause(NT_STATUS_UNSUCCESSFUL,
						       NT_STATUS_NO_MEMORY),
				    NT_STATUS_NO_MEMORY));
	/* one binding tried (--transport np): its own status */
	assert_true(NT_STATUS_EQUAL(icpr_connect_cause(NT_STATUS_OK, NT_STATUS_NO_MEMORY),
				    NT_STATUS_NO_MEMORY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_np_no_memory_reports_tcp_cause, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
