/*
 * test_store_state.c: the state record (source/store/ae_store_state.h):
 * round trips, every rejection, a mutation sweep, save/load.
 *
 * Leak check: talloc null tracking; each test's teardown requires the
 * number of talloc blocks reachable from NULL to be what it was.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include "ae_store.h"
#include "ae_file.h"

static const char full_record[] =
	"version=1\n"
	"template=LabMachine\n"
	"status=pending\n"
	"created=1700000000\n"
	"changed=1700000100\n"
	"renewal=1\n"
	"request_ca=LAB-CA\n"
	"request_id=4242\n"
	"submitted=1700000050\n"
	"archive=7F3A-1\n"
	"reason=denied by policy: template \xc3\xa9t\xc3\xa9\n"
	"ca=LAB-CA\n"
	"cert_request_id=17\n"
	"template_oid=1.3.6.1.4.1.311.21.8.1.2.3\n"
	"template_v1=Machine\n"
	"template_major=100\n"
	"template_minor=4\n"
	"serial=1A2B3C\n"
	"thumbprint=00112233445566778899aabbccddeeff00112233\n"
	"issuer=CN=LAB-CA, DC=lab, DC=example\n"
	"not_before=-86400\n"
	"not_after=4859740800\n"
	"cdp=ldap:///CN=LAB-CA,CN=cdp?certificateRevocationList\n"
	"cdp=http://pki.lab.example/LAB-CA.crl\n"
	"installed=1690000000\n";

static struct ae_store_state *parse_ok(TALLOC_CTX *mem, const char *text)
{
	struct ae_store_state *st = NULL;

	assert_int_equal(ae_store_state_parse(mem, (const uint8_t *)text, strlen(text), &st), AE_OK);
	assert_non_null(st);
	return st;
}

static void test_roundtrip_full(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store_state *st = parse_ok(mem, full_record), *copy = NULL;
	char *text = NULL;

	(void)state;
	assert_string_equal(st->template_name, "LabMachine");
	assert_int_equal(st->status, AE_CERT_PENDING);
	assert_int_equal(st->created, 1700000000);
	assert_int_equal(st->changed, 1700000100);
	assert_true(st->renewal);
	assert_string_equal(st->request_ca, "LAB-CA");
	assert_true(st->has_request_id);
	assert_int_equal(st->request_id, 4242);
	assert_int_equal(st->submitted, 1700000050);
	assert_string_equal(st->archive_tag, "7F3A-1");
	assert_string_equal(st->reason, "denied by policy: template \xc3\xa9t\xc3\xa9");
	assert_string_equal(st->cert.ca, "LAB-CA");
	assert_int_equal(st->cert.request_id, 17);
	assert_string_equal(st->cert.template_oid, "1.3.6.1.4.1.311.21.8.1.2.3");
	assert_string_equal(st->cert.template_v1_name, "Machine");
	assert_true(st->cert.has_major);
	assert_int_equal(st->cert.major, 100);
	assert_int_equal(st->cert.minor, 4);
	assert_string_equal(st->cert.serial_hex, "1A2B3C");
	assert_string_equal(st->cert.thumbprint_hex, "00112233445566778899aabbccddeeff00112233");
	assert_string_equal(st->cert.issuer, "CN=LAB-CA, DC=lab, DC=example");
	assert_int_equal(st->cert.not_before, -86400);
	assert_int_equal(st->cert.not_after, 4859740800LL);
	assert_int_equal(st->cert.num_cdp_urls, 2);
	assert_string_equal(st->cert.cdp_urls[1], "http://pki.lab.example/LAB-CA.crl");
	assert_int_equal(st->cert.installed, 1690000000);
	/* written back byte for byte (the table order is the file order) */
	assert_int_equal(ae_store_state_format(mem, st, &text), AE_OK);
	assert_string_equal(text, full_record);
	/* a deep copy outlives its original */
	copy = ae_store_state_copy(mem, st);
	assert_non_null(copy);
	talloc_free(st);
	talloc_free(text);
	assert_int_equal(ae_store_state_format(mem, copy, &text), AE_OK);
	assert_string_equal(text, full_record);
	talloc_free(mem);
}

static void test_roundtrip_minimal(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store_state in = { .template_name = "T", .status = AE_CERT_NONE };
	struct ae_store_state *out = NULL;
	char *text = NULL;

	(void)state;
	/* "" is stored as absent */
	in.reason = "";
	assert_int_equal(ae_store_state_format(mem, &in, &text), AE_OK);
	assert_string_equal(text, "version=1\ntemplate=T\nstatus=none\n");
	out = parse_ok(mem, text);
	assert_int_equal(out->status, AE_CERT_NONE);
	assert_null(out->reason);
	assert_null(out->cert.serial_hex);
	assert_false(out->has_request_id);
	assert_false(out->cert.has_major);
	talloc_free(mem);
}

static void test_parse_rejects(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	static const char *const bad[] = {
		"",
		"template=T\nstatus=none\n",				/* no version */
		"version=2\ntemplate=T\nstatus=none\n",			/* a later version */
		"version=1\nversion=1\ntemplate=T\nstatus=none\n",
		"version=1\nstatus=none\n",				/* no template */
		"version=1\ntemplate=T\n",				/* no status */
		"version=1\ntemplate=T\nstatus=none",			/* last line unterminated */
		"version=1\ntemplate=T\nstatus=bogus\n",
		"version=1\ntemplate=T\nstatus=none\nfuture=1\n",	/* unknown key */
		"version=1\ntemplate=T\ntemplate=U\nstatus=none\n",	/* duplicate */
		"version=1\ntemplate=T\nstatus=none\n\n",		/* empty line */
		"version=1\ntemplate=T\nstatus=none\nreason\n",		/* no '=' */
		"version=1\ntemplate=T\nstatus=none\nreason=\n",	/* empty value */
		"version=1\ntemplate=T\nstatus=none\nreason=a\tb\n",	/* control char */
		"version=1\ntemplate=T\nstatus=none\nreason=a\rb\n",
		"version=1\ntemplate=T\nstatus=none\nreason=a\x7f\n",
		"version=1\ntemplate=../T\nstatus=none\n",		/* a path */
		"version=1\ntemplate=.T\nstatus=none\n",
		"version=1\ntemplate=T\nstatus=pending\nrequest_ca=X\n",	/* no id */
		"version=1\ntemplate=T\nstatus=pending\nrequest_id=1\n",	/* no CA */
		"version=1\ntemplate=T\nstatus=none\nrequest_id=4294967296\n",
		"version=1\ntemplate=T\nstatus=none\nrequest_id=-1\n",
		"version=1\ntemplate=T\nstatus=none\nrequest_id=+1\n",
		"version=1\ntemplate=T\nstatus=none\nrequest_id= 1\n",
		"version=1\ntemplate=T\nstatus=none\ncreated=12x\n",
		"version=1\ntemplate=T\nstatus=none\ncreated=-\n",
		"version=1\ntemplate=T\nstatus=none\ncreated=1-2\n",
		"version=1\ntemplate=T\nstatus=none\ncreated=99999999999999999999\n",
		"version=1\ntemplate=T\nstatus=none\nrenewal=2\n",
		"version=1\ntemplate=T\nstatus=none\nrenewal=yes\n",
		"version=1\ntemplate=T\nstatus=none\nserial=12G4\n",
		"version=1\ntemplate=T\nstatus=none\ntemplate_oid=1..2\n",
		"version=1\ntemplate=T\nstatus=none\ntemplate_oid=.1.2\n",
		"version=1\ntemplate=T\nstatus=none\ntemplate_oid=1.2.\n",
		"version=1\ntemplate=T\nstatus=none\ntemplate_oid=1.a\n",
		"version=1\ntemplate=T\nstatus=none\narchive=a.b\n",	/* tags have no dots */
		"version=1\ntemplate=T\nstatus=none\narchive=a/b\n",
		"version=1\ntemplate=T\nstatus=none\ntemplate_minor=1\n",	/* minor without major */
		"version=1 \ntemplate=T\nstatus=none\n",
	};
	struct ae_store_state *st = NULL;
	char *many = NULL, *big = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ae_err err = ae_store_state_parse(mem, (const uint8_t *)bad[i], strlen(bad[i]), &st);
		if (err != AE_ERR_PARSE) {
			fail_msg("bad record %zu accepted (%d): %s", i, err, bad[i]);
		}
		assert_null(st);
	}
	/* an interior NUL */
	assert_int_equal(ae_store_state_parse(mem, (const uint8_t *)"version=1\ntemplate=T\0\n"
					      "status=none\n", 34, &st), AE_ERR_PARSE);
	/* more cdp= lines than AE_STORE_CDP_MAX */
	many = talloc_strdup(mem, "version=1\ntemplate=T\nstatus=issued\n");
	for (i = 0; i <= AE_STORE_CDP_MAX; i++) {
		many = talloc_asprintf_append(many, "cdp=http://x/%zu\n", i);
	}
	assert_int_equal(ae_store_state_parse(mem, (const uint8_t *)many, strlen(many), &st),
			 AE_ERR_PARSE);
	/* a value above AE_STORE_VALUE_MAX, a record above AE_STORE_RECORD_MAX */
	big = talloc_asprintf(mem, "version=1\ntemplate=T\nstatus=none\nreason=%0*d\n",
			      AE_STORE_VALUE_MAX + 1, 0);
	assert_int_equal(ae_store_state_parse(mem, (const uint8_t *)big, strlen(big), &st),
			 AE_ERR_PARSE);
	talloc_free(big);
	big = talloc_zero_array(mem, char, AE_STORE_RECORD_MAX + 2);
	memset(big, 'a', AE_STORE_RECORD_MAX + 1);
	assert_int_equal(ae_store_state_parse(mem, (const uint8_t *)big, AE_STORE_RECORD_MAX + 1,
					      &st), AE_ERR_TOO_LARGE);
	assert_null(st);
	talloc_free(many);
	talloc_free(big);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_format_rejects(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *cdp[] = { "http://ok", "bad\nurl" };
	struct ae_store_state base = { .template_name = "T", .status = AE_CERT_ISSUED };
	struct ae_store_state st;
	char *text = NULL;

	(void)state;
	st = base;
	st.template_name = "a/b";
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_ERR_INVALID);
	st = base;
	st.cert.issuer = "CN=x\nstatus=none";	/* an injected line */
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_ERR_INVALID);
	st = base;
	st.cert.serial_hex = "12:34";
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_ERR_INVALID);
	st = base;
	st.status = AE_CERT_PENDING;		/* no request id */
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_ERR_INVALID);
	st = base;
	st.status = (enum ae_cert_state)99;
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_ERR_INVALID);
	st = base;
	st.cert.minor = 3;			/* minor without has_major */
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_ERR_INVALID);
	st = base;
	st.cert.cdp_urls = cdp;
	st.cert.num_cdp_urls = 2;
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_ERR_INVALID);
	st.cert.num_cdp_urls = 1;
	assert_int_equal(ae_store_state_format(mem, &st, &text), AE_OK);
	assert_string_equal(text, "version=1\ntemplate=T\nstatus=issued\ncdp=http://ok\n");
	talloc_free(mem);
}

/* Every single-byte change and truncation of a valid record: no crash, and
 * whatever parses writes back to something that parses to the same text. */
static void test_mutation_sweep(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t len = strlen(full_record), i, accepted = 0;
	uint8_t *buf = talloc_memdup(mem, full_record, len);
	static const uint8_t flips[] = { 0x01, 0x20, 0x80, 0xff };

	(void)state;
	for (i = 0; i <= len; i++) {
		struct ae_store_state *st = NULL;
		size_t f;
		if (ae_store_state_parse(mem, buf, i, &st) == AE_OK) {
			accepted++;
			talloc_free(st);
			st = NULL;
		}
		for (f = 0; i < len && f < sizeof(flips); f++) {
			char *text = NULL, *again = NULL;
			struct ae_store_state *st2 = NULL;
			buf[i] ^= flips[f];
			if (ae_store_state_parse(mem, buf, len, &st) == AE_OK) {
				accepted++;
				assert_int_equal(ae_store_state_format(mem, st, &text), AE_OK);
				assert_int_equal(ae_store_state_parse(mem, (uint8_t *)text,
								      strlen(text), &st2), AE_OK);
				assert_int_equal(ae_store_state_format(mem, st2, &again), AE_OK);
				assert_string_equal(text, again);
				talloc_free(st);
				st = NULL;
				talloc_free(st2);
				talloc_free(text);
				talloc_free(again);
			} else {
				assert_null(st);
			}
			buf[i] ^= flips[f];
		}
	}
	/* the whole record and some harmless flips (digits, letters of values) parse */
	assert_true(accepted > 1);
	talloc_free(mem);
}

static void test_save_load(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char tmpl[] = "/tmp/ae-test-state-XXXXXX";
	char *dir = mkdtemp(tmpl), *path = NULL, cmd[128];
	struct ae_store *s = NULL;
	struct ae_store_state *st = parse_ok(mem, full_record), *back = NULL;
	char *a = NULL, *b = NULL;
	struct stat sb;

	(void)state;
	assert_non_null(dir);
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0), AE_OK);
	assert_int_equal(ae_store_state_load(mem, s, "LabMachine", &back), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_store_state_save(s, st), AE_OK);
	path = ae_store_path(mem, s, "LabMachine", ".state");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(ae_store_state_load(mem, s, "LabMachine", &back), AE_OK);
	assert_int_equal(ae_store_state_format(mem, st, &a), AE_OK);
	assert_int_equal(ae_store_state_format(mem, back, &b), AE_OK);
	assert_string_equal(a, b);
	/* a record under another template's name is refused */
	assert_int_equal(rename(path, ae_store_path(mem, s, "Other", ".state")), 0);
	back = NULL;
	assert_int_equal(ae_store_state_load(mem, s, "Other", &back), AE_ERR_PARSE);
	assert_null(back);
	assert_int_equal(ae_store_state_load(mem, s, "../x", &back), AE_ERR_INVALID);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	talloc_free(mem);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ae_cert_state_name(AE_CERT_NONE), "none");
	assert_string_equal(ae_cert_state_name(AE_CERT_INSTALLING), "installing");
	assert_string_equal(ae_cert_state_name(AE_CERT_REMOVED), "removed");
	assert_string_equal(ae_cert_state_name((enum ae_cert_state)42), "?");
	assert_true(ae_cert_state_in_flight(AE_CERT_ENROLLING));
	assert_true(ae_cert_state_in_flight(AE_CERT_RENEWING));
	assert_true(ae_cert_state_in_flight(AE_CERT_PENDING));
	assert_true(ae_cert_state_in_flight(AE_CERT_INSTALLING));
	assert_false(ae_cert_state_in_flight(AE_CERT_ISSUED));
	assert_false(ae_cert_state_in_flight(AE_CERT_ARCHIVED));
}


/*
 * The back-off (failures, next_attempt) and the template binding
 * (ca_omits_template_ext): written, read back equal, in the table's place.
 */
static const char binding_record[] =
	"version=1\n"
	"template=LabMachine\n"
	"status=issued\n"
	"changed=1700000100\n"
	"reason=CERTSRV_E_TEMPLATE_DENIED\n"
	"failures=3\n"
	"next_attempt=1700014500\n"
	"ca=LAB-CA\n"
	"template_major=100\n"
	"template_minor=4\n"
	"ca_omits_template_ext=1\n"
	"serial=1A2B3C\n";

static void backoff_and_template_binding_fields_round_trip(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store_state *st = parse_ok(mem, binding_record), *copy = NULL;
	char *text = NULL;

	(void)state;
	assert_int_equal(st->failures, 3);
	assert_int_equal(st->next_attempt, 1700014500);
	assert_true(st->cert.ca_omits_template_ext);
	assert_null(st->cert.template_oid);
	assert_true(st->cert.has_major);
	assert_int_equal(st->cert.major, 100);
	copy = ae_store_state_copy(mem, st);
	assert_non_null(copy);
	assert_int_equal(ae_store_state_format(mem, copy, &text), AE_OK);
	assert_string_equal(text, binding_record);
	talloc_free(mem);
}

/* Records written before the fields existed parse, and read as "none". */
static void record_without_backoff_fields_parses(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store_state *st = parse_ok(mem, full_record);
	char *text = NULL;

	(void)state;
	assert_int_equal(st->failures, 0);
	assert_int_equal(st->next_attempt, 0);
	assert_false(st->cert.ca_omits_template_ext);
	assert_int_equal(ae_store_state_format(mem, st, &text), AE_OK);
	assert_null(strstr(text, "failures="));
	assert_null(strstr(text, "next_attempt="));
	assert_null(strstr(text, "ca_omits_template_ext="));
	talloc_free(mem);
}

static void backoff_and_binding_fields_rejected(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	static const char *const bad[] = {
		"version=1\ntemplate=T\nstatus=none\nfailures=-1\n",
		"version=1\ntemplate=T\nstatus=none\nfailures=4294967296\n",
		"version=1\ntemplate=T\nstatus=none\nfailures=1\nfailures=2\n",
		"version=1\ntemplate=T\nstatus=none\nnext_attempt=x\n",
		"version=1\ntemplate=T\nstatus=none\nca_omits_template_ext=2\n",
		/* no extension, yet the values of one */
		"version=1\ntemplate=T\nstatus=issued\ntemplate_oid=1.2.3\nca_omits_template_ext=1\n",
		"version=1\ntemplate=T\nstatus=issued\ntemplate_v1=Machine\nca_omits_template_ext=1\n",
	};
	struct ae_store_state *st = NULL;
	struct ae_store_state in = { .template_name = "T", .status = AE_CERT_ISSUED };
	char *text = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ae_store_state_parse(mem, (const uint8_t *)bad[i], strlen(bad[i]),
						      &st), AE_ERR_PARSE);
		assert_null(st);
	}
	in.cert.ca_omits_template_ext = true;
	in.cert.template_oid = "1.2.3";
	assert_int_equal(ae_store_state_format(mem, &in, &text), AE_ERR_INVALID);
	talloc_free(mem);
}

/* ae_store_set_backoff: under the lock, on an existing record, other fields kept. */
static void set_backoff_records_and_resets(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char tmpl[] = "/tmp/ae-test-backoff-XXXXXX";
	char *dir = mkdtemp(tmpl), *a = NULL, *b = NULL, cmd[128];
	struct ae_store *s = NULL;
	struct ae_store_lock *lock = NULL;
	struct ae_store_state *st = parse_ok(mem, full_record), *back = NULL;

	(void)state;
	assert_non_null(dir);
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0), AE_OK);
	assert_int_equal(ae_store_set_backoff(s, "LabMachine", 1, 5), AE_ERR_INVALID);	/* no lock */
	assert_int_equal(ae_store_lock(s, true, &lock), AE_OK);
	assert_int_equal(ae_store_set_backoff(s, "LabMachine", 1, 5), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_store_state_save(s, st), AE_OK);
	assert_int_equal(ae_store_set_backoff(s, "LabMachine", 2, 1700007200), AE_OK);
	assert_int_equal(ae_store_state_load(mem, s, "LabMachine", &back), AE_OK);
	assert_int_equal(back->failures, 2);
	assert_int_equal(back->next_attempt, 1700007200);
	back->failures = 0;
	back->next_attempt = 0;
	assert_int_equal(ae_store_state_format(mem, st, &a), AE_OK);
	assert_int_equal(ae_store_state_format(mem, back, &b), AE_OK);
	assert_string_equal(a, b);	/* nothing else changed */
	assert_int_equal(ae_store_set_backoff(s, "LabMachine", 0, 0), AE_OK);
	assert_int_equal(ae_store_state_load(mem, s, "LabMachine", &back), AE_OK);
	assert_int_equal(ae_store_state_format(mem, back, &b), AE_OK);
	assert_string_equal(a, b);
	talloc_free(lock);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_full, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_minimal, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_parse_rejects, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_format_rejects, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_mutation_sweep, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_save_load, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_names, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(backoff_and_template_binding_fields_round_trip,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(record_without_backoff_fields_parses, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(backoff_and_binding_fields_rejected, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(set_backoff_records_and_resets, leak_setup,
						leak_teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
