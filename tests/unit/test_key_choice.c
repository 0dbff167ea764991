/*
 * test_key_choice.c: a template's key source (source/engine/ae_key_choice.h)
 * from its crypto providers, msPKI-Private-Key-Flag and the key storage
 * options, with a TPM absent (a TCTI nobody answers) and present (swtpm,
 * started and stopped by PID through tests/tpm/swtpm.sh; installed by
 * tests/deps.sh, so this never skips).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include "ae_config.h"
#include "ae_key_choice.h"
#include "ae_key_tpm.h"
#include "ae_template.h"
#include "swtpm_helpers.h"

static char g_dir[] = "/tmp/ae-test-choice-XXXXXX";

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(g_dir) == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	char cmd[512];

	(void)state;
	ae_key_tpm_close();
	snprintf(cmd, sizeof(cmd), "%s stop %s; rm -rf '%s'", SWTPM_SH, g_dir, g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ae_template_csp pcp[] = { { 1, (char *)AE_PLATFORM_CRYPTO_PROVIDER } };
static struct ae_template_csp soft[] = {
	{ 1, (char *)"Microsoft RSA SChannel Cryptographic Provider" } };
static struct ae_template_csp both[] = {
	{ 1, (char *)"microsoft platform crypto provider" },
	{ 2, (char *)"Microsoft Software Key Storage Provider" } };

static struct ae_template tpl(const char *cn, struct ae_template_csp *c, size_t n, uint32_t pkf)
{
	struct ae_template t;

	memset(&t, 0, sizeof(t));
	t.cn = (char *)cn;
	t.csps = c;
	t.num_csps = n;
	t.private_key_flag = pkf;
	return t;
}

static void test_place(void **state)
{
	struct ae_template a = tpl("A", pcp, 1, 0), b = tpl("B", soft, 1, 0);
	struct ae_template c = tpl("C", both, 2, 0), d = tpl("D", NULL, 0, 0);

	(void)state;
	assert_int_equal(ae_template_key_place(&a), AE_TPL_KEY_TPM_ONLY);
	assert_int_equal(ae_template_key_place(&b), AE_TPL_KEY_SOFTWARE);
	assert_int_equal(ae_template_key_place(&c), AE_TPL_KEY_TPM_ALLOWED);
	assert_int_equal(ae_template_key_place(&d), AE_TPL_KEY_ANY);
}

static void choose(struct ae_config *cfg, struct ae_template *t, bool skip,
		   enum ae_key_source src, const char *why_has)
{
	struct ae_key_choice ch;

	ae_key_choose(cfg, t, &ch);
	if (ch.skip != skip || (!skip && ch.source != src) || strstr(ch.why, why_has) == NULL) {
		print_error("template %s: skip %d source %d why '%s'\n", t->cn, ch.skip,
			    ch.source, ch.why);
		fail();
	}
}

/* No TPM: a TPM-only template is skipped with the TCTI named; others get file keys. */
static void test_no_tpm(void **state)
{
	struct ae_config cfg;
	struct ae_template a = tpl("A", pcp, 1, 0), b = tpl("B", soft, 1, 0);
	struct ae_template c = tpl("C", both, 2, 0), d = tpl("D", NULL, 0, 0);

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	/* a port nobody listens on (swtpm.sh starts from 23000) */
	assert_int_equal(ae_key_tpm_configure("swtpm:host=127.0.0.1,port=9"), AE_OK);
	choose(&cfg, &a, true, AE_KEY_SRC_TPM, "swtpm:host=127.0.0.1,port=9");
	choose(&cfg, &b, false, AE_KEY_SRC_FILE, "only software providers");
	choose(&cfg, &c, false, AE_KEY_SRC_FILE, "no TPM answers");
	choose(&cfg, &d, false, AE_KEY_SRC_FILE, "no TPM answers");
	cfg.key_storage = AE_KEY_STORAGE_TPM;
	choose(&cfg, &d, true, AE_KEY_SRC_TPM, "key storage is tpm");
	cfg.key_storage = AE_KEY_STORAGE_FILE;
	choose(&cfg, &a, true, AE_KEY_SRC_TPM, "is file");
	choose(&cfg, &d, false, AE_KEY_SRC_FILE, "is file");
}

/* A TPM: TPM for templates that allow it, file for the others and exportable keys. */
static void test_tpm(void **state)
{
	struct ae_config cfg;
	struct ae_key_storage_tpl per = { .template_name = (char *)"d",
					  .storage = AE_KEY_STORAGE_FILE };
	struct ae_template a = tpl("A", pcp, 1, 0), b = tpl("B", soft, 1, 0);
	struct ae_template c = tpl("C", both, 2, 0), d = tpl("D", NULL, 0, 0);
	struct ae_template e = tpl("E", NULL, 0, CT_FLAG_EXPORTABLE_KEY);
	struct ae_template f = tpl("F", pcp, 1, CT_FLAG_ATTEST_REQUIRED);
	struct ae_template g = tpl("G", pcp, 1, CT_FLAG_ATTEST_PREFERRED);

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	swtpm(g_dir, "start");
	assert_int_equal(ae_key_tpm_configure(g_tcti), AE_OK);
	choose(&cfg, &a, false, AE_KEY_SRC_TPM, "requires the Microsoft Platform");
	choose(&cfg, &b, false, AE_KEY_SRC_FILE, "only software providers");
	choose(&cfg, &c, false, AE_KEY_SRC_TPM, "a TPM answers");
	choose(&cfg, &d, false, AE_KEY_SRC_TPM, "a TPM answers");
	choose(&cfg, &e, false, AE_KEY_SRC_FILE, "CT_FLAG_EXPORTABLE_KEY");
	choose(&cfg, &f, true, AE_KEY_SRC_TPM, "key attestation");
	choose(&cfg, &g, false, AE_KEY_SRC_TPM, "requires the Microsoft Platform");
	/* the per-template option wins over the global one */
	cfg.key_storage_tpl = &per;
	cfg.num_key_storage_tpl = 1;
	choose(&cfg, &d, false, AE_KEY_SRC_FILE, "autoenroll:key storage <template> is file");
	cfg.key_storage = AE_KEY_STORAGE_TPM;
	choose(&cfg, &b, false, AE_KEY_SRC_TPM, "key storage tpm");
	swtpm(g_dir, "stop");
	ae_key_tpm_close();
}

static void test_storage_words(void **state)
{
	enum ae_key_storage s = AE_KEY_STORAGE_FILE;

	(void)state;
	assert_true(ae_config_key_storage_parse("TPM", &s));
	assert_int_equal(s, AE_KEY_STORAGE_TPM);
	assert_true(ae_config_key_storage_parse("auto", &s));
	assert_int_equal(s, AE_KEY_STORAGE_AUTO);
	assert_false(ae_config_key_storage_parse("tpm2", &s));
	assert_false(ae_config_key_storage_parse("", &s));
	assert_false(ae_config_key_storage_parse(NULL, &s));
	assert_int_equal(s, AE_KEY_STORAGE_AUTO);
	assert_true(ae_config_key_storage_name("autoenroll:key storage labmachinetpm"));
	assert_false(ae_config_key_storage_name("autoenroll:key storage"));
	assert_false(ae_config_key_storage_name("autoenroll:key storage  x"));
	assert_string_equal(ae_config_key_storage_word(AE_KEY_STORAGE_FILE), "file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_place, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_no_tpm, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_tpm, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_storage_words, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
