/*
 * test_cm_env.c: certmonger's helper contract, the pure part
 * (source/certmonger/cm_env.h): the operation names, the environment read
 * through a fake getenv (required variables, caps, control characters),
 * the cookie's round trip and the forged, malformed or oversized cookies it
 * refuses, and the exit codes.
 *
 * Leak check: talloc null tracking (leak_check.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include "cm_env.h"

/* A fake environment: NAME=VALUE strings, NULL-terminated. */
static const char *fake_getenv(void *priv, const char *name)
{
	const char *const *v = priv;
	size_t n = strlen(name);

	for (; *v != NULL; v++) {
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=') {
			return *v + n + 1;
		}
	}
	return NULL;
}

static const uint8_t kSpki[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x0e, 0x0f, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb,
	0xfc, 0xfd, 0xfe, 0xff,
};
#define SPKI_HEX "000102030405060708090a0b0c0d0e0ff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

static void test_ops(void **state)
{
	(void)state;
	assert_int_equal(cm_op_parse(NULL), CM_OP_SUBMIT);
	assert_int_equal(cm_op_parse("SUBMIT"), CM_OP_SUBMIT);
	assert_int_equal(cm_op_parse("POLL"), CM_OP_POLL);
	assert_int_equal(cm_op_parse("IDENTIFY"), CM_OP_IDENTIFY);
	assert_int_equal(cm_op_parse("GET-NEW-REQUEST-REQUIREMENTS"), CM_OP_NEW_REQS);
	assert_int_equal(cm_op_parse("GET-RENEW-REQUEST-REQUIREMENTS"), CM_OP_RENEW_REQS);
	assert_int_equal(cm_op_parse("GET-SUPPORTED-TEMPLATES"), CM_OP_TEMPLATES);
	assert_int_equal(cm_op_parse("GET-DEFAULT-TEMPLATE"), CM_OP_DEFAULT_TEMPLATE);
	assert_int_equal(cm_op_parse("FETCH-ROOTS"), CM_OP_FETCH_ROOTS);
	assert_int_equal(cm_op_parse("submit"), CM_OP_UNSUPPORTED);
	assert_int_equal(cm_op_parse("FETCH-SCEP-CA-CAPS"), CM_OP_UNSUPPORTED);
	assert_int_equal(cm_op_parse(""), CM_OP_UNSUPPORTED);
}

static void test_env_submit(void **state)
{
	const char *env[] = { "CERTMONGER_OPERATION=SUBMIT", "CERTMONGER_CSR=-----BEGIN x",
			      "CERTMONGER_CA_PROFILE=LabMachine", "CERTMONGER_CERTIFICATE=old",
			      NULL };
	struct cm_env *e = NULL;
	char why[256];

	assert_int_equal(cm_env_read(*state, fake_getenv, env, &e, why, sizeof(why)), AE_OK);
	assert_int_equal(e->op, CM_OP_SUBMIT);
	assert_int_equal(e->csr_len, strlen("-----BEGIN x"));
	assert_memory_equal(e->csr, "-----BEGIN x", e->csr_len);
	assert_string_equal(e->profile, "LabMachine");
	assert_true(e->has_old_cert);
	assert_null(e->cookie);
	/* copied: the environment may change under us */
	assert_ptr_not_equal(e->profile, env[2] + strlen("CERTMONGER_CA_PROFILE="));
}

static void test_env_refused(void **state)
{
	const char *no_csr[] = { "CERTMONGER_OPERATION=SUBMIT", "CERTMONGER_CSR=", NULL };
	const char *bad_profile[] = { "CERTMONGER_CSR=x", "CERTMONGER_CA_PROFILE=a\nb", NULL };
	const char *poll_no_cookie[] = { "CERTMONGER_OPERATION=POLL", "CERTMONGER_CSR=x", NULL };
	const char *big[] = { "CERTMONGER_CSR=x", NULL, NULL };
	struct cm_env *e = NULL;
	char why[256], *s = NULL;

	assert_int_equal(cm_env_read(*state, fake_getenv, no_csr, &e, why, sizeof(why)),
			 AE_ERR_CONFIG);
	assert_non_null(strstr(why, "CERTMONGER_CSR"));
	assert_int_equal(cm_env_read(*state, fake_getenv, bad_profile, &e, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_non_null(strstr(why, "CERTMONGER_CA_PROFILE"));
	assert_int_equal(cm_env_read(*state, fake_getenv, poll_no_cookie, &e, why, sizeof(why)),
			 AE_ERR_CONFIG);
	assert_non_null(strstr(why, "CERTMONGER_CA_COOKIE"));
	/* one byte over each cap */
	s = talloc_zero_size(*state, CM_CSR_MAX + 64);
	strcpy(s, "CERTMONGER_CSR=");
	memset(s + strlen(s), 'A', CM_CSR_MAX + 1);
	big[0] = s;
	assert_int_equal(cm_env_read(*state, fake_getenv, big, &e, why, sizeof(why)),
			 AE_ERR_TOO_LARGE);
	s = talloc_asprintf(*state, "CERTMONGER_CA_PROFILE=%0*d", CM_PROFILE_MAX + 1, 0);
	big[0] = "CERTMONGER_CSR=x";
	big[1] = s;
	assert_int_equal(cm_env_read(*state, fake_getenv, big, &e, why, sizeof(why)),
			 AE_ERR_TOO_LARGE);
	assert_null(e);
}

static void test_env_poll_and_others(void **state)
{
	const char *poll[] = { "CERTMONGER_OPERATION=POLL", "CERTMONGER_CSR=x",
			       "CERTMONGER_CA_COOKIE=aeicpr1.7.ab\n", NULL };
	const char *ident[] = { "CERTMONGER_OPERATION=IDENTIFY", NULL };
	const char *other[] = { "CERTMONGER_OPERATION=FETCH-SCEP-CA-CERTS", NULL };
	struct cm_env *e = NULL;
	char why[256];

	assert_int_equal(cm_env_read(*state, fake_getenv, poll, &e, why, sizeof(why)), AE_OK);
	assert_int_equal(e->op, CM_OP_POLL);
	assert_string_equal(e->cookie, "aeicpr1.7.ab");	/* the newline dropped */
	assert_int_equal(e->cookie_len, strlen("aeicpr1.7.ab"));
	TALLOC_FREE(e);
	/* no request variables needed, none read */
	assert_int_equal(cm_env_read(*state, fake_getenv, ident, &e, why, sizeof(why)), AE_OK);
	assert_int_equal(e->op, CM_OP_IDENTIFY);
	assert_null(e->csr);
	TALLOC_FREE(e);
	assert_int_equal(cm_env_read(*state, fake_getenv, other, &e, why, sizeof(why)), AE_OK);
	assert_int_equal(e->op, CM_OP_UNSUPPORTED);
	assert_string_equal(e->op_name, "(unsupported)");
}

static void test_cookie_round_trip(void **state)
{
	char *s = cm_cookie_encode(*state, "LAB-CA", 42, kSpki);
	struct cm_cookie *c = NULL;
	char longest[CM_CA_NAME_MAX + 1];

	assert_non_null(s);
	assert_string_equal(s, "aeicpr1.42." SPKI_HEX ".4c41422d4341");
	assert_int_equal(cm_cookie_decode(*state, (const uint8_t *)s, strlen(s), &c), AE_OK);
	assert_int_equal(c->request_id, 42);
	assert_string_equal(c->ca_name, "LAB-CA");
	assert_memory_equal(c->spki_sha256, kSpki, 32);
	TALLOC_FREE(c);
	/* the largest id and the longest name (UTF-8 bytes pass as they are) */
	memset(longest, 'x', CM_CA_NAME_MAX);
	longest[0] = (char)0xc3;
	longest[1] = (char)0xa9;
	longest[CM_CA_NAME_MAX] = '\0';
	s = cm_cookie_encode(*state, longest, UINT32_MAX, kSpki);
	assert_non_null(s);
	assert_true(strlen(s) <= CM_COOKIE_MAX);
	assert_int_equal(cm_cookie_decode(*state, (const uint8_t *)s, strlen(s), &c), AE_OK);
	assert_int_equal(c->request_id, UINT32_MAX);
	assert_string_equal(c->ca_name, longest);
	/* what cannot be encoded */
	assert_null(cm_cookie_encode(*state, "", 1, kSpki));
	assert_null(cm_cookie_encode(*state, "A\nB", 1, kSpki));
	assert_null(cm_cookie_encode(*state, "LAB-CA", 0, kSpki));
	memset(longest, 'x', CM_CA_NAME_MAX);
	{
		char over[CM_CA_NAME_MAX + 2];
		memset(over, 'x', CM_CA_NAME_MAX + 1);
		over[CM_CA_NAME_MAX + 1] = '\0';
		assert_null(cm_cookie_encode(*state, over, 1, kSpki));
	}
}

static void test_cookie_forged(void **state)
{
	static const char *const bad[] = {
		"",
		"aeicpr1.",
		"aeicpr2.42." SPKI_HEX ".4c41422d4341",		/* another version */
		"AEICPR1.42." SPKI_HEX ".4c41422d4341",
		"aeicpr1.042." SPKI_HEX ".4c41422d4341",	/* leading zero */
		"aeicpr1.0." SPKI_HEX ".4c41422d4341",		/* id 0 */
		"aeicpr1.4294967296." SPKI_HEX ".4c41422d4341",	/* id > UINT32_MAX */
		"aeicpr1.-1." SPKI_HEX ".4c41422d4341",
		"aeicpr1.+1." SPKI_HEX ".4c41422d4341",
		"aeicpr1.42.0001." "4c41422d4341",		/* short hash */
		"aeicpr1.42." SPKI_HEX "00.4c41422d4341",	/* long hash */
		"aeicpr1.42.000102030405060708090A0B0C0D0E0FF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"
			".4c41422d4341",			/* upper-case hex */
		"aeicpr1.42." SPKI_HEX ".",			/* no CA */
		"aeicpr1.42." SPKI_HEX ".4c41422d434",		/* odd hex */
		"aeicpr1.42." SPKI_HEX ".4c0a41",		/* a newline in the CA name */
		"aeicpr1.42." SPKI_HEX ".4c0041",		/* a NUL in it */
		"aeicpr1.42." SPKI_HEX ".4c41422d4341\n",	/* trailing bytes */
		"aeicpr1.42." SPKI_HEX ".4c41.422d4341",
		"aeicpr1.42",
		"../../etc/passwd",
	};
	struct cm_cookie *c = NULL;
	char *big = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cm_cookie_decode(*state, (const uint8_t *)bad[i], strlen(bad[i]),
						  &c), AE_ERR_PARSE);
	}
	/* a CA name over the cap, and a cookie over its cap */
	big = talloc_asprintf(*state, "aeicpr1.1." SPKI_HEX ".");
	for (i = 0; i < CM_CA_NAME_MAX + 1; i++) {
		big = talloc_strdup_append(big, "41");
	}
	assert_int_equal(cm_cookie_decode(*state, (const uint8_t *)big, strlen(big), &c),
			 AE_ERR_PARSE);
	big = talloc_zero_size(*state, CM_COOKIE_MAX + 2);
	memset(big, 'a', CM_COOKIE_MAX + 1);
	assert_int_equal(cm_cookie_decode(*state, (const uint8_t *)big, CM_COOKIE_MAX + 1, &c),
			 AE_ERR_TOO_LARGE);
	assert_int_equal(cm_cookie_decode(*state, NULL, 0, &c), AE_ERR_INVALID);
	assert_null(c);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(cm_exit_for(AE_OUTCOME_ISSUED), 0);
	assert_int_equal(cm_exit_for(AE_OUTCOME_PENDING), 1);
	assert_int_equal(cm_exit_for(AE_OUTCOME_REJECTED), 2);
	assert_int_equal(cm_exit_for(AE_OUTCOME_UNVERIFIED), 2);
	assert_int_equal(cm_exit_for(AE_OUTCOME_UNREACHABLE), 3);
	assert_int_equal(cm_exit_for(AE_OUTCOME_INTERNAL), 3);
	assert_int_equal(cm_exit_for(AE_OUTCOME_STORE), 3);
	assert_int_equal(cm_exit_for(AE_OUTCOME_MISCONFIGURED), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ops, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_env_submit, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_env_refused, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_env_poll_and_others, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_cookie_round_trip, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_cookie_forged, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_exit_codes, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
