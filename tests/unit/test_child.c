/*
 * test_child.c: the child runner of util/ae_child.c, with real children
 * (/bin/sh, /usr/bin/env): the environment it gets (E7: no KRB5CCNAME, no
 * secret of ours), where its output goes, its exit status, the timeout,
 * the descriptors and stdin it gets, and the command-line splitter.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_child.h"
#include "ae_log.h"

static struct ae_child_result *run(TALLOC_CTX *mem, unsigned timeout_ms, const char *a0,
				   const char *a1, const char *a2)
{
	const char *argv[] = { a0, a1, a2, NULL };
	struct ae_child_result *r = NULL;
	char why[256] = "";

	assert_int_equal(ae_child_run(mem, argv, timeout_ms, &r, why, sizeof(why)), AE_OK);
	assert_non_null(r);
	assert_ptr_equal(talloc_parent(r), mem);
	return r;
}

/*
 * E7: the machine's TGT (KRB5CCNAME, set by the session for libldap) and
 * anything else in our environment must not reach the trust command and
 * its hooks: the child's environment is exactly PATH and LANG.
 */
static void test_trust_command_does_not_inherit_machine_ticket(void **state)
{
	const char *path = getenv("PATH");
	char *saved = path != NULL ? talloc_strdup(NULL, path) : NULL;
	struct ae_child_result *r;

	assert_int_equal(setenv("KRB5CCNAME", "FILE:/var/cache/samba/autoenroll/krb5cc.1", 1), 0);
	assert_int_equal(setenv("AE_TEST_SECRET", "s3cret", 1), 0);
	assert_int_equal(setenv("PATH", "/nonexistent", 1), 0);
	r = run(*state, 10000, "env", NULL, NULL);	/* found in AE_CHILD_PATH, not ours */
	assert_true(r->exited);
	assert_int_equal(r->status, 0);
	assert_null(strstr(r->output, "KRB5CCNAME"));
	assert_null(strstr(r->output, "krb5cc"));
	assert_null(strstr(r->output, "s3cret"));
	assert_string_equal(r->output, "PATH=" AE_CHILD_PATH "\nLANG=C\n");
	unsetenv("AE_TEST_SECRET");
	unsetenv("KRB5CCNAME");
	if (saved != NULL) {
		assert_int_equal(setenv("PATH", saved, 1), 0);
	}
	talloc_free(saved);
}

/* stdout and stderr go to the bounded buffer, never to our stdout (--json) */
static void test_child_output_is_not_on_our_stdout(void **state)
{
	char path[] = "/tmp/ae-test-child-XXXXXX";
	int fd = mkstemp(path), saved = dup(1);
	struct ae_child_result *r;
	char buf[64];
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	assert_int_equal(dup2(fd, 1), 1);
	r = run(*state, 10000, "/bin/sh", "-c", "echo out; echo err >&2");
	fflush(stdout);
	assert_int_equal(dup2(saved, 1), 1);
	close(saved);
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	unlink(path);
	assert_int_equal(n, 0);
	assert_string_equal(r->output, "out\nerr\n");
	assert_int_equal(r->output_len, 8);
	assert_false(r->output_truncated);
	/* the cap */
	r = run(*state, 10000, "/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a");
	assert_true(r->exited);
	assert_int_equal(r->output_len, AE_CHILD_OUTPUT_MAX);
	assert_true(r->output_truncated);
	assert_int_equal(strlen(r->output), AE_CHILD_OUTPUT_MAX);
}

static void test_child_exit_status(void **state)
{
	struct ae_child_result *r;

	r = run(*state, 10000, "/bin/sh", "-c", "exit 7");
	assert_true(r->exited);
	assert_false(r->timed_out);
	assert_int_equal(r->status, 7);
	r = run(*state, 10000, "false", NULL, NULL);
	assert_true(r->exited);
	assert_int_equal(r->status, 1);
	r = run(*state, 10000, "/bin/sh", "-c", "kill -TERM $$");
	assert_false(r->exited);
	assert_false(r->timed_out);
	assert_int_equal(r->status, 15);
}

/* killed (with what it started) after the timeout; the output so far kept */
static void test_child_timeout(void **state)
{
	struct timespec t0, t1;
	struct ae_child_result *r;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = run(*state, 300, "/bin/sh", "-c", "echo started; sleep 30 & wait");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(r->timed_out);
	assert_false(r->exited);
	assert_string_equal(r->output, "started\n");
	assert_true(secs >= 0.25 && secs < 5.0);
}

/* stdin is /dev/null; no descriptor of ours above 2 is inherited; cwd / */
static void test_child_stdin_and_descriptors(void **state)
{
	int fd = open("/dev/null", O_RDONLY);	/* not O_CLOEXEC */
	char script[128];
	struct ae_child_result *r;

	assert_true(fd > 2);
	snprintf(script, sizeof(script),
		 "readlink /proc/self/fd/0; test -e /proc/$$/fd/%d && echo leaked; cat; pwd", fd);
	r = run(*state, 10000, "/bin/sh", "-c", script);
	close(fd);
	assert_true(r->exited);
	assert_int_equal(r->status, 0);
	assert_string_equal(r->output, "/dev/null\n/\n");
}

static void test_child_not_found(void **state)
{
	const char *rel[] = { "bin/true", NULL };
	const char *none[] = { "ae-no-such-program", NULL };
	const char *empty[] = { NULL };
	struct ae_child_result *r = NULL;
	char why[256] = "";

	assert_int_equal(ae_child_run(*state, none, 1000, &r, why, sizeof(why)), AE_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "ae-no-such-program"));
	assert_int_equal(ae_child_run(*state, rel, 1000, &r, why, sizeof(why)), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_child_run(*state, empty, 1000, &r, why, sizeof(why)), AE_ERR_INVALID);
	assert_null(r);
	assert_int_equal(talloc_total_blocks(*state), 1);
}

static void expect_split(TALLOC_CTX *mem, const char *line, ae_err want, size_t words,
			 const char *first)
{
	char **argv = NULL;
	char why[256] = "";
	size_t n = 0;

	assert_int_equal(ae_child_split(mem, line, &argv, why, sizeof(why)), want);
	if (want != AE_OK) {
		assert_null(argv);
		assert_true(why[0] != '\0');
		assert_int_equal(talloc_total_blocks(mem), 1);
		return;
	}
	while (argv[n] != NULL) {
		n++;
	}
	assert_int_equal(n, words);
	assert_string_equal(argv[0], first);
	assert_ptr_equal(talloc_parent(argv), mem);
	talloc_free(argv);
}

static void test_child_split(void **state)
{
	char *many = talloc_strdup(NULL, "");
	int i;

	expect_split(*state, "update-ca-certificates", AE_OK, 1, "update-ca-certificates");
	expect_split(*state, "  /usr/sbin/update-ca-certificates\t--fresh ", AE_OK, 2,
		     "/usr/sbin/update-ca-certificates");
	expect_split(*state, "", AE_ERR_INVALID, 0, NULL);
	expect_split(*state, " \t ", AE_ERR_INVALID, 0, NULL);
	expect_split(*state, "a;b", AE_ERR_INVALID, 0, NULL);
	expect_split(*state, "a $(id)", AE_ERR_INVALID, 0, NULL);
	expect_split(*state, "a `id`", AE_ERR_INVALID, 0, NULL);
	expect_split(*state, "a 'b c'", AE_ERR_INVALID, 0, NULL);
	expect_split(*state, "a > /etc/x", AE_ERR_INVALID, 0, NULL);
	expect_split(*state, "a\nb", AE_ERR_INVALID, 0, NULL);
	for (i = 0; i <= AE_CHILD_ARGS_MAX; i++) {
		many = talloc_strdup_append(many, "w ");
	}
	assert_non_null(many);
	expect_split(*state, many, AE_ERR_TOO_LARGE, 0, NULL);
	talloc_free(many);
	many = talloc_zero_size(NULL, AE_CHILD_CMDLINE_MAX + 2);
	memset(many, 'a', AE_CHILD_CMDLINE_MAX + 1);
	expect_split(*state, many, AE_ERR_TOO_LARGE, 0, NULL);
	talloc_free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trust_command_does_not_inherit_machine_ticket,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_child_output_is_not_on_our_stdout, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_child_exit_status, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_child_timeout, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_child_stdin_and_descriptors, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_child_not_found, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_child_split, leak_setup, leak_teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	ae_log_set_level(-1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
