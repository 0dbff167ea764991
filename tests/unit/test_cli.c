/*
 * test_cli.c: the command line of `autoenroll` that is checked before
 * anything runs (source/cli/cli_args.c), issue D finding 8: -d abc was
 * accepted, `COMMAND --help` printed everything, --json printed nothing on
 * a usage error.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <cmocka.h>
#include <talloc.h>
#include "cli_args.h"
#include "cli_help.h"
#include "cli_output.h"
#include "leak_check.h"

/* bug: "-d abc" was atoi()ed to 0 and accepted */
static void test_debug_level_must_be_a_number(void **state)
{
	static const char *const bad[] = { "abc", "", "3x", "-1", "+1", " 1", "11", "99999999999" };
	int level = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cli_parse_debug(bad[i], &level), -1);
		assert_int_equal(level, 42);
	}
	assert_int_equal(cli_parse_debug("0", &level), 0);
	assert_int_equal(level, 0);
	assert_int_equal(cli_parse_debug("10", &level), 0);
	assert_int_equal(level, 10);
}

static void test_transport_and_ids(void **state)
{
	enum ae_transport_choice t = AE_TRANSPORT_AUTO;
	uint32_t id = 7;

	(void)state;
	assert_int_equal(cli_parse_transport("np", &t), 0);
	assert_int_equal(t, AE_TRANSPORT_NP);
	assert_int_equal(cli_parse_transport("NP", &t), -1);
	assert_int_equal(cli_parse_u32("4294967295", &id), 0);
	assert_int_equal(id, 4294967295u);
	assert_int_equal(cli_parse_u32("4294967296", &id), -1);
	assert_int_equal(cli_parse_u32("-1", &id), -1);
	assert_int_equal(cli_parse_u32("1a", &id), -1);
	assert_int_equal(id, 4294967295u);
}

static void test_wants_json(void **state)
{
	char *a[] = { "autoenroll", "-d", "1", "run", "--json", NULL };
	char *b[] = { "autoenroll", "pol", "--", "--json", NULL };

	(void)state;
	assert_true(cli_wants_json(5, a));
	assert_false(cli_wants_json(4, b));
}

/* Run f with stdout and stderr captured into out/err (NUL-terminated). */
static int capture(int (*f)(int, char **), int argc, char **argv, char *out, size_t out_n,
		   char *err, size_t err_n)
{
	FILE *o = tmpfile(), *e = tmpfile();
	int so = dup(1), se = dup(2), rc;
	size_t n;

	assert_non_null(o);
	assert_non_null(e);
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(o), 1);
	dup2(fileno(e), 2);
	rc = f(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	rewind(o);
	rewind(e);
	n = fread(out, 1, out_n - 1, o);
	out[n] = '\0';
	n = fread(err, 1, err_n - 1, e);
	err[n] = '\0';
	fclose(o);
	fclose(e);
	return rc;
}

static bool g_dry_run_allowed;

static int flags(int argc, char **argv)
{
	bool json = false, dry = false;

	return cli_parse_flags(argc, argv, &json, g_dry_run_allowed ? &dry : NULL, 0);
}

/* bug: `run --help` printed the help of every command */
static void test_subcommand_help_is_that_commands(void **state)
{
	char *argv[] = { "run", "--help", NULL };
	static char out[8192], err[8192];

	(void)state;
	g_dry_run_allowed = true;
	assert_int_equal(capture(flags, 2, argv, out, sizeof(out), err, sizeof(err)), AE_EXIT_OK);
	assert_non_null(strstr(out, "\n  run [--user [NAME]] [--ccache CCNAME] [--json] [--dry-run] [--full]\n"));
	assert_non_null(strstr(out, "--user NAME (alice, DOMAIN\\alice or alice@dns.domain"));
	assert_null(strstr(out, "  request --template"));
	assert_null(strstr(out, "  policy [--user [NAME]]"));
	assert_string_equal(err, "");
	assert_true(cli_is_command("config"));
	assert_false(cli_is_command("bogus"));
}

/* bug: --json printed nothing on a usage error */
static void test_usage_error_with_json_is_one_object(void **state)
{
	char *argv[] = { "status", "--dry-run", NULL };
	static char out[8192], err[8192];

	(void)state;
	g_dry_run_allowed = false;
	cli_set_json(true);
	assert_int_equal(capture(flags, 2, argv, out, sizeof(out), err, sizeof(err)),
			 AE_EXIT_USAGE);
	cli_set_json(false);
	assert_string_equal(out, "{\"error\": \"status takes no --dry-run\", \"exit_code\": 2}\n");
	assert_non_null(strstr(err, "status --help"));
}

/* bug: fatal errors were printed twice */
static int one_fatal(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fatal(AE_EXIT_UNREACHABLE, "run: %s", "the DC is gone");
}

static void test_fatal_error_printed_once(void **state)
{
	static char out[4096], err[4096];

	(void)state;
	assert_int_equal(capture(one_fatal, 0, NULL, out, sizeof(out), err, sizeof(err)),
			 AE_EXIT_UNREACHABLE);
	assert_string_equal(out, "");
	assert_string_equal(err, "autoenroll: run: the DC is gone\n");
	cli_set_json(true);
	assert_int_equal(capture(one_fatal, 0, NULL, out, sizeof(out), err, sizeof(err)),
			 AE_EXIT_UNREACHABLE);
	cli_set_json(false);
	assert_string_equal(out, "{\"error\": \"run: the DC is gone\", \"exit_code\": 5}\n");
	assert_string_equal(err, "autoenroll: run: the DC is gone\n");
}

static const char *g_user, *g_ccache;

static int ctx_flags(int argc, char **argv)
{
	struct cli_ctx_flags f = { 0 };
	bool json = false, dry = false;
	int rc = cli_parse_ctx_flags(argc, argv, &json, &dry, argv[0][0] == 'r' &&
				     argv[0][1] == 'e' ? 1 : 0, &f);

	g_user = f.user;
	g_ccache = f.ccache;
	return rc;
}

/* --user [NAME]: attached, the next word, or alone (the calling user) */
static void test_user_flag(void **state)
{
	char *a1[] = { "run", "--user=LAB\\alice", "--json", NULL };
	char *a2[] = { "run", "--user", "alice", "--ccache", "FILE:/tmp/cc", NULL };
	char *a3[] = { "renew", "--user", "alice", "LabUser", NULL };
	char *a4[] = { "renew", "LabUser", "--user", NULL };
	char *a5[] = { "run", "--user", "--json", NULL };
	static char out[4096], err[4096];

	(void)state;
	assert_int_equal(capture(ctx_flags, 3, a1, out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(g_user, "LAB\\alice");
	assert_null(g_ccache);
	assert_int_equal(capture(ctx_flags, 5, a2, out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(g_user, "alice");
	assert_string_equal(g_ccache, "FILE:/tmp/cc");
	assert_int_equal(capture(ctx_flags, 4, a3, out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(g_user, "alice");
	if (geteuid() == 0) {
		/* root must name the user */
		assert_int_equal(capture(ctx_flags, 3, a4, out, sizeof(out), err, sizeof(err)),
				 AE_EXIT_USAGE);
		assert_non_null(strstr(err, "as root, name the user (--user NAME)"));
		assert_int_equal(capture(ctx_flags, 3, a5, out, sizeof(out), err, sizeof(err)),
				 AE_EXIT_USAGE);
	} else {
		assert_int_equal(capture(ctx_flags, 3, a4, out, sizeof(out), err, sizeof(err)), -1);
		assert_string_equal(g_user, "");
		assert_int_equal(capture(ctx_flags, 3, a5, out, sizeof(out), err, sizeof(err)), -1);
		assert_string_equal(g_user, "");
	}
	/* commands without a user context refuse it */
	assert_int_equal(capture(flags, 3, a1, out, sizeof(out), err, sizeof(err)),
			 AE_EXIT_USAGE);
	assert_non_null(strstr(err, "takes no --user"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debug_level_must_be_a_number, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_transport_and_ids, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wants_json, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_subcommand_help_is_that_commands, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_usage_error_with_json_is_one_object,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_fatal_error_printed_once, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_user_flag, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
