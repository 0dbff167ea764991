/*
 * test_store_recover.c: ae_store_recover() on every half-done state, each
 * made by hand as the file set a crash at that point leaves behind.
 *
 * Leak check: talloc null tracking; each test's teardown requires the
 * number of talloc blocks reachable from NULL to be what it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "leak_check.h"
#include <sys/stat.h>
#include <unistd.h>
#include "test_store_helpers.h"

static void put(TALLOC_CTX *mem, const struct ae_store *s, const char *t, const char *sfx,
		const char *text)
{
	assert_int_equal(ae_file_write_atomic(ae_store_path(mem, s, t, sfx), text, strlen(text),
					      0600), AE_OK);
}

static void put_pair(TALLOC_CTX *mem, const struct ae_store *s, const char *t, unsigned n)
{
	put(mem, s, t, ".key", fake(mem, "KEY", n));
	put(mem, s, t, ".crt", fake(mem, "CRT", n));
	put(mem, s, t, ".chain.pem", fake(mem, "CHAIN", n));
}

/* a record of template t; serial n (0: none) */
static struct ae_store_state *rec(TALLOC_CTX *mem, const char *t, enum ae_cert_state status,
				  unsigned n)
{
	struct ae_store_state *st = talloc_zero(mem, struct ae_store_state);

	st->template_name = talloc_strdup(st, t);
	st->status = status;
	st->created = 1700000000;
	st->changed = 1700000001;
	if (n != 0) {
		st->cert = fake_info(st, n);
	}
	if (status == AE_CERT_PENDING) {
		st->request_ca = "LAB-CA";
		st->request_id = 31;
		st->has_request_id = true;
	}
	return st;
}

static void save(const struct ae_store *s, const struct ae_store_state *st)
{
	assert_int_equal(ae_store_state_save(s, st), AE_OK);
}

static struct ae_store_state *load(TALLOC_CTX *mem, const struct ae_store *s, const char *t)
{
	struct ae_store_state *st = NULL;

	assert_int_equal(ae_store_state_load(mem, s, t, &st), AE_OK);
	return st;
}

static char **recover(TALLOC_CTX *mem, const struct ae_store *s, ae_err expect)
{
	char **notes = NULL;

	assert_int_equal(ae_store_recover(mem, s, &notes), expect);
	assert_non_null(notes);
	return notes;
}

static size_t count(char **notes)
{
	size_t n = 0;

	while (notes[n] != NULL) {
		n++;
	}
	return n;
}

static void has_note(char **notes, const char *words)
{
	size_t i;

	for (i = 0; notes[i] != NULL; i++) {
		if (strstr(notes[i], words) != NULL) {
			return;
		}
	}
	fail_msg("no recovery note says \"%s\"", words);
}

static void no_staged(TALLOC_CTX *mem, const struct ae_store *s, const char *t, bool key_too)
{
	assert_false(tpresent(mem, s, t, ".crt.new"));
	assert_false(tpresent(mem, s, t, ".chain.pem.new"));
	assert_false(tpresent(mem, s, t, ".state.new"));
	if (key_too) {
		assert_false(tpresent(mem, s, t, ".key.new"));
	}
}

static void assert_pair(TALLOC_CTX *mem, const struct ae_store *s, const char *t, long n)
{
	assert_int_equal(gen_of(tfile(mem, s, t, ".key"), "KEY"), n);
	assert_int_equal(gen_of(tfile(mem, s, t, ".crt"), "CRT"), n);
	assert_int_equal(gen_of(tfile(mem, s, t, ".chain.pem"), "CHAIN"), n);
}

static char *apath(TALLOC_CTX *mem, const struct ae_store *s, const char *name)
{
	return talloc_asprintf(mem, "%s/archive/%s", s->dir, name);
}

static void test_clean_store(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);

	(void)state;
	assert_int_equal(count(recover(mem, s, AE_OK)), 0);
	install_gen(mem, s, "T", AE_CERT_ENROLLING, 1);
	install_gen(mem, s, "T", AE_CERT_RENEWING, 2);
	assert_int_equal(ae_store_begin(s, "P", AE_CERT_ENROLLING, "KEY 9\n", 6), AE_OK);
	assert_int_equal(ae_store_pending(s, "P", "LAB-CA", 4), AE_OK);
	assert_int_equal(count(recover(mem, s, AE_OK)), 0);	/* nothing half done */
	assert_pair(mem, s, "T", 2);
	assert_true(tpresent(mem, s, "P", ".key.new"));
	rm_rf(dir);
	talloc_free(mem);
}

static void test_stray_files(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	char **notes = NULL;

	(void)state;
	put_pair(mem, s, "T", 1);
	save(s, rec(mem, "T", AE_CERT_ISSUED, 1));
	assert_int_equal(ae_mkdir_p(talloc_asprintf(mem, "%s/archive", dir), 0700), AE_OK);
	assert_int_equal(ae_mkdir_p(talloc_asprintf(mem, "%s/pending", dir), 0700), AE_OK);
	put(mem, s, "T", ".key.tmp.1234", "half");
	put(mem, s, "archive/T.5", ".crt.tmp.77", "half");
	put(mem, s, "pending/lab-ca.3", ".state.tmp.9", "half");
	put(mem, s, "pending/lab-ca.4", ".key", "orphan key");	/* no record */
	put(mem, s, "pending/lab-ca.5", ".key", "KEY");
	put(mem, s, "pending/lab-ca.5", ".state", "ca=LAB-CA\n");
	put(mem, s, "T", ".tmp.x", "not ours: kept");
	/* a stable status with a new key and staged files: begin/commit never got going */
	put(mem, s, "T", ".key.new", "KEY 2\n");
	put(mem, s, "T", ".crt.new", "CRT 2\n");
	notes = recover(mem, s, AE_OK);
	has_note(notes, "T.key.tmp.1234");
	has_note(notes, "T.5.crt.tmp.77");
	has_note(notes, "lab-ca.3.state.tmp.9");
	has_note(notes, "pending/lab-ca.4.key");
	has_note(notes, "had not started (status issued)");
	assert_int_equal(count(notes), 5);
	assert_false(tpresent(mem, s, "T", ".key.tmp.1234"));
	assert_false(tpresent(mem, s, "pending/lab-ca.4", ".key"));
	assert_true(tpresent(mem, s, "pending/lab-ca.5", ".key"));
	assert_true(tpresent(mem, s, "T", ".tmp.x"));
	no_staged(mem, s, "T", true);
	assert_pair(mem, s, "T", 1);
	assert_int_equal(count(recover(mem, s, AE_OK)), 0);	/* idempotent */
	rm_rf(dir);
	talloc_free(mem);
}

static void test_enrolling_rolls_back(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = NULL;
	char **notes = NULL;

	(void)state;
	/* first enrollment, killed after begin */
	save(s, rec(mem, "A", AE_CERT_ENROLLING, 0));
	put(mem, s, "A", ".key.new", "KEY 1\n");
	/* first enrollment, killed in commit before the INSTALLING record */
	save(s, rec(mem, "B", AE_CERT_ENROLLING, 0));
	put(mem, s, "B", ".key.new", "KEY 1\n");
	put(mem, s, "B", ".crt.new", "CRT 1\n");
	put(mem, s, "B", ".chain.pem.new", "CHAIN 1\n");
	put(mem, s, "B", ".state.new", "version=1\ntemplate=B\nstatus=issued\n");
	notes = recover(mem, s, AE_OK);
	assert_int_equal(count(notes), 2);
	has_note(notes, "template A: enrollment interrupted");
	has_note(notes, "template B: enrollment interrupted");
	st = load(mem, s, "A");
	assert_int_equal(st->status, AE_CERT_NONE);
	assert_non_null(st->reason);
	no_staged(mem, s, "A", true);
	st = load(mem, s, "B");
	assert_int_equal(st->status, AE_CERT_NONE);
	no_staged(mem, s, "B", true);
	assert_false(tpresent(mem, s, "B", ".crt"));
	rm_rf(dir);
	talloc_free(mem);
}

static void test_renewing_rolls_back(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = rec(mem, "T", AE_CERT_RENEWING, 1);
	char **notes = NULL;

	(void)state;
	st->renewal = true;
	put_pair(mem, s, "T", 1);
	save(s, st);
	put(mem, s, "T", ".key.new", "KEY 2\n");
	put(mem, s, "T", ".crt.new", "CRT 2\n");
	notes = recover(mem, s, AE_OK);
	assert_int_equal(count(notes), 1);
	has_note(notes, "renewal interrupted");
	has_note(notes, "the installed pair stays");
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_ISSUED);
	assert_string_equal(st->cert.serial_hex, "1");
	assert_false(st->renewal);
	assert_pair(mem, s, "T", 1);
	no_staged(mem, s, "T", true);
	rm_rf(dir);
	talloc_free(mem);
}

/*
 * EIO on the record after the CA issued: the PENDING save failed, the
 * engine committed anyway, and the commit point (INSTALLING) failed too.
 * The record still says RENEWING, but the staged next record names the CA
 * and the request: recovery records PENDING with them and keeps the answer
 * (the engine installs it) instead of dropping an issued certificate. A
 * staged record without a request id (or begin's reservation) is no answer.
 */
static void test_renewing_staged_answer_kept(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = rec(mem, "T", AE_CERT_RENEWING, 1);
	struct ae_store_state *next = rec(mem, "T", AE_CERT_ISSUED, 2);
	char **notes = NULL, *text = NULL, *ca = NULL;
	uint32_t id = 0;

	(void)state;
	st->renewal = true;
	put_pair(mem, s, "T", 1);
	save(s, st);
	put(mem, s, "T", ".key.new", "KEY 2\n");
	put(mem, s, "T", ".crt.new", "CRT 2\n");
	put(mem, s, "T", ".chain.pem.new", "CHAIN 2\n");
	next->cert.ca = "LAB-CA";
	next->cert.request_id = 77;
	assert_int_equal(ae_store_state_format(mem, next, &text), AE_OK);
	put(mem, s, "T", ".state.new", text);
	assert_true(ae_store_staged_request(mem, s, "T", &ca, &id));
	assert_string_equal(ca, "LAB-CA");
	assert_int_equal(id, 77);
	/* a second template: begin's reservation, not an answer */
	save(s, rec(mem, "U", AE_CERT_ENROLLING, 0));
	put(mem, s, "U", ".key.new", "KEY 1\n");
	put(mem, s, "U", ".crt.new", "CRT 1\n");
	put(mem, s, "U", ".state.new", "#######\n");
	assert_false(ae_store_staged_request(mem, s, "U", &ca, &id));
	assert_false(ae_store_staged_request(mem, s, "../T", &ca, &id));
	notes = recover(mem, s, AE_OK);
	assert_int_equal(count(notes), 2);
	has_note(notes, "template T: request 77 at CA LAB-CA was answered and its answer staged");
	has_note(notes, "template U: enrollment interrupted");
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_PENDING);
	assert_string_equal(st->request_ca, "LAB-CA");
	assert_int_equal(st->request_id, 77);
	assert_true(st->renewal);
	assert_pair(mem, s, "T", 1);
	assert_string_equal(tfile(mem, s, "T", ".key.new"), "KEY 2\n");
	assert_string_equal(tfile(mem, s, "T", ".crt.new"), "CRT 2\n");
	assert_string_equal(tfile(mem, s, "T", ".chain.pem.new"), "CHAIN 2\n");
	assert_false(tpresent(mem, s, "T", ".state.new"));
	assert_false(ae_store_staged_request(mem, s, "T", &ca, &id));
	no_staged(mem, s, "U", true);
	rm_rf(dir);
	talloc_free(mem);
}

/*
 * Finding 4 ("an issued certificate is thrown away"): killed or out of
 * space while installing an issued certificate, after the record says
 * PENDING with the request id and before INSTALLING. The staged
 * certificate and chain are the CA's answer for the request's key: they
 * are kept (the engine installs them, or retrieves the request again),
 * only the staged record goes. The old code deleted them.
 */
static void test_pending_issued_answer_is_kept(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = NULL;
	char **notes = NULL;

	(void)state;
	save(s, rec(mem, "P", AE_CERT_PENDING, 0));
	put(mem, s, "P", ".key.new", "KEY 1\n");
	put(mem, s, "P", ".crt.new", "CRT 1\n");
	put(mem, s, "P", ".chain.pem.new", "CHAIN 1\n");
	put(mem, s, "P", ".state.new", "version=1\n");
	/* a pending renewal whose key is gone: nothing to retrieve it with */
	put_pair(mem, s, "Q", 4);
	save(s, rec(mem, "Q", AE_CERT_PENDING, 4));
	notes = recover(mem, s, AE_OK);
	assert_int_equal(count(notes), 2);
	has_note(notes, "template P: request 31 at CA LAB-CA was answered but not installed");
	has_note(notes, "template Q: request 31 at CA LAB-CA is pending but its key is missing");
	st = load(mem, s, "P");
	assert_int_equal(st->status, AE_CERT_PENDING);
	assert_int_equal(st->request_id, 31);
	assert_string_equal(tfile(mem, s, "P", ".key.new"), "KEY 1\n");
	assert_string_equal(tfile(mem, s, "P", ".crt.new"), "CRT 1\n");
	assert_string_equal(tfile(mem, s, "P", ".chain.pem.new"), "CHAIN 1\n");
	assert_false(tpresent(mem, s, "P", ".state.new"));
	st = load(mem, s, "Q");
	assert_int_equal(st->status, AE_CERT_ISSUED);
	assert_pair(mem, s, "Q", 4);
	/* idempotent: the answer stays until the engine installs it */
	assert_int_equal(count(recover(mem, s, AE_OK)), 1);
	assert_true(tpresent(mem, s, "P", ".crt.new"));
	rm_rf(dir);
	talloc_free(mem);
}

static void put_old_pending(TALLOC_CTX *mem, const struct ae_store *s, const char *t,
			    unsigned id)
{
	char *stem = talloc_asprintf(mem, "pending/lab-ca.%u", id);

	put(mem, s, stem, ".key", talloc_asprintf(mem, "PK %u\n", id));
	put(mem, s, stem, ".state", talloc_asprintf(mem, "ca=LAB-CA\nca_host=dc1.lab\n"
						    "request_id=%u\ntemplate=%s\nsubmitted="
						    "1700000000\nstatus=pending\n", id, t));
}

/*
 * Finding 2 ("a pending request blocks run for good"): `request` of an
 * older version kept a pending request under pending/, where `run` never
 * found its key (exit 8 on every run). Recovery adopts it as the
 * template's PENDING record with the key as <template>.key.new; a template
 * busy with another request keeps its own, and the old record stays.
 */
static void test_request_pending_adopted_for_run(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = NULL;
	char **notes = NULL;

	(void)state;
	assert_int_equal(ae_mkdir_p(talloc_asprintf(mem, "%s/pending", dir), 0700), AE_OK);
	put_pair(mem, s, "T", 1);			/* installed: a pending renewal-by-request */
	save(s, rec(mem, "T", AE_CERT_ISSUED, 1));
	put_old_pending(mem, s, "T", 7);
	put_old_pending(mem, s, "U", 8);		/* no record at all */
	save(s, rec(mem, "V", AE_CERT_PENDING, 0));	/* busy with request 31 */
	put(mem, s, "V", ".key.new", "KEY V\n");
	put_old_pending(mem, s, "V", 9);
	save(s, rec(mem, "W", AE_CERT_PENDING, 0));	/* adopted before a crash */
	put(mem, s, "W", ".key.new", "PK 31\n");
	put_old_pending(mem, s, "W", 31);
	notes = recover(mem, s, AE_OK);
	has_note(notes, "template T: adopted pending/lab-ca.7 (request 7 at CA LAB-CA)");
	has_note(notes, "template U: adopted pending/lab-ca.8");
	has_note(notes, "template V: pending/lab-ca.9 (request 9 at CA LAB-CA) left as it is");
	has_note(notes, "template W: removed pending/lab-ca.31, adopted earlier");
	assert_int_equal(count(notes), 4);
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_PENDING);
	assert_string_equal(st->request_ca, "LAB-CA");
	assert_int_equal(st->request_id, 7);
	assert_true(st->renewal);
	assert_string_equal(st->cert.serial_hex, load(mem, s, "T")->cert.serial_hex);
	assert_int_equal(strtol(st->cert.serial_hex, NULL, 16), 1);
	assert_string_equal(tfile(mem, s, "T", ".key.new"), "PK 7\n");
	assert_pair(mem, s, "T", 1);
	assert_false(tpresent(mem, s, "pending/lab-ca.7", ".state"));
	assert_false(tpresent(mem, s, "pending/lab-ca.7", ".key"));
	st = load(mem, s, "U");
	assert_int_equal(st->status, AE_CERT_PENDING);
	assert_int_equal(st->request_id, 8);
	assert_false(st->renewal);
	assert_string_equal(tfile(mem, s, "U", ".key.new"), "PK 8\n");
	st = load(mem, s, "V");
	assert_int_equal(st->request_id, 31);
	assert_string_equal(tfile(mem, s, "V", ".key.new"), "KEY V\n");
	assert_true(tpresent(mem, s, "pending/lab-ca.9", ".state"));
	assert_true(tpresent(mem, s, "pending/lab-ca.9", ".key"));
	assert_false(tpresent(mem, s, "pending/lab-ca.31", ".state"));
	assert_false(tpresent(mem, s, "pending/lab-ca.31", ".key"));
	/* idempotent: only the busy template's record is reported again */
	notes = recover(mem, s, AE_OK);
	assert_int_equal(count(notes), 1);
	rm_rf(dir);
	talloc_free(mem);
}

/*
 * A commit of generation 2 over generation 1, killed after the INSTALLING
 * record, at each of its stages:
 *   0 nothing moved; 1 the old crt archived; 2 crt, chain, key archived;
 *   3 + the archive record; 4 + the new key in place; 5 + chain and crt in
 *   place (only the record rename left).
 */
static void make_installing(TALLOC_CTX *mem, const struct ae_store *s, int stage, bool replace)
{
	struct ae_store_state *inst = rec(mem, "T", AE_CERT_INSTALLING, replace ? 1 : 0);
	struct ae_store_state *next = rec(mem, "T", AE_CERT_ISSUED, 2);
	char *text = NULL;

	if (replace) {
		put_pair(mem, s, "T", 1);
		inst->archive_tag = "1";
		assert_int_equal(ae_mkdir_p(talloc_asprintf(mem, "%s/archive", s->dir), 0700), AE_OK);
	}
	put(mem, s, "T", ".key.new", "KEY 2\n");
	put(mem, s, "T", ".crt.new", "CRT 2\n");
	put(mem, s, "T", ".chain.pem.new", "CHAIN 2\n");
	assert_int_equal(ae_store_state_format(mem, next, &text), AE_OK);
	put(mem, s, "T", ".state.new", text);
	save(s, inst);
	if (replace && stage >= 1) {
		assert_int_equal(rename(ae_store_path(mem, s, "T", ".crt"), apath(mem, s, "T.1.crt")),
				 0);
	}
	if (replace && stage >= 2) {
		assert_int_equal(rename(ae_store_path(mem, s, "T", ".chain.pem"),
					apath(mem, s, "T.1.chain.pem")), 0);
		assert_int_equal(rename(ae_store_path(mem, s, "T", ".key"), apath(mem, s, "T.1.key")),
				 0);
	}
	if (replace && stage >= 3) {
		struct ae_store_state *old = rec(mem, "T", AE_CERT_ARCHIVED, 1);
		old->archive_tag = "1";
		assert_int_equal(ae_store_state_format(mem, old, &text), AE_OK);
		put(mem, s, "archive/T.1", ".state", text);
	}
	if (stage >= 4) {
		assert_int_equal(rename(ae_store_path(mem, s, "T", ".key.new"),
					ae_store_path(mem, s, "T", ".key")), 0);
	}
	if (stage >= 5) {
		assert_int_equal(rename(ae_store_path(mem, s, "T", ".chain.pem.new"),
					ae_store_path(mem, s, "T", ".chain.pem")), 0);
		assert_int_equal(rename(ae_store_path(mem, s, "T", ".crt.new"),
					ae_store_path(mem, s, "T", ".crt")), 0);
	}
}

static void test_installing_finishes(void **state)
{
	int stage, replace;

	(void)state;
	for (replace = 0; replace <= 1; replace++) {
		for (stage = 0; stage <= 5; stage++) {
			TALLOC_CTX *mem = talloc_new(NULL);
			char *dir = scratch_dir(mem, "rec");
			struct ae_store *s = open_locked(mem, dir);
			struct ae_store_state *st = NULL, *old = NULL;
			char **notes = NULL, *text = NULL;

			if (!replace && stage >= 1 && stage <= 3) {
				rm_rf(dir);
				talloc_free(mem);
				continue;	/* no archive stages without an old pair */
			}
			make_installing(mem, s, stage, replace);
			notes = recover(mem, s, AE_OK);
			assert_int_equal(count(notes), 1);
			has_note(notes, "finished an interrupted install (serial 2)");
			if (replace) {
				has_note(notes, "the previous pair is in archive/T.1.*");
			}
			st = load(mem, s, "T");
			assert_int_equal(st->status, AE_CERT_ISSUED);
			assert_string_equal(st->cert.serial_hex, "2");
			assert_pair(mem, s, "T", 2);
			no_staged(mem, s, "T", true);
			if (replace) {
				assert_int_equal(gen_of(slurp(mem, apath(mem, s, "T.1.key")), "KEY"), 1);
				assert_int_equal(gen_of(slurp(mem, apath(mem, s, "T.1.crt")), "CRT"), 1);
				assert_int_equal(gen_of(slurp(mem, apath(mem, s, "T.1.chain.pem")),
							"CHAIN"), 1);
				text = slurp(mem, apath(mem, s, "T.1.state"));
				assert_non_null(text);
				assert_int_equal(ae_store_state_parse(mem, (uint8_t *)text, strlen(text),
								      &old), AE_OK);
				assert_int_equal(old->status, AE_CERT_ARCHIVED);
				assert_string_equal(old->cert.serial_hex, "1");
			}
			assert_int_equal(count(recover(mem, s, AE_OK)), 0);
			rm_rf(dir);
			talloc_free(mem);
		}
	}
}

static void test_installing_without_next_record(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	char **notes = NULL;

	(void)state;
	make_installing(mem, s, 0, true);
	assert_int_equal(unlink(ae_store_path(mem, s, "T", ".state.new")), 0);
	notes = recover(mem, s, AE_ERR_NOT_FOUND);
	has_note(notes, "cannot finish installing");
	assert_pair(mem, s, "T", 1);	/* left as it was, for a human */
	assert_int_equal(load(mem, s, "T")->status, AE_CERT_INSTALLING);
	rm_rf(dir);
	talloc_free(mem);
}

static void test_archive_finishes(void **state)
{
	int stage;

	(void)state;
	/* archive/remove killed after its record: 0 nothing moved, 1 crt, 2 all three */
	for (stage = 0; stage <= 2; stage++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		char *dir = scratch_dir(mem, "rec");
		struct ae_store *s = open_locked(mem, dir);
		struct ae_store_state *st = rec(mem, "T", stage == 1 ? AE_CERT_REMOVED
								      : AE_CERT_ARCHIVED, 5);
		char **notes = NULL;

		put_pair(mem, s, "T", 5);
		st->archive_tag = "5";
		save(s, st);
		assert_int_equal(ae_mkdir_p(talloc_asprintf(mem, "%s/archive", dir), 0700), AE_OK);
		if (stage >= 1) {
			assert_int_equal(rename(ae_store_path(mem, s, "T", ".crt"),
						apath(mem, s, "T.5.crt")), 0);
		}
		if (stage >= 2) {
			assert_int_equal(rename(ae_store_path(mem, s, "T", ".chain.pem"),
						apath(mem, s, "T.5.chain.pem")), 0);
			assert_int_equal(rename(ae_store_path(mem, s, "T", ".key"),
						apath(mem, s, "T.5.key")), 0);
		}
		notes = recover(mem, s, AE_OK);
		assert_int_equal(count(notes), 1);
		has_note(notes, "finished moving the");
		assert_false(tpresent(mem, s, "T", ".crt"));
		assert_false(tpresent(mem, s, "T", ".key"));
		assert_false(tpresent(mem, s, "T", ".chain.pem"));
		assert_int_equal(gen_of(slurp(mem, apath(mem, s, "T.5.key")), "KEY"), 5);
		assert_int_equal(gen_of(slurp(mem, apath(mem, s, "T.5.crt")), "CRT"), 5);
		assert_non_null(slurp(mem, apath(mem, s, "T.5.state")));
		/* once the archive record exists, a new pair is never taken for the old one */
		install_gen(mem, s, "T", AE_CERT_ENROLLING, 6);
		assert_int_equal(count(recover(mem, s, AE_OK)), 0);
		assert_pair(mem, s, "T", 6);
		rm_rf(dir);
		talloc_free(mem);
	}
}

static void test_corrupt_record(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "rec");
	struct ae_store *s = open_locked(mem, dir);
	char **notes = NULL;

	(void)state;
	put_pair(mem, s, "T", 3);
	put(mem, s, "T", ".state", "version=1\ntemplate=T\nstatus=issued\nbogus\n");
	put(mem, s, "T", ".key.new", "KEY 4\n");
	notes = recover(mem, s, AE_OK);
	assert_int_equal(count(notes), 2);
	has_note(notes, "does not parse; set aside as T.state.corrupt");
	has_note(notes, "had not started (status none)");
	assert_false(tpresent(mem, s, "T", ".state"));
	assert_true(tpresent(mem, s, "T", ".state.corrupt"));
	assert_pair(mem, s, "T", 3);	/* the pair itself is untouched */
	/* and the template works again: renew the pair that has no record now */
	install_gen(mem, s, "T", AE_CERT_RENEWING, 4);
	assert_pair(mem, s, "T", 4);
	rm_rf(dir);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_store, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_stray_files, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_enrolling_rolls_back, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_renewing_rolls_back, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_renewing_staged_answer_kept, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_pending_issued_answer_is_kept, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_request_pending_adopted_for_run, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_installing_finishes, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_installing_without_next_record, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_archive_finishes, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record, leak_setup, leak_teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
