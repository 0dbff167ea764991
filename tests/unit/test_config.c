/*
 * test_config.c: the autoenroll:* options read and validated in one place
 * (ae_config.c): issue D finding 8's configuration bugs, each test named
 * after the bug it pins down, on a real Samba loadparm context.
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
#include "ae_key.h"
#include "ae_template.h"
#include "leak_check.h"

/* smb.conf text -> its values (loadparm) on mem with the --option strings */
static struct ae_smbconf *load(TALLOC_CTX *mem, const char *text, const char *const *options)
{
	char path[] = "/tmp/test_config.XXXXXX";
	struct ae_smbconf *sc = NULL;
	int fd = mkstemp(path);
	char why[256] = "";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(ae_smbconf_load(mem, path, options, &sc, why, sizeof(why)), AE_OK);
	unlink(path);
	return sc;
}

static ae_err try_load(TALLOC_CTX *mem, const char *text, const char *const *options,
		       struct ae_config **c, char *why, size_t n)
{
	struct ae_smbconf *sc = load(mem, text, options);

	why[0] = '\0';
	return ae_config_load(mem, sc, options, "/var/lib/samba", c, why, n);
}

#define GLOBAL "[global]\n\trealm = LAB.EXAMPLE.COM\n\tworkgroup = LAB\n"

static void test_defaults_and_sources(void **state)
{
	const char *opts[] = { "autoenroll:key type=ec:p384", NULL };
	struct ae_config *c = NULL;
	char why[256];

	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:trust command = none\n", opts,
				  &c, why, sizeof(why)), AE_OK);
	assert_string_equal(c->store_dir, "/var/lib/samba/autoenroll/machine");
	assert_int_equal(c->items[AE_OPT_STORE_DIR].source, AE_CONFIG_DEFAULT);
	assert_string_equal(c->key_type, "ec:p384");
	assert_int_equal(c->items[AE_OPT_KEY_TYPE].source, AE_CONFIG_CMDLINE);
	assert_int_equal(c->key_spec.kind, AE_KEY_EC);
	assert_int_equal(c->key_spec.bits, 384);
	assert_string_equal(c->trust_command, "none");
	assert_int_equal(c->items[AE_OPT_TRUST_COMMAND].source, AE_CONFIG_SMBCONF);
	assert_string_equal(c->trust_dir, AE_TRUST_DIR_DEFAULT_PATH);
	assert_null(c->dc);
	assert_int_equal(c->num_unknown, 0);
	assert_string_equal(ae_config_source_name(AE_CONFIG_CMDLINE), "--option");
}

/* bug: rsa:100 / ec:p999 passed until "key generation failed" per template */
static void test_bad_key_type_refused_naming_option(void **state)
{
	static const char *const bad[] = { "rsa:100", "ec:p999", "RSA:2048", "rsa", "ec:P-256",
					   "rsa:2049", "rsa:16392", "ec:p256x" };
	struct ae_config *c = NULL;
	char why[256], conf[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(conf, sizeof(conf), GLOBAL "\tautoenroll:key type = %s\n", bad[i]);
		c = NULL;
		assert_int_equal(try_load(*state, conf, NULL, &c, why, sizeof(why)),
				 AE_ERR_CONFIG);
		assert_null(c);
		assert_non_null(strstr(why, "'autoenroll:key type'"));
	}
	/* the value is named as given */
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:key type = ec:p999\n", NULL, &c,
				  why, sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "'ec:p999'"));
}

/* bug: a relative store path was accepted */
static void test_relative_store_dir_refused(void **state)
{
	const char *opts[] = { "autoenroll:store dir=var/lib/x", NULL };
	struct ae_config *c = NULL;
	char why[256];

	assert_int_equal(try_load(*state, GLOBAL, opts, &c, why, sizeof(why)), AE_ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(why, "'autoenroll:store dir'"));
	assert_non_null(strstr(why, "'var/lib/x'"));
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:trust dir = trust\n", NULL, &c, why,
				  sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "'autoenroll:trust dir'"));
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:dc = dc1 ; rm\n", NULL, &c, why,
				  sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "'autoenroll:dc'"));
}

static bool has(const struct ae_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->num_unknown; i++) {
		if (strcmp(c->unknown[i], name) == 0) {
			return true;
		}
	}
	return false;
}

/* bug: a misspelt autoenroll: option was silently ignored */
static void test_misspelt_option_listed_as_unknown(void **state)
{
	const char *opts[] = { "autoenroll:keytype=ec:p256", NULL };
	struct ae_config *c = NULL;
	char why[256];

	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:stor dir = /x\n"
				  "\tAutoEnroll:Store Dir = /srv/store\n"
				  "\tautoenroll : dc = dc1\n\tother:thing = 1\n", opts, &c, why,
				  sizeof(why)), AE_OK);
	/* known names in any case are not unknown; "autoenroll : dc" is (loadparm
	 * never finds it under autoenroll:dc) */
	assert_string_equal(c->store_dir, "/srv/store");
	assert_int_equal(c->num_unknown, 3);
	assert_true(has(c, "autoenroll:stor dir"));
	assert_true(has(c, "autoenroll : dc"));
	assert_true(has(c, "autoenroll:keytype"));	/* from --option */
	assert_false(has(c, "autoenroll:store dir"));
	assert_null(c->unknown[3]);
}

static void test_names_from_dump(void **state)
{
	static const char dump[] =
		"# Global parameters\n[global]\n\trealm = X\n\tautoenroll:key type = a = b\n"
		"\tAUTOENROLL:x = 1\n\tautoenroll:key type = again\n; autoenroll:c = 1\n"
		"\tautoenrollment:y = 2\n\tautoenroll:no-newline = 1";
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(ae_config_names_from_dump(*state, dump, strlen(dump), &names, &n), AE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "autoenroll:key type");
	assert_string_equal(names[1], "autoenroll:x");
	assert_string_equal(names[2], "autoenroll:no-newline");
	assert_null(names[3]);
	talloc_free(names);
	assert_int_equal(ae_config_names_from_dump(*state, "", 0, &names, &n), AE_OK);
	assert_int_equal(n, 0);
	talloc_free(names);
}

static struct ae_template *tmpl(TALLOC_CTX *mem, unsigned min_bits, const char *alg)
{
	struct ae_template *t = talloc_zero(mem, struct ae_template);

	assert_non_null(t);
	t->cn = talloc_strdup(t, "LabMachine");
	t->min_key_size = min_bits;
	if (alg != NULL) {
		/* a CNG (schema 3) template that names its algorithm ([MS-CRTD] 2.23.2) */
		t->schema_version = 3;
		t->ra.present |= AE_RA_HAS_ASYMMETRIC_ALGORITHM;
		t->ra.asymmetric_algorithm = talloc_strdup(t, alg);
	}
	return t;
}

/* bug: `run` silently replaced ec:p256 by RSA-2048 for an RSA-sized minimum */
static void test_ec_p256_never_silently_rsa(void **state)
{
	const char *opts[] = { "autoenroll:key type=ec:p256", NULL };
	struct ae_config *c = NULL;
	struct ae_key_spec spec = { .kind = AE_KEY_RSA, .bits = 1 };
	char why[512];

	assert_int_equal(try_load(*state, GLOBAL, opts, &c, why, sizeof(why)), AE_OK);
	/* a template without a minimum above 256: the EC key as configured */
	assert_int_equal(ae_config_key_spec(c, NULL, NULL, tmpl(*state, 256, NULL), &spec, why,
					    sizeof(why)), AE_OK);
	assert_int_equal(spec.kind, AE_KEY_EC);
	assert_int_equal(spec.bits, 256);
	/* an RSA-sized minimum: refused, naming the option, not RSA-2048 */
	spec = (struct ae_key_spec){ .kind = AE_KEY_RSA, .bits = 1 };
	assert_int_equal(ae_config_key_spec(c, NULL, NULL, tmpl(*state, 2048, NULL), &spec, why,
					    sizeof(why)), AE_ERR_INVALID);
	assert_int_equal(spec.bits, 1);
	assert_non_null(strstr(why, "autoenroll:key type ec:p256"));
	assert_non_null(strstr(why, "LabMachine"));
	/* --key-type is named when it is the source */
	assert_int_equal(ae_config_key_spec(c, "ec:p384", "--key-type", tmpl(*state, 2048, NULL),
					    &spec, why, sizeof(why)), AE_ERR_INVALID);
	assert_non_null(strstr(why, "--key-type ec:p384"));
	/* a CNG template naming its curve decides (MS-CRTD 2.23.2) */
	assert_int_equal(ae_config_key_spec(c, NULL, NULL, tmpl(*state, 256, "ECDSA_P384"), &spec,
					    why, sizeof(why)), AE_OK);
	assert_int_equal(spec.bits, 384);
}

/* the template minimum still raises an RSA size */
static void test_rsa_raised_to_template_minimum(void **state)
{
	struct ae_config *c = NULL;
	struct ae_key_spec spec;
	char why[512];

	assert_int_equal(try_load(*state, GLOBAL, NULL, &c, why, sizeof(why)), AE_OK);
	assert_int_equal(ae_config_key_spec(c, NULL, NULL, tmpl(*state, 3072, NULL), &spec, why,
					    sizeof(why)), AE_OK);
	assert_int_equal(spec.kind, AE_KEY_RSA);
	assert_int_equal(spec.bits, 3072);
	assert_int_equal(ae_config_key_spec(c, NULL, NULL, tmpl(*state, 20000, NULL), &spec, why,
					    sizeof(why)), AE_ERR_UNSUPPORTED);
	assert_non_null(strstr(why, "autoenroll:key type"));
	assert_true(ae_config_key_type_valid("ec:p521"));
	assert_false(ae_config_key_type_valid("ec:p999"));
}

/* autoenroll:user nssdb: off unless set, Samba's boolean words, anything else refused */
static void test_user_nssdb_option(void **state)
{
	static const char *const yes[] = { "yes", "True", "on", "1" };
	static const char *const no[] = { "no", "FALSE", "off", "0" };
	const struct ae_config_item *it;
	struct ae_config *c = NULL;
	char why[256], text[128];
	size_t i;

	assert_int_equal(try_load(*state, GLOBAL, NULL, &c, why, sizeof(why)), AE_OK);
	assert_false(c->user_nssdb);
	it = &c->items[AE_OPT_USER_NSSDB];
	assert_string_equal(it->name, "autoenroll:user nssdb");
	assert_int_equal(it->source, AE_CONFIG_DEFAULT);
	/* `autoenroll config` prints the default with its reason */
	assert_null(it->value);
	assert_true(strncmp(it->default_text, "no (", 4) == 0);
	assert_non_null(strstr(it->default_text, "source of truth"));
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), GLOBAL "\tautoenroll:user nssdb = %s\n", yes[i]);
		assert_int_equal(try_load(*state, text, NULL, &c, why, sizeof(why)), AE_OK);
		assert_true(c->user_nssdb);
		assert_string_equal(c->items[AE_OPT_USER_NSSDB].value, yes[i]);
		snprintf(text, sizeof(text), GLOBAL "\tautoenroll:user nssdb = %s\n", no[i]);
		assert_int_equal(try_load(*state, text, NULL, &c, why, sizeof(why)), AE_OK);
		assert_false(c->user_nssdb);
	}
	c = NULL;
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:user nssdb = sometimes\n", NULL,
				  &c, why, sizeof(why)), AE_ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(why, "autoenroll:user nssdb"));
	assert_non_null(strstr(why, "sometimes"));
	assert_non_null(strstr(why, "yes or no"));
}

/* autoenroll:mode: auto by default (no value), domain, workgroup; anything else refused */
static void test_mode_option(void **state)
{
	struct ae_config *c = NULL;
	char why[256];

	assert_int_equal(try_load(*state, GLOBAL, NULL, &c, why, sizeof(why)), AE_OK);
	assert_int_equal(c->mode, AE_MODE_AUTO);
	assert_null(c->items[AE_OPT_MODE].value);
	assert_string_equal(c->items[AE_OPT_MODE].name, "autoenroll:mode");
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:mode = workgroup\n", NULL, &c, why,
				  sizeof(why)), AE_OK);
	assert_int_equal(c->mode, AE_MODE_WORKGROUP);
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:mode = Domain\n", NULL, &c, why,
				  sizeof(why)), AE_OK);
	assert_int_equal(c->mode, AE_MODE_DOMAIN);
	c = NULL;
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:mode = standalone\n", NULL, &c,
				  why, sizeof(why)), AE_ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(why, "autoenroll:mode"));
	assert_non_null(strstr(why, "auto, domain or workgroup"));
}

/* autoenroll:network timeout: 30 s by default, 1..300, else refused naming it */
static void test_network_timeout_option(void **state)
{
	static const char *const bad[] = { "0", "301", "5s", "-1", "1e2" };
	struct ae_config *c = NULL;
	char why[256];
	size_t i;

	assert_int_equal(try_load(*state, GLOBAL, NULL, &c, why, sizeof(why)), AE_OK);
	assert_int_equal(c->network_timeout_s, 30);
	assert_string_equal(c->items[AE_OPT_NETWORK_TIMEOUT].value, "30");
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:network timeout = 300\n", NULL, &c,
				  why, sizeof(why)), AE_OK);
	assert_int_equal(c->network_timeout_s, 300);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *conf = talloc_asprintf(*state, GLOBAL "\tautoenroll:network timeout = %s\n",
					     bad[i]);

		c = NULL;
		assert_int_equal(try_load(*state, conf, NULL, &c, why, sizeof(why)), AE_ERR_CONFIG);
		assert_null(c);
		assert_non_null(strstr(why, "autoenroll:network timeout"));
		assert_non_null(strstr(why, "1 to 300"));
		talloc_free(conf);
	}
}

/* autoenroll:cycle timeout: 300 s by default, 10..3600, else refused naming it */
static void test_cycle_timeout_option(void **state)
{
	static const char *const bad[] = { "0", "9", "3601", "5m", "-1", "1e3" };
	struct ae_config *c = NULL;
	char why[256];
	size_t i;

	assert_int_equal(try_load(*state, GLOBAL, NULL, &c, why, sizeof(why)), AE_OK);
	assert_int_equal(c->cycle_timeout_s, 300);
	assert_string_equal(c->items[AE_OPT_CYCLE_TIMEOUT].value, "300");
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:cycle timeout = 10\n", NULL, &c,
				  why, sizeof(why)), AE_OK);
	assert_int_equal(c->cycle_timeout_s, 10);
	assert_int_equal(try_load(*state, GLOBAL "\tautoenroll:cycle timeout = 3600\n", NULL, &c,
				  why, sizeof(why)), AE_OK);
	assert_int_equal(c->cycle_timeout_s, 3600);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *conf = talloc_asprintf(*state, GLOBAL "\tautoenroll:cycle timeout = %s\n",
					     bad[i]);

		c = NULL;
		assert_int_equal(try_load(*state, conf, NULL, &c, why, sizeof(why)), AE_ERR_CONFIG);
		assert_null(c);
		assert_non_null(strstr(why, "autoenroll:cycle timeout"));
		assert_non_null(strstr(why, "10 to 3600"));
		talloc_free(conf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults_and_sources, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_bad_key_type_refused_naming_option, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_relative_store_dir_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_misspelt_option_listed_as_unknown, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_names_from_dump, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_ec_p256_never_silently_rsa, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_user_nssdb_option, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_mode_option, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_network_timeout_option, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_timeout_option, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_raised_to_template_minimum, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
