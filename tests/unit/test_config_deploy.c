/*
 * test_config_deploy.c: the deploy and hook options (ae_config_deploy.c,
 * ae_config.c, deploy/ae_target_parse.c) on a real Samba loadparm context:
 * a good target parsed, every bad value refused naming the option (exit 6).
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
#include <cmocka.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_config.h"
#include "ae_target.h"
#include "leak_check.h"

static ae_err try_load(TALLOC_CTX *mem, const char *text, struct ae_config **c, char *why,
		       size_t n)
{
	char path[] = "/tmp/test_config_deploy.XXXXXX";
	struct ae_smbconf *sc = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(ae_smbconf_load(mem, path, NULL, &sc, why, n), AE_OK);
	unlink(path);
	why[0] = '\0';
	*c = NULL;
	return ae_config_load(mem, sc, NULL, "/var/lib/samba", c, why, n);
}

#define GLOBAL "[global]\n\trealm = LAB.EXAMPLE.COM\n\tworkgroup = LAB\n"

static void test_target_parsed_and_defaults(void **state)
{
	struct ae_config *c = NULL;
	const struct ae_target_spec *t;
	char why[512];

	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:deploy LabWebServer = "
				  "key=/etc/ssl/private/web.key cert=/etc/ssl/certs/web.crt "
				  "fullchain=/etc/ssl/certs/web.full.pem owner=root group=0 mode=0640\n",
				  &c, why, sizeof(why)), AE_OK);
	assert_int_equal(c->num_deploy, 1);
	assert_int_equal(c->num_unknown, 0);
	t = ae_config_deploy_for(c, "LABWEBSERVER");	/* AD names are case-insensitive */
	assert_non_null(t);
	assert_string_equal(t->path[AE_TARGET_KEY], "/etc/ssl/private/web.key");
	assert_string_equal(t->path[AE_TARGET_CERT], "/etc/ssl/certs/web.crt");
	assert_null(t->path[AE_TARGET_CHAIN]);
	assert_string_equal(t->path[AE_TARGET_FULLCHAIN], "/etc/ssl/certs/web.full.pem");
	assert_true(t->has_owner && t->uid == 0 && t->has_group && t->gid == 0);
	assert_int_equal(t->key_mode, 0640);
	assert_null(ae_config_deploy_for(c, "LabMachine"));
	/* the hook options' defaults */
	assert_string_equal(c->hooks_dir, AE_HOOKS_DIR_DEFAULT);
	assert_null(c->hook_argv);
	assert_int_equal(c->hook_timeout_s, 60);
}

static void test_hook_options(void **state)
{
	struct ae_config *c = NULL;
	char why[512];

	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:hook = /usr/local/sbin/reload web\n"
				  "\tautoenroll:hooks dir = /etc/ae/hooks.d\n"
				  "\tautoenroll:hook timeout = 5\n", &c, why, sizeof(why)), AE_OK);
	assert_string_equal(c->hook_argv[0], "/usr/local/sbin/reload");
	assert_string_equal(c->hook_argv[1], "web");
	assert_null(c->hook_argv[2]);
	assert_string_equal(c->hooks_dir, "/etc/ae/hooks.d");
	assert_int_equal(c->hook_timeout_s, 5);
}

/* each bad value: AE_ERR_CONFIG, nothing returned, the option and the cause named */
static void expect_bad(TALLOC_CTX *mem, const char *line, const char *option, const char *cause)
{
	struct ae_config *c = NULL;
	char text[2048], why[1024];

	snprintf(text, sizeof(text), GLOBAL "\t%s\n", line);
	assert_int_equal(try_load(mem, text, &c, why, sizeof(why)), AE_ERR_CONFIG);
	assert_null(c);
	if (strstr(why, option) == NULL || strstr(why, cause) == NULL) {
		fail_msg("'%s': why '%s' does not name '%s' and '%s'", line, why, option, cause);
	}
}

static void test_bad_values_refused_naming_option(void **state)
{
	const char *k = "autoenroll:deploy LabMachine = ";
	char line[1024];
	static const char *const cases[][2] = {
		{ "key=etc/k cert=/c", "absolute" },
		{ "key=/etc/../k cert=/c", "absolute" },
		{ "key=/etc/./k cert=/c", "absolute" },
		{ "key=/etc//k cert=/c", "absolute" },
		{ "key=/etc/k/ cert=/c", "absolute" },
		{ "key=/k cert=/c colour=red", "unknown key" },
		{ "key=/k cert=/c owner=no-such-user-ae", "no such user" },
		{ "key=/k cert=/c group=no-such-group-ae", "no such group" },
		{ "key=/k cert=/c mode=0644", "0640" },
		{ "key=/k cert=/c mode=640", "0640" },
		{ "key=/k cert=/c mode=0600x", "0640" },
		{ "key=/k", "required" },
		{ "cert=/c", "required" },
		{ "key=/k cert=/k", "same file" },
		{ "key=/k key=/k2 cert=/c", "twice" },
		{ "key=/k cert", "key=value" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "%s%s", k, cases[i][0]);
		expect_bad(*state, line, "autoenroll:deploy labmachine", cases[i][1]);
	}
	expect_bad(*state, "autoenroll:hook = reload-web", "autoenroll:hook", "absolute");
	expect_bad(*state, "autoenroll:hook = /bin/sh -c 'x; y'", "autoenroll:hook", "shell");
	expect_bad(*state, "autoenroll:hook timeout = 0", "autoenroll:hook timeout", "1 to 3600");
	expect_bad(*state, "autoenroll:hooks dir = hooks.d", "autoenroll:hooks dir", "absolute");
}

static void test_two_targets_sharing_a_file_refused(void **state)
{
	struct ae_config *c = NULL;
	char why[1024];

	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:deploy A = key=/x/a.key cert=/x/c\n"
				  "\tautoenroll:deploy B = key=/x/b.key cert=/x/c\n", &c, why,
				  sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "/x/c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_target_parsed_and_defaults, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_hook_options, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_bad_values_refused_naming_option, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_two_targets_sharing_a_file_refused, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
