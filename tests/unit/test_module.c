/*
 * test_module.c: util/ae_module.c, the loader of the program's modules: the
 * build tree's module for a program run from the build tree (this test
 * is), its table and size checked, files that are not root's (or ours)
 * alone refused, and a failure answered the same way every later time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "ae_module.h"

struct fixture_ops {
	size_t size;
	int (*answer)(void);
};

static char g_dir[] = "/tmp/ae-test-module-XXXXXX";

static void copy_fixture(const char *to, mode_t mode)
{
	char cmd[8300];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", AE_FIXTURE_MODULE, to);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(chmod(to, mode), 0);
}

static void test_loads_the_build_trees_module(void **state)
{
	struct ae_module m = { .installed = "/nonexistent/never-used.so",
			       .build = AE_FIXTURE_MODULE, .symbol = "ae_fixture_ops_v1",
			       .size = sizeof(struct fixture_ops) };
	char why[256] = "";
	const struct fixture_ops *ops;

	(void)state;
	ops = ae_module_table(&m, why, sizeof(why));
	assert_non_null(ops);
	assert_int_equal(ops->answer(), 42);
	assert_ptr_equal(ae_module_table(&m, why, sizeof(why)), ops);	/* loaded once */
	assert_string_equal(why, "");
}

static void test_wrong_table(void **state)
{
	struct ae_module size = { .installed = "/nonexistent", .build = AE_FIXTURE_MODULE,
				  .symbol = "ae_fixture_ops_v1", .size = 8 * sizeof(size_t) };
	struct ae_module name = { .installed = "/nonexistent", .build = AE_FIXTURE_MODULE,
				  .symbol = "ae_other_ops_v1", .size = sizeof(struct fixture_ops) };
	char why[512];

	(void)state;
	assert_null(ae_module_table(&size, why, sizeof(why)));
	assert_non_null(strstr(why, "is not this version's module (another table size)"));
	assert_non_null(strstr(why, AE_FIXTURE_MODULE));
	assert_null(ae_module_table(&name, why, sizeof(why)));
	assert_non_null(strstr(why, "(no table)"));
}

static void test_missing_file_named(void **state)
{
	struct ae_module m = { .installed = "/nonexistent", .build = "/nonexistent/ae-x.so",
			       .symbol = "ae_fixture_ops_v1", .size = sizeof(struct fixture_ops) };
	char why[512];

	(void)state;
	assert_null(ae_module_table(&m, why, sizeof(why)));
	assert_string_equal(why, "cannot load the module /nonexistent/ae-x.so: No such file or "
			    "directory");
}

static void test_refused_files(void **state)
{
	char writable[4096], link[4096], why[512];
	struct ae_module m = { .installed = "/nonexistent", .symbol = "ae_fixture_ops_v1",
			       .size = sizeof(struct fixture_ops) };
	struct ae_module l = m;

	(void)state;
	snprintf(writable, sizeof(writable), "%s/group-writable.so", g_dir);
	copy_fixture(writable, 0664);
	m.build = writable;
	assert_null(ae_module_table(&m, why, sizeof(why)));
	assert_non_null(strstr(why, "mode 0664"));
	assert_non_null(strstr(why, "refused"));
	/* made right afterwards: the answer stays (a run does not retry) */
	assert_int_equal(chmod(writable, 0644), 0);
	assert_null(ae_module_table(&m, why, sizeof(why)));
	assert_non_null(strstr(why, "mode 0664"));

	snprintf(link, sizeof(link), "%s/link.so", g_dir);
	assert_int_equal(symlink(AE_FIXTURE_MODULE, link), 0);
	l.build = link;
	assert_null(ae_module_table(&l, why, sizeof(why)));
	assert_non_null(strstr(why, "is not a regular file"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(g_dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_the_build_trees_module),
		cmocka_unit_test(test_wrong_table),
		cmocka_unit_test(test_missing_file_named),
		cmocka_unit_test(test_refused_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
