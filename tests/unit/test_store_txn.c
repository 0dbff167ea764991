/*
 * test_store_txn.c: the store's transitions, the lock and the snapshot
 * (source/store/ae_store.h), in scratch directories under /tmp.
 *
 * Leak check: talloc null tracking; each test's teardown requires the
 * number of talloc blocks reachable from NULL to be what it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <cmocka.h>
#include "leak_check.h"
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test_store_helpers.h"

static struct ae_store_state *load(TALLOC_CTX *mem, const struct ae_store *s, const char *t)
{
	struct ae_store_state *st = NULL;

	assert_int_equal(ae_store_state_load(mem, s, t, &st), AE_OK);
	return st;
}

static mode_t mode_of(TALLOC_CTX *mem, const struct ae_store *s, const char *t, const char *sfx)
{
	struct stat sb;

	assert_int_equal(stat(ae_store_path(mem, s, t, sfx), &sb), 0);
	return sb.st_mode & 0777;
}

static char *archived(TALLOC_CTX *mem, const struct ae_store *s, const char *t, const char *tag,
		      const char *sfx)
{
	return slurp(mem, talloc_asprintf(mem, "%s/archive/%s.%s%s", s->dir, t, tag, sfx));
}

static void test_enroll_pending_commit(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "txn");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_certinfo ci = fake_info(mem, 1);
	struct ae_store_state *st = NULL;
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(ae_store_begin(s, "LabMachine", AE_CERT_ENROLLING, "KEY 1\n", 6), AE_OK);
	st = load(mem, s, "LabMachine");
	assert_int_equal(st->status, AE_CERT_ENROLLING);
	assert_false(st->renewal);
	assert_true(st->created >= now && st->changed >= now);
	assert_int_equal(mode_of(mem, s, "LabMachine", ".key.new"), 0600);
	assert_int_equal(mode_of(mem, s, "LabMachine", ".state"), 0600);
	assert_false(tpresent(mem, s, "LabMachine", ".key"));
	assert_false(tpresent(mem, s, "LabMachine", ".crt"));

	assert_int_equal(ae_store_pending(s, "LabMachine", "LAB-CA", 7), AE_OK);
	st = load(mem, s, "LabMachine");
	assert_int_equal(st->status, AE_CERT_PENDING);
	assert_string_equal(st->request_ca, "LAB-CA");
	assert_int_equal(st->request_id, 7);
	assert_true(st->submitted >= now);

	assert_int_equal(ae_store_commit(s, "LabMachine", "CRT 1\n", 6, "CHAIN 1\n", 8, &ci), AE_OK);
	st = load(mem, s, "LabMachine");
	assert_int_equal(st->status, AE_CERT_ISSUED);
	assert_null(st->request_ca);
	assert_false(st->has_request_id);
	assert_string_equal(st->cert.serial_hex, "1");
	assert_string_equal(st->cert.ca, "LAB-CA");	/* from the pending request */
	assert_int_equal(st->cert.request_id, 7);
	assert_int_equal(st->cert.major, 100);
	assert_true(st->cert.installed >= now);
	assert_string_equal(tfile(mem, s, "LabMachine", ".key"), "KEY 1\n");
	assert_string_equal(tfile(mem, s, "LabMachine", ".crt"), "CRT 1\n");
	assert_string_equal(tfile(mem, s, "LabMachine", ".chain.pem"), "CHAIN 1\n");
	assert_int_equal(mode_of(mem, s, "LabMachine", ".key"), 0600);
	assert_int_equal(mode_of(mem, s, "LabMachine", ".crt"), 0644);
	assert_int_equal(mode_of(mem, s, "LabMachine", ".chain.pem"), 0644);
	assert_false(tpresent(mem, s, "LabMachine", ".key.new"));
	assert_false(tpresent(mem, s, "LabMachine", ".crt.new"));
	assert_false(tpresent(mem, s, "LabMachine", ".state.new"));
	assert_false(ae_file_exists(talloc_asprintf(mem, "%s/archive", dir)));	/* nothing replaced */
	rm_rf(dir);
	talloc_free(mem);
}

static void test_renew_archives_old_pair(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "txn");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = NULL, *old = NULL;
	uint8_t *data = NULL;
	size_t len = 0;

	(void)state;
	install_gen(mem, s, "T", AE_CERT_ENROLLING, 0x1a);
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_RENEWING, "KEY 27\n", 7), AE_OK);
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_RENEWING);
	assert_true(st->renewal);
	assert_string_equal(st->cert.serial_hex, "1A");	/* still the installed one */
	assert_string_equal(tfile(mem, s, "T", ".crt"), "CRT 26\n");
	assert_string_equal(tfile(mem, s, "T", ".key"), "KEY 26\n");
	{
		struct ae_store_certinfo ci = fake_info(mem, 27);
		ci.ca = "OTHER-CA";
		ci.request_id = 99;
		assert_int_equal(ae_store_commit(s, "T", "CRT 27\n", 7, NULL, 0, &ci), AE_OK);
	}
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_ISSUED);
	assert_false(st->renewal);
	assert_string_equal(st->cert.serial_hex, "1B");
	assert_string_equal(st->cert.ca, "OTHER-CA");
	assert_int_equal(st->cert.request_id, 99);
	assert_string_equal(tfile(mem, s, "T", ".key"), "KEY 27\n");
	assert_string_equal(tfile(mem, s, "T", ".crt"), "CRT 27\n");
	assert_string_equal(tfile(mem, s, "T", ".chain.pem"), "");
	/* the old pair, its chain and its record, under its serial */
	assert_string_equal(archived(mem, s, "T", "1A", ".key"), "KEY 26\n");
	assert_string_equal(archived(mem, s, "T", "1A", ".crt"), "CRT 26\n");
	assert_string_equal(archived(mem, s, "T", "1A", ".chain.pem"), "CHAIN 26\n");
	data = (uint8_t *)archived(mem, s, "T", "1A", ".state");
	assert_non_null(data);
	len = strlen((char *)data);
	assert_int_equal(ae_store_state_parse(mem, data, len, &old), AE_OK);
	assert_int_equal(old->status, AE_CERT_ARCHIVED);
	assert_string_equal(old->reason, "replaced");
	assert_string_equal(old->archive_tag, "1A");
	assert_string_equal(old->cert.serial_hex, "1A");
	/* the same serial again gets a fresh tag, never overwriting the archive */
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_ENROLLING, "KEY 28\n", 7), AE_OK);
	{
		struct ae_store_certinfo ci = fake_info(mem, 28);
		assert_int_equal(ae_store_commit(s, "T", "CRT 28\n", 7, "CHAIN 28\n", 9, &ci), AE_OK);
	}
	install_gen(mem, s, "T", AE_CERT_RENEWING, 0x1b);	/* serial 1B once more */
	install_gen(mem, s, "T", AE_CERT_RENEWING, 0x1c);
	assert_string_equal(archived(mem, s, "T", "1B", ".crt"), "CRT 27\n");
	assert_string_equal(archived(mem, s, "T", "1C", ".crt"), "CRT 28\n");
	assert_string_equal(archived(mem, s, "T", "1B-1", ".crt"), "CRT 27\n");
	rm_rf(dir);
	talloc_free(mem);
}

static void test_abort(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "txn");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = NULL;

	(void)state;
	/* a denied first request: back to none, the key gone */
	assert_int_equal(ae_store_begin(s, "A", AE_CERT_ENROLLING, "KEY 1\n", 6), AE_OK);
	assert_int_equal(ae_store_abort(s, "A", "denied: 0x80094012\n(template)"), AE_OK);
	st = load(mem, s, "A");
	assert_int_equal(st->status, AE_CERT_NONE);
	assert_string_equal(st->reason, "denied: 0x80094012 (template)");
	assert_false(tpresent(mem, s, "A", ".key.new"));
	/* a denied renewal, pending first: the installed pair stays */
	install_gen(mem, s, "B", AE_CERT_ENROLLING, 5);
	assert_int_equal(ae_store_begin(s, "B", AE_CERT_RENEWING, "KEY 6\n", 6), AE_OK);
	assert_int_equal(ae_store_pending(s, "B", "LAB-CA", 12), AE_OK);
	assert_int_equal(ae_store_abort(s, "B", NULL), AE_OK);
	st = load(mem, s, "B");
	assert_int_equal(st->status, AE_CERT_ISSUED);
	assert_null(st->reason);
	assert_false(st->has_request_id);
	assert_string_equal(st->cert.serial_hex, "5");
	assert_string_equal(tfile(mem, s, "B", ".key"), "KEY 5\n");
	assert_string_equal(tfile(mem, s, "B", ".crt"), "CRT 5\n");
	assert_false(tpresent(mem, s, "B", ".key.new"));
	rm_rf(dir);
	talloc_free(mem);
}

static void test_archive_and_remove(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "txn");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_state *st = NULL;

	(void)state;
	install_gen(mem, s, "A", AE_CERT_ENROLLING, 0xa);
	assert_int_equal(ae_store_archive(s, "A", "superseded by\tB"), AE_OK);
	st = load(mem, s, "A");
	assert_int_equal(st->status, AE_CERT_ARCHIVED);
	assert_string_equal(st->reason, "superseded by B");
	assert_string_equal(st->archive_tag, "A");
	assert_string_equal(st->cert.serial_hex, "A");	/* the one archived */
	assert_false(tpresent(mem, s, "A", ".crt"));
	assert_false(tpresent(mem, s, "A", ".key"));
	assert_false(tpresent(mem, s, "A", ".chain.pem"));
	assert_string_equal(archived(mem, s, "A", "A", ".key"), "KEY 10\n");
	assert_string_equal(archived(mem, s, "A", "A", ".crt"), "CRT 10\n");
	assert_non_null(archived(mem, s, "A", "A", ".state"));
	/* nothing left to archive */
	assert_int_equal(ae_store_archive(s, "A", NULL), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_store_remove(s, "A", NULL), AE_ERR_NOT_FOUND);
	/* enrolling again after an archive starts without certificate fields */
	assert_int_equal(ae_store_begin(s, "A", AE_CERT_ENROLLING, "KEY 11\n", 7), AE_OK);
	st = load(mem, s, "A");
	assert_null(st->cert.serial_hex);
	assert_null(st->archive_tag);
	assert_false(st->renewal);
	assert_int_equal(ae_store_abort(s, "A", NULL), AE_OK);

	install_gen(mem, s, "R", AE_CERT_ENROLLING, 0xb);
	assert_int_equal(ae_store_remove(s, "R", "revoked"), AE_OK);
	st = load(mem, s, "R");
	assert_int_equal(st->status, AE_CERT_REMOVED);
	assert_false(tpresent(mem, s, "R", ".crt"));
	assert_string_equal(archived(mem, s, "R", "B", ".key"), "KEY 11\n");
	/* a pair installed without a record (the request command) can be archived */
	assert_int_equal(ae_store_install(s, "Legacy", "KEY 3\n", 6, "CRT 3\n", 6, "C\n", 2), AE_OK);
	assert_int_equal(ae_store_archive(s, "Legacy", "cleanup"), AE_OK);
	st = load(mem, s, "Legacy");
	assert_int_equal(st->status, AE_CERT_ARCHIVED);
	assert_non_null(archived(mem, s, "Legacy", st->archive_tag, ".crt"));
	rm_rf(dir);
	talloc_free(mem);
}

static void test_refusals(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "txn");
	struct ae_store *s = open_locked(mem, dir), *u = NULL;
	struct ae_store_certinfo ci = fake_info(mem, 2), bad = fake_info(mem, 3);
	struct ae_store_state *st = NULL;
	char **notes = NULL;

	(void)state;
	/* every transition needs the lock */
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &u, NULL, 0), AE_OK);
	assert_int_equal(ae_store_begin(u, "T", AE_CERT_ENROLLING, "K", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_pending(u, "T", "CA", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_commit(u, "T", "C", 1, NULL, 0, &ci), AE_ERR_INVALID);
	assert_int_equal(ae_store_abort(u, "T", NULL), AE_ERR_INVALID);
	assert_int_equal(ae_store_archive(u, "T", NULL), AE_ERR_INVALID);
	assert_int_equal(ae_store_remove(u, "T", NULL), AE_ERR_INVALID);
	assert_int_equal(ae_store_recover(mem, u, &notes), AE_ERR_INVALID);
	/* names, kinds, arguments */
	assert_int_equal(ae_store_begin(s, "../T", AE_CERT_ENROLLING, "K", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_ISSUED, "K", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_ENROLLING, NULL, 0), AE_ERR_INVALID);
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_RENEWING, "K", 1), AE_ERR_INVALID);
	/* out of order */
	assert_int_equal(ae_store_pending(s, "T", "CA", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_commit(s, "T", "C", 1, NULL, 0, &ci), AE_ERR_INVALID);
	assert_int_equal(ae_store_abort(s, "T", NULL), AE_ERR_INVALID);
	assert_int_equal(ae_store_archive(s, "T", NULL), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_ENROLLING, "KEY 2\n", 6), AE_OK);
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_ENROLLING, "K", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_archive(s, "T", NULL), AE_ERR_INVALID);
	assert_int_equal(ae_store_commit(s, "T", NULL, 0, NULL, 0, &ci), AE_ERR_INVALID);
	assert_int_equal(ae_store_commit(s, "T", "C", 1, NULL, 0, NULL), AE_ERR_INVALID);
	/* info the record cannot hold is refused before anything is written */
	bad.serial_hex = "not hex";
	assert_int_equal(ae_store_commit(s, "T", "CRT 3\n", 6, NULL, 0, &bad), AE_ERR_INVALID);
	bad = fake_info(mem, 3);
	bad.issuer = "CN=x\nstatus=issued";
	assert_int_equal(ae_store_commit(s, "T", "CRT 3\n", 6, NULL, 0, &bad), AE_ERR_INVALID);
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_ENROLLING);
	assert_false(tpresent(mem, s, "T", ".crt.new"));
	assert_int_equal(tfile(mem, s, "T", ".state.new")[0], '#');	/* begin's reservation */
	assert_int_equal(ae_store_commit(s, "T", "CRT 2\n", 6, NULL, 0, &ci), AE_OK);
	assert_int_equal(ae_store_pending(s, "T", "CA", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_commit(s, "T", "C", 1, NULL, 0, &ci), AE_ERR_INVALID);
	/* a record that does not parse stops every transition until recovery */
	assert_int_equal(ae_file_write_atomic(ae_store_path(mem, s, "T", ".state"), "junk\n", 5,
					      0600), AE_OK);
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_RENEWING, "K", 1), AE_ERR_PARSE);
	rm_rf(dir);
	talloc_free(mem);
}

/*
 * Finding 4, disk full: the CA's answer is recorded before anything else,
 * and the room for that record is taken before the CA is asked. begin
 * writes a reservation (<T>.state.new) that pending frees just before it
 * saves the PENDING record; commit and abort leave no trace of it.
 */
static void test_issued_answer_recorded_in_reserved_room(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "txn");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_certinfo ci = fake_info(mem, 2);
	struct ae_store_state *st = NULL;
	struct stat sb;

	(void)state;
	assert_int_equal(ae_store_begin(s, "T", AE_CERT_ENROLLING, "KEY 2\n", 6), AE_OK);
	assert_int_equal(stat(ae_store_path(mem, s, "T", ".state.new"), &sb), 0);
	assert_true(sb.st_size >= 4096);
	assert_int_equal(ae_store_pending(s, "T", "LAB-CA", 17), AE_OK);
	assert_false(tpresent(mem, s, "T", ".state.new"));
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_PENDING);
	assert_int_equal(st->request_id, 17);
	assert_int_equal(ae_store_commit(s, "T", "CRT 2\n", 6, "CHAIN 2\n", 8, &ci), AE_OK);
	st = load(mem, s, "T");
	assert_int_equal(st->status, AE_CERT_ISSUED);
	assert_int_equal(st->cert.request_id, 17);
	assert_false(tpresent(mem, s, "T", ".state.new"));
	/* an aborted request drops its reservation with its key */
	assert_int_equal(ae_store_begin(s, "U", AE_CERT_ENROLLING, "KEY 3\n", 6), AE_OK);
	assert_int_equal(ae_store_abort(s, "U", "denied"), AE_OK);
	assert_false(tpresent(mem, s, "U", ".state.new"));
	assert_false(tpresent(mem, s, "U", ".key.new"));
	rm_rf(dir);
	talloc_free(mem);
}

static void test_lock_in_process(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "lock");
	struct ae_store *a = NULL, *b = NULL;
	struct ae_store_lock *la = NULL, *lb = NULL;
	struct stat sb;

	(void)state;
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &a, NULL, 0), AE_OK);
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &b, NULL, 0), AE_OK);
	assert_int_equal(ae_store_lock(a, false, &la), AE_OK);
	assert_int_equal(stat(talloc_asprintf(mem, "%s/.lock", dir), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(ae_store_lock(a, false, &lb), AE_ERR_INVALID);	/* twice on one handle */
	assert_int_equal(ae_store_lock(b, false, &lb), AE_ERR_LOCKED);
	assert_null(b->lock);
	talloc_free(la);
	assert_null(a->lock);
	assert_int_equal(ae_store_lock(b, false, &lb), AE_OK);
	/* freeing the store releases it too; a lock moved elsewhere survives its store */
	talloc_free(b);
	assert_int_equal(ae_store_lock(a, false, &la), AE_OK);
	talloc_steal(mem, la);
	talloc_free(a);
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &b, NULL, 0), AE_OK);
	assert_int_equal(ae_store_lock(b, false, &lb), AE_ERR_LOCKED);
	talloc_free(la);
	assert_int_equal(ae_store_lock(b, false, &lb), AE_OK);
	rm_rf(dir);
	talloc_free(mem);
}

static void test_lock_two_processes(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "lock");
	struct ae_store *s = NULL;
	struct ae_store_lock *l = NULL;
	int up[2], down[2], status = 0;
	struct timespec t0, t1;
	char c = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ae_store *cs = NULL;
		struct ae_store_lock *cl = NULL;
		if (ae_store_open(NULL, dir, 0, AE_STORE_OPEN_CREATE, &cs, NULL, 0) != AE_OK || ae_store_lock(cs, false, &cl) != AE_OK) {
			_exit(1);
		}
		if (write(up[1], "L", 1) != 1 || read(down[0], &c, 1) != 1) {	/* hold it until told */
			_exit(2);
		}
		usleep(200 * 1000);
		_exit(0);			/* the kernel drops the lock */
	}
	assert_int_equal(read(up[0], &c, 1), 1);
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0), AE_OK);
	assert_int_equal(ae_store_lock(s, false, &l), AE_ERR_LOCKED);
	assert_int_equal(write(down[1], "G", 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ae_store_lock(s, true, &l), AE_OK);	/* waits for the child */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 150);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* and the other way round: a child cannot take it while we hold it */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ae_store *cs = NULL;
		struct ae_store_lock *cl = NULL;
		talloc_free(l);		/* our copy of the parent's lock: must not release it */
		_exit(ae_store_open(NULL, dir, 0, AE_STORE_OPEN_CREATE, &cs, NULL, 0) == AE_OK &&
		      ae_store_lock(cs, false, &cl) == AE_ERR_LOCKED ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	rm_rf(dir);
	talloc_free(mem);
}

static void test_snapshot(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "snap");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_snapshot *snap = NULL;
	struct ae_pending pe = { .ca = "LAB-CA", .ca_host = "dc1.lab.example", .request_id = 9,
				 .template_name = "Web", .submitted = 1700000000 };
	char *cdp[] = { "http://pki/x.crl" };
	struct ae_store_certinfo ci = fake_info(mem, 0x2f);
	const struct ae_store_cert *c = NULL;
	size_t before;

	(void)state;
	ci.cdp_urls = cdp;
	ci.num_cdp_urls = 1;
	ci.ca = "LAB-CA";
	assert_int_equal(ae_store_begin(s, "Machine", AE_CERT_ENROLLING, "KEY 47\n", 7), AE_OK);
	assert_int_equal(ae_store_commit(s, "Machine", "CRT 47\n", 7, "CH\n", 3, &ci), AE_OK);
	assert_int_equal(ae_store_begin(s, "Web", AE_CERT_ENROLLING, "KEY 1\n", 6), AE_OK);
	assert_int_equal(ae_store_pending(s, "Web", "LAB-CA", 9), AE_OK);
	assert_int_equal(ae_store_install(s, "Legacy", "K\n", 2, "C\n", 2, "H\n", 2), AE_OK);
	assert_int_equal(ae_store_pending_save(s, &pe, "PK\n", 3), AE_OK);
	assert_int_equal(ae_file_write_atomic(ae_store_path(mem, s, "Broken", ".state"), "x\n", 2,
					      0600), AE_OK);
	before = talloc_total_blocks(mem);
	assert_int_equal(ae_store_snapshot(mem, s, &snap), AE_OK);
	assert_int_equal(snap->num_certs, 3);		/* Broken is skipped */
	c = &snap->certs[0];
	assert_string_equal(c->template_name, "Legacy");
	assert_false(c->has_record);
	assert_int_equal(c->state, AE_CERT_ISSUED);
	assert_true(c->key_present);
	assert_non_null(c->cert_path);
	assert_null(c->serial_hex);
	c = &snap->certs[1];
	assert_string_equal(c->template_name, "Machine");
	assert_true(c->has_record);
	assert_int_equal(c->state, AE_CERT_ISSUED);
	assert_string_equal(c->serial_hex, "2F");
	assert_string_equal(c->ca, "LAB-CA");
	assert_string_equal(c->template_oid, "1.3.6.1.4.1.311.21.8.1.2");
	assert_true(c->has_major);
	assert_int_equal(c->major, 100);
	assert_int_equal(c->minor, 2);
	assert_int_equal(c->not_after, 1700000000 + 365 * 86400);
	assert_int_equal(c->num_cdp_urls, 1);
	assert_string_equal(c->cdp_urls[0], "http://pki/x.crl");
	assert_true(c->key_present);
	assert_string_equal(c->cert_path, talloc_asprintf(snap, "%s/Machine.crt", dir));
	assert_string_equal(c->key_path, talloc_asprintf(snap, "%s/Machine.key", dir));
	assert_non_null(c->chain_path);
	assert_true(c->installed > 0);
	c = &snap->certs[2];
	assert_string_equal(c->template_name, "Web");
	assert_int_equal(c->state, AE_CERT_PENDING);
	assert_string_equal(c->pending_ca, "LAB-CA");
	assert_int_equal(c->pending_request_id, 9);
	assert_false(c->key_present);
	assert_null(c->cert_path);
	assert_int_equal(snap->num_pending, 1);
	assert_string_equal(snap->pending[0].ca, "LAB-CA");
	assert_string_equal(snap->pending[0].ca_host, "dc1.lab.example");
	assert_string_equal(snap->pending[0].template_name, "Web");
	assert_int_equal(snap->pending[0].request_id, 9);
	assert_int_equal(snap->pending[0].submitted, 1700000000);
	talloc_free(snap);
	assert_int_equal(talloc_total_blocks(mem), before);
	/* an empty store */
	rm_rf(dir);
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0), AE_OK);
	assert_int_equal(ae_store_snapshot(mem, s, &snap), AE_OK);
	assert_int_equal(snap->num_certs, 0);
	assert_int_equal(snap->num_pending, 0);
	rm_rf(dir);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enroll_pending_commit, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_renew_archives_old_pair, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_abort, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_archive_and_remove, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_issued_answer_recorded_in_reserved_room,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_lock_in_process, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_lock_two_processes, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot, leak_setup, leak_teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
