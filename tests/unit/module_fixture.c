/*
 * module_fixture.c: a module for tests/unit/test_module.c (util/ae_module.h):
 * one table, its size first, as the program's modules have it.
 */
#include <stddef.h>

struct fixture_ops {
	size_t size;
	int (*answer)(void);
};

static int answer(void)
{
	return 42;
}

__attribute__((visibility("default"))) extern const struct fixture_ops ae_fixture_ops_v1;

const struct fixture_ops ae_fixture_ops_v1 = {
	.size = sizeof(struct fixture_ops),
	.answer = answer,
};
