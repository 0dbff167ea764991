/*
 * leak_check.h: the talloc leak check used as cmocka setup/teardown: the
 * test gets a fresh context in *state, and the teardown fails the test when
 * the process holds more (or fewer) talloc blocks than before it.
 * Include after <cmocka.h> and <talloc.h>; static functions only.
 */
#ifndef LEAK_CHECK_H
#define LEAK_CHECK_H

#include <stdio.h>
#include <talloc.h>

static size_t g_blocks_before;

static int leak_setup(void **state)
{
	g_blocks_before = talloc_total_blocks(NULL);
	*state = talloc_new(NULL);
	return *state == NULL ? -1 : 0;
}

static int leak_teardown(void **state)
{
	size_t after;

	talloc_free(*state);
	after = talloc_total_blocks(NULL);
	if (after != g_blocks_before) {
		print_error("talloc leak: %zu blocks before, %zu after\n", g_blocks_before, after);
		talloc_report_full(NULL, stderr);
		return -1;
	}
	return 0;
}

#endif
