/*
 * test_store_check.c: `status` and `run` tell the truth about what is on
 * disk (ae_store_check.c, the snapshot's archive and not-managed lists,
 * cli_status.c). Each test is named after the bug it pins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
#include "ae_store_check.h"
#include "ae_store.h"
#include "ae_status.h"
#include "ae_session.h"
#include "cli_status.h"

#define T "Machine"

/* A real pair committed as template t: its certificate (valid [now-1h, now+days]) and key. */
static struct ae_cert *commit_real(TALLOC_CTX *mem, const struct ae_store *s, const char *t,
				   long serial, long days, struct ae_key **_key)
{
	struct ae_key *key = talloc_steal(mem, pki_key(false));
	struct ae_cert *cert = pki_cert(mem, "host.lab.example", key, NULL, NULL, serial, days,
					NULL);
	struct ae_store_certinfo ci = { 0 };
	char *kpem = NULL, *cpem = NULL;
	size_t klen = 0, clen = 0;

	assert_int_equal(ae_key_to_pem(mem, key, &kpem, &klen), AE_OK);
	assert_int_equal(ae_cert_to_pem(mem, cert, &cpem, &clen), AE_OK);
	assert_int_equal(ae_cert_serial_hex(mem, cert, &ci.serial_hex), AE_OK);
	assert_int_equal(ae_cert_thumbprint_hex(mem, cert, &ci.thumbprint_hex), AE_OK);
	assert_int_equal(ae_cert_not_before(cert, &ci.not_before), AE_OK);
	assert_int_equal(ae_cert_not_after(cert, &ci.not_after), AE_OK);
	ci.ca = talloc_strdup(mem, "LAB-CA");
	ci.template_oid = talloc_strdup(mem, "1.3.6.1.4.1.311.21.8.1.2");
	assert_int_equal(ae_store_begin(s, t, AE_CERT_ENROLLING, kpem, klen), AE_OK);
	assert_int_equal(ae_store_commit(s, t, cpem, clen, "", 0, &ci), AE_OK);
	if (_key != NULL) {
		*_key = key;
	}
	return cert;
}

struct fixture {
	char *dir;
	struct ae_store *s;
	struct ae_store_snapshot *snap;
	struct ae_store_check *chk;
};

static void check(TALLOC_CTX *mem, struct fixture *f, time_t now, bool fix)
{
	assert_int_equal(ae_store_snapshot(mem, f->s, &f->snap), AE_OK);
	assert_int_equal(ae_store_check(mem, f->s, f->snap, now, 10, fix, &f->chk), AE_OK);
	assert_int_equal(f->chk->num_entries, f->snap->num_certs);
}

static void setup_store(TALLOC_CTX *mem, struct fixture *f, const char *what)
{
	f->dir = scratch_dir(mem, what);
	f->s = open_locked(mem, f->dir);
}

static char *status_text(TALLOC_CTX *mem, const struct fixture *f, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char *out;

	assert_non_null(m);
	assert_int_equal(cli_status_print(m, f->snap, f->chk, f->dir, json), 0);
	fclose(m);
	out = talloc_strdup(mem, buf);
	free(buf);
	return out;
}

static void write_file(const struct fixture *f, const char *name, const char *data, size_t len,
		       mode_t mode)
{
	int fd = openat(f->s->fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_valid_certificate_is_valid(void **state)
{
	struct fixture f = { 0 };

	setup_store(*state, &f, "chk-valid");
	commit_real(*state, f.s, T, 7, 100, NULL);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.snap->num_certs, 1);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_VALID);
	assert_false(f.snap->certs[0].invalid);
	assert_false(f.chk->entries[0].expiring);
	assert_true(f.chk->entries[0].days_left == 99 || f.chk->entries[0].days_left == 100);
	assert_null(f.chk->entries[0].cause);
	rm_rf(f.dir);
}

static void test_truncated_crt_is_invalid(void **state)
{
	struct fixture f = { 0 };
	char *pem = NULL;
	size_t len = 0;
	struct ae_cert *c;

	setup_store(*state, &f, "chk-trunc");
	c = commit_real(*state, f.s, T, 7, 100, NULL);
	assert_int_equal(ae_cert_to_pem(*state, c, &pem, &len), AE_OK);
	write_file(&f, T ".crt", pem, len / 2, 0644);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_INVALID);
	assert_non_null(strstr(f.chk->entries[0].cause, "Machine.crt does not parse"));
	assert_true(f.snap->certs[0].invalid);	/* decide() sees no certificate */
	assert_null(strstr(status_text(*state, &f, false), "issued"));
	assert_non_null(strstr(status_text(*state, &f, false), "INVALID: Machine.crt"));
	rm_rf(f.dir);
}

static void test_empty_crt_is_invalid(void **state)
{
	struct fixture f = { 0 };

	setup_store(*state, &f, "chk-empty");
	commit_real(*state, f.s, T, 7, 100, NULL);
	write_file(&f, T ".crt", "", 0, 0644);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_INVALID);
	assert_non_null(strstr(f.chk->entries[0].cause, "Machine.crt is empty"));
	assert_true(f.snap->certs[0].invalid);
	rm_rf(f.dir);
}

static void test_key_of_another_certificate_is_invalid(void **state)
{
	struct fixture f = { 0 };
	struct ae_key *other = talloc_steal(*state, pki_key(false));
	char *pem = NULL;
	size_t len = 0;

	setup_store(*state, &f, "chk-otherkey");
	commit_real(*state, f.s, T, 7, 100, NULL);
	assert_int_equal(ae_key_to_pem(*state, other, &pem, &len), AE_OK);
	write_file(&f, T ".key", pem, len, 0600);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_INVALID);
	assert_non_null(strstr(f.chk->entries[0].cause, "Machine.key is not the key of"));
	assert_true(f.snap->certs[0].invalid);
	/* a missing key too */
	assert_int_equal(unlinkat(f.s->fd, T ".key", 0), 0);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_INVALID);
	assert_non_null(strstr(f.chk->entries[0].cause, "Machine.key is missing"));
	rm_rf(f.dir);
}

static void test_record_describing_another_certificate_is_invalid(void **state)
{
	struct fixture f = { 0 };
	struct ae_key *k2 = talloc_steal(*state, pki_key(false));
	struct ae_cert *c2 = pki_cert(*state, "other", k2, NULL, NULL, 99, 100, NULL);
	char *kpem = NULL, *cpem = NULL;
	size_t klen = 0, clen = 0;

	setup_store(*state, &f, "chk-record");
	commit_real(*state, f.s, T, 7, 100, NULL);
	/* a consistent pair, but not the one the record describes */
	assert_int_equal(ae_key_to_pem(*state, k2, &kpem, &klen), AE_OK);
	assert_int_equal(ae_cert_to_pem(*state, c2, &cpem, &clen), AE_OK);
	write_file(&f, T ".key", kpem, klen, 0600);
	write_file(&f, T ".crt", cpem, clen, 0644);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_INVALID);
	assert_non_null(strstr(f.chk->entries[0].cause, "holds serial 63, the state record "
			       "serial 07"));
	rm_rf(f.dir);
}

static void test_key_mode_0644_is_reported_and_fixed(void **state)
{
	struct fixture f = { 0 };
	struct stat st;

	setup_store(*state, &f, "chk-mode");
	commit_real(*state, f.s, T, 7, 100, NULL);
	assert_int_equal(fchmodat(f.s->fd, T ".key", 0644, 0), 0);
	/* status: reported, not changed */
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_VALID);
	assert_non_null(f.chk->entries[0].note);
	assert_non_null(strstr(f.chk->entries[0].note, "has mode 0644"));
	assert_non_null(strstr(status_text(*state, &f, false), "WARNING: key file Machine.key"));
	assert_int_equal(fstatat(f.s->fd, T ".key", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* run: fixed and reported */
	check(*state, &f, time(NULL), true);
	assert_non_null(strstr(f.chk->entries[0].note, "had mode 0644; set to 0600"));
	assert_int_equal(fstatat(f.s->fd, T ".key", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	check(*state, &f, time(NULL), true);
	assert_null(f.chk->entries[0].note);
	rm_rf(f.dir);
}

static void test_crt_symlink_is_not_listed_as_issued(void **state)
{
	struct fixture f = { 0 };
	char *out;
	size_t i;

	setup_store(*state, &f, "chk-symlink");
	commit_real(*state, f.s, T, 7, 100, NULL);
	assert_int_equal(symlinkat("/etc/passwd", f.s->fd, "Evil.crt"), 0);
	write_file(&f, "Orphan.crt", "x\n", 2, 0644);	/* no record, no key */
	check(*state, &f, time(NULL), false);
	for (i = 0; i < f.snap->num_certs; i++) {
		assert_string_not_equal(f.snap->certs[i].template_name, "Evil");
		assert_string_not_equal(f.snap->certs[i].template_name, "Orphan");
	}
	assert_int_equal(f.snap->num_unmanaged, 2);
	out = status_text(*state, &f, false);
	assert_non_null(strstr(out, "not managed: Evil.crt: a symbolic link"));
	assert_non_null(strstr(out, "not managed: Orphan.crt: a certificate without"));
	assert_null(strstr(out, "  Evil"));
	out = status_text(*state, &f, true);
	assert_non_null(strstr(out, "\"not_managed\": [{\"name\": \"Evil.crt\""));
	rm_rf(f.dir);
}

static void test_corrupt_state_is_reported(void **state)
{
	struct fixture f = { 0 };
	char *out;

	setup_store(*state, &f, "chk-corrupt");
	commit_real(*state, f.s, T, 7, 100, NULL);
	write_file(&f, "Web.state", "garbage\n", 8, 0600);
	write_file(&f, "Old.state.corrupt", "garbage\n", 8, 0600);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.snap->num_certs, 1);
	assert_int_equal(f.snap->num_unmanaged, 2);
	out = status_text(*state, &f, false);
	assert_non_null(strstr(out, "not managed: Web.state: the state record does not parse"));
	assert_non_null(strstr(out, "not managed: Old.state.corrupt: a state record that did "
			       "not parse"));
	rm_rf(f.dir);
}

static void test_archived_certificates_are_listed(void **state)
{
	struct fixture f = { 0 };
	char *out;

	setup_store(*state, &f, "chk-archive");
	commit_real(*state, f.s, T, 7, 100, NULL);
	commit_real(*state, f.s, T, 8, 100, NULL);	/* replaces serial 07 */
	commit_real(*state, f.s, "Web", 9, 100, NULL);
	assert_int_equal(ae_store_archive(f.s, "Web", "superseded by LabWeb"), AE_OK);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.snap->num_archived, 2);
	assert_string_equal(f.snap->archived[0].template_name, T);
	assert_string_equal(f.snap->archived[0].serial_hex, "07");
	assert_string_equal(f.snap->archived[0].reason, "replaced");
	assert_true(f.snap->archived[0].archived != 0);
	assert_string_equal(f.snap->archived[1].template_name, "Web");
	assert_string_equal(f.snap->archived[1].reason, "superseded by LabWeb");
	out = status_text(*state, &f, false);
	assert_non_null(strstr(out, "Archived (archive/)"));
	assert_non_null(strstr(out, "serial 07 (archive/Machine.07"));
	out = status_text(*state, &f, true);
	assert_non_null(strstr(out, "\"archived\": [{\"template\": \"Machine\""));
	rm_rf(f.dir);
}

static void test_expired_certificate_is_expired_in_status(void **state)
{
	struct fixture f = { 0 };
	char *out;

	setup_store(*state, &f, "chk-expired");
	commit_real(*state, f.s, T, 7, 10, NULL);
	check(*state, &f, time(NULL) + 12 * 86400, false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_EXPIRED);
	assert_true(f.chk->entries[0].days_left < 0);
	assert_false(f.snap->certs[0].invalid);	/* decide re-enrolls an expired one itself */
	out = status_text(*state, &f, false);
	assert_non_null(strstr(out, "EXPIRED"));
	assert_null(strstr(out, "issued"));
	out = status_text(*state, &f, true);
	assert_non_null(strstr(out, "\"state\": \"issued\", \"validity\": \"EXPIRED\""));
	rm_rf(f.dir);
}

static void test_expiring_certificate_is_flagged(void **state)
{
	struct fixture f = { 0 };
	char *out;

	setup_store(*state, &f, "chk-expiring");
	commit_real(*state, f.s, T, 7, 100, NULL);
	/* 100 days + 1 h of life, 5 days left: 4 % < 10 % */
	check(*state, &f, time(NULL) + 95 * 86400, false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_VALID);
	assert_true(f.chk->entries[0].expiring);
	assert_int_equal(f.chk->entries[0].left_percent, 4);
	out = status_text(*state, &f, false);
	assert_non_null(strstr(out, "WARNING: expiring: 4% of its lifetime left, below "
			       "OfflineExpirationPercent 10"));
	out = status_text(*state, &f, true);
	assert_non_null(strstr(out, "\"expiring\": true"));
	/* 20 days left: not yet */
	check(*state, &f, time(NULL) + 80 * 86400, false);
	assert_false(f.chk->entries[0].expiring);
	rm_rf(f.dir);
}

static void test_request_installed_pair_is_checked(void **state)
{
	struct fixture f = { 0 };
	struct ae_key *k = talloc_steal(*state, pki_key(false));
	struct ae_key *other = talloc_steal(*state, pki_key(false));
	struct ae_cert *c = pki_cert(*state, "req", k, NULL, NULL, 0x2a, 100, NULL);
	char *kpem = NULL, *opem = NULL, *cpem = NULL;
	size_t klen = 0, olen = 0, clen = 0;

	setup_store(*state, &f, "chk-legacy");
	assert_int_equal(ae_key_to_pem(*state, k, &kpem, &klen), AE_OK);
	assert_int_equal(ae_key_to_pem(*state, other, &opem, &olen), AE_OK);
	assert_int_equal(ae_cert_to_pem(*state, c, &cpem, &clen), AE_OK);
	/* `autoenroll request` installs a pair without a state record */
	assert_int_equal(ae_store_install(f.s, "Req", kpem, klen, cpem, clen, "", 0), AE_OK);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.snap->num_certs, 1);
	assert_false(f.snap->certs[0].has_record);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_VALID);
	assert_string_equal(f.chk->entries[0].serial_hex, "2A");
	assert_non_null(strstr(status_text(*state, &f, false), "serial 2A"));
	write_file(&f, "Req.key", opem, olen, 0600);
	check(*state, &f, time(NULL), false);
	assert_int_equal(f.chk->entries[0].state, AE_CHECK_INVALID);
	rm_rf(f.dir);
}

static void test_offline_percent_persisted(void **state)
{
	struct fixture f = { 0 };
	uint32_t pct = 0;
	bool known = true;

	setup_store(*state, &f, "chk-percent");
	ae_store_check_load_percent(f.s, &pct, &known);
	assert_int_equal(pct, 10);	/* the Windows default */
	assert_false(known);
	assert_int_equal(ae_store_check_save_percent(f.s, 25), AE_OK);
	ae_store_check_load_percent(f.s, &pct, &known);
	assert_int_equal(pct, 25);
	assert_true(known);
	assert_int_equal(ae_store_check_save_percent(f.s, 101), AE_ERR_INVALID);
	write_file(&f, ".offline-expiration", "junk\n", 5, 0600);
	ae_store_check_load_percent(f.s, &pct, &known);
	assert_int_equal(pct, 10);
	assert_false(known);
	rm_rf(f.dir);
}

static void test_offline_percent_parse(void **state)
{
	static const char *const bad[] = {
		"", "OfflineExpirationPercent=\n", "OfflineExpirationPercent=101\n",
		"OfflineExpirationPercent=010\n", "OfflineExpirationPercent=10", "x=10\n",
		"OfflineExpirationPercent=1a\n", "OfflineExpirationPercent=10\n\n",
		"OfflineExpirationPercent=-1\n", "OfflineExpirationPercent=1000\n",
	};
	uint32_t pct = 77;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ae_offline_percent_parse((const uint8_t *)bad[i], strlen(bad[i]),
							  &pct), AE_ERR_PARSE);
		assert_int_equal(pct, 77);
	}
	assert_int_equal(ae_offline_percent_parse((const uint8_t *)"OfflineExpirationPercent=0\n",
						  27, &pct), AE_OK);
	assert_int_equal(pct, 0);
	assert_int_equal(ae_offline_percent_parse((const uint8_t *)"OfflineExpirationPercent=100\n",
						  29, &pct), AE_OK);
	assert_int_equal(pct, 100);
}

/*
 * `status` through the engine (ae_status_collect): the CLI used to open the
 * store itself; the engine's result must be what that code produced: the
 * snapshot, the check read-only (a key's mode reported, not fixed) and the
 * persisted percent.
 */
static void test_status_collect_checks_read_only(void **state)
{
	struct fixture f = { 0 };
	struct ae_session s = { 0 };
	struct ae_status *st = NULL;
	struct stat sb;

	setup_store(*state, &f, "chk-status");
	commit_real(*state, f.s, T, 7, 100, NULL);
	assert_int_equal(ae_store_check_save_percent(f.s, 30), AE_OK);
	assert_int_equal(fchmodat(f.s->fd, T ".key", 0644, 0), 0);
	s.store_dir = f.dir;
	assert_int_equal(ae_status_collect(*state, &s, &st), AE_OK);
	assert_non_null(st);
	assert_string_equal(st->store_dir, f.dir);
	assert_int_equal(st->snap->num_certs, 1);
	assert_int_equal(st->chk->num_entries, 1);
	assert_int_equal(st->chk->entries[0].state, AE_CHECK_VALID);
	assert_int_equal(st->chk->percent, 30);
	assert_true(st->chk->percent_known);
	assert_non_null(strstr(st->chk->entries[0].note, "has mode 0644"));
	assert_int_equal(fstatat(f.s->fd, T ".key", &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);	/* status changes nothing */
	assert_string_equal(ae_status_cert_state_name(st->snap->certs[0].state),
			    ae_cert_state_name(st->snap->certs[0].state));
	talloc_free(st);
	rm_rf(f.dir);
}

/* A store that cannot be opened: an error naming it in s->error, *_st untouched. */
static void test_status_collect_unusable_store_fails(void **state)
{
	struct fixture f = { 0 };
	struct ae_session s = { 0 };
	struct ae_status *st = (struct ae_status *)state;	/* a sentinel: must stay */

	setup_store(*state, &f, "chk-status-bad");
	write_file(&f, "notadir", "x", 1, 0600);
	s.store_dir = talloc_asprintf(*state, "%s/notadir", f.dir);
	assert_int_not_equal(ae_status_collect(*state, &s, &st), AE_OK);
	assert_ptr_equal(st, (struct ae_status *)state);
	assert_true(s.error[0] != '\0');
	rm_rf(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_certificate_is_valid, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_truncated_crt_is_invalid, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_empty_crt_is_invalid, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_of_another_certificate_is_invalid,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_record_describing_another_certificate_is_invalid,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_mode_0644_is_reported_and_fixed,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_crt_symlink_is_not_listed_as_issued,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_state_is_reported, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_archived_certificates_are_listed, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_expired_certificate_is_expired_in_status,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_expiring_certificate_is_flagged, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_request_installed_pair_is_checked, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_offline_percent_persisted, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_offline_percent_parse, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_status_collect_checks_read_only, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_status_collect_unusable_store_fails, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
