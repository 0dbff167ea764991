/*
 * test_store_checks.c: the store does not trust its directory blindly
 * (findings E4 and E5). Each test is named after the bug it pins down and
 * fails (or, guarded by alarm(2), hangs and is killed) on the code before
 * the fix:
 *  - E4: a store directory owned by another user, or writable by others,
 *    is refused; a planted archive/ symbolic link is not followed; a lock
 *    held by someone else is waited for a bounded number of tries; a
 *    mistyped store path is not created with its parents; a relative
 *    store path is refused.
 *  - E5: an entry that is not a regular file (a FIFO, a symbolic link to
 *    /dev/zero, a directory named like a record) neither hangs nor breaks
 *    the snapshot or the recovery: it is skipped or set aside into
 *    quarantine/ with a note naming it, and the other entries go on.
 *
 * Leak check: leak_check.h (talloc blocks before/after each test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "leak_check.h"
#include "test_store_helpers.h"
#include "ae_store_private.h"

#define NOBODY ((uid_t)65534)

static struct ae_store *open_store(TALLOC_CTX *mem, const char *dir)
{
	struct ae_store *s = NULL;

	assert_int_equal(ae_store_open(mem, dir, AE_STORE_MACHINE_OWNER, AE_STORE_OPEN_CREATE, &s,
				       NULL, 0), AE_OK);
	return s;
}

static ae_err try_open(TALLOC_CTX *mem, const char *dir, unsigned flags, char *why,
		       size_t why_len)
{
	struct ae_store *s = NULL;
	ae_err err = ae_store_open(mem, dir, AE_STORE_MACHINE_OWNER, flags, &s, why, why_len);

	talloc_free(s);
	return err;
}

static bool has_note(char **notes, const char *a, const char *b)
{
	size_t i;

	for (i = 0; notes != NULL && notes[i] != NULL; i++) {
		if (strstr(notes[i], a) != NULL && strstr(notes[i], b) != NULL) {
			return true;
		}
	}
	return false;
}

static mode_t kind_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & S_IFMT;
}

static void test_store_owned_by_other_user_is_refused(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	char *store = talloc_asprintf(mem, "%s/store", dir);
	char *above = talloc_asprintf(mem, "%s/above", dir);
	char *below = talloc_asprintf(mem, "%s/store", above);
	char why[512] = "";

	/* the store itself belongs to another user */
	assert_int_equal(mkdir(store, 0700), 0);
	assert_int_equal(chown(store, NOBODY, NOBODY), 0);
	assert_int_equal(try_open(mem, store, AE_STORE_OPEN_CREATE, why, sizeof(why)), AE_ERR_IO);
	assert_non_null(strstr(why, store));
	assert_non_null(strstr(why, "owned by uid 65534"));
	/* ours, but writable by others */
	assert_int_equal(chown(store, 0, 0), 0);
	assert_int_equal(chmod(store, 0777), 0);
	assert_int_equal(try_open(mem, store, AE_STORE_OPEN_CREATE, why, sizeof(why)), AE_ERR_IO);
	assert_non_null(strstr(why, "writable by group or others"));
	assert_int_equal(chmod(store, 0700), 0);
	assert_int_equal(try_open(mem, store, AE_STORE_OPEN_CREATE, why, sizeof(why)), AE_OK);
	/* a directory above it belongs to another user (it could swap the store) */
	assert_int_equal(mkdir(above, 0755), 0);
	assert_int_equal(mkdir(below, 0700), 0);
	assert_int_equal(chown(above, NOBODY, NOBODY), 0);
	assert_int_equal(try_open(mem, below, AE_STORE_OPEN_CREATE, why, sizeof(why)), AE_ERR_IO);
	assert_non_null(strstr(why, above));
	/* ... or is writable by others without the sticky bit */
	assert_int_equal(chown(above, 0, 0), 0);
	assert_int_equal(chmod(above, 0777), 0);
	assert_int_equal(try_open(mem, below, AE_STORE_OPEN_CREATE, why, sizeof(why)), AE_ERR_IO);
	assert_non_null(strstr(why, "sticky"));
	/* sticky and root's, like /tmp: fine */
	assert_int_equal(chmod(above, 01777), 0);
	assert_int_equal(try_open(mem, below, AE_STORE_OPEN_CREATE, why, sizeof(why)), AE_OK);
	/* a symbolic link on the way is not followed */
	assert_int_equal(symlink(above, talloc_asprintf(mem, "%s/link", dir)), 0);
	assert_int_equal(try_open(mem, talloc_asprintf(mem, "%s/link/store", dir),
				  AE_STORE_OPEN_CREATE, why, sizeof(why)), AE_ERR_IO);
	assert_non_null(strstr(why, "symbolic link"));
	rm_rf(dir);
}

static void test_planted_archive_symlink_is_not_followed(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	char *store = talloc_asprintf(mem, "%s/store", dir);
	char *elsewhere = talloc_asprintf(mem, "%s/elsewhere", dir);
	struct ae_store *s = NULL;
	char **names = NULL;
	size_t n = 7;

	s = open_locked(mem, store);
	install_gen(mem, s, "T", AE_CERT_ENROLLING, 1);
	assert_int_equal(mkdir(elsewhere, 0700), 0);
	assert_int_equal(symlink(elsewhere, talloc_asprintf(mem, "%s/archive", store)), 0);
	assert_int_equal(ae_store_archive(s, "T", "superseded"), AE_ERR_IO);
	/* nothing went through the link; the key is still in the store */
	assert_int_equal(ae_store_list_dir(mem, elsewhere, &names, &n), AE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(gen_of(tfile(mem, s, "T", ".key"), "KEY"), 1);
	talloc_free(s);
	rm_rf(dir);
}

static void test_lock_wait_is_bounded(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	struct ae_store *a = open_locked(mem, dir), *b = open_store(mem, dir);
	struct ae_store_lock *l = NULL;
	char *text = NULL;

	/* the holder's pid is in the lock file, for the waiter's message */
	text = slurp(mem, talloc_asprintf(mem, "%s/.lock", dir));
	assert_non_null(text);
	assert_int_equal(strtol(text, NULL, 10), (long)getpid());
	/* one second's worth of tries (10), then AE_ERR_LOCKED; the old code blocked forever */
	b->lock_wait_s = 1;
	alarm(30);
	assert_int_equal(ae_store_lock(b, true, &l), AE_ERR_LOCKED);
	assert_int_equal(ae_store_lock(b, false, &l), AE_ERR_LOCKED);
	alarm(0);
	assert_null(b->lock);
	talloc_free(a);
	assert_int_equal(ae_store_lock(b, true, &l), AE_OK);
	talloc_free(b);
	rm_rf(dir);
}

static void test_fifo_state_file_does_not_hang(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_snapshot *snap = NULL;
	char **notes = NULL;

	install_gen(mem, s, "Good", AE_CERT_ENROLLING, 3);
	assert_int_equal(mkfifo(talloc_asprintf(mem, "%s/LabMachine.state", dir), 0600), 0);
	assert_int_equal(mkdir(talloc_asprintf(mem, "%s/pending", dir), 0700), 0);
	assert_int_equal(mkfifo(talloc_asprintf(mem, "%s/pending/lab-ca.7.state", dir), 0600), 0);
	alarm(30);	/* the old code blocked in open(2) here */
	assert_int_equal(ae_store_snapshot(mem, s, &snap), AE_OK);
	assert_int_equal(snap->num_certs, 1);
	assert_string_equal(snap->certs[0].template_name, "Good");
	assert_int_equal(snap->num_pending, 0);
	assert_int_equal(ae_store_recover(mem, s, &notes), AE_OK);
	alarm(0);
	assert_true(has_note(notes, "LabMachine.state is a FIFO", "quarantine/LabMachine.state"));
	assert_true(has_note(notes, "pending/lab-ca.7.state is a FIFO", "quarantine/"));
	assert_int_equal(kind_of(talloc_asprintf(mem, "%s/quarantine/LabMachine.state", dir)),
			 S_IFIFO);
	assert_false(tpresent(mem, s, "LabMachine", ".state"));
	/* the other template is untouched, and LabMachine can start afresh */
	assert_int_equal(gen_of(tfile(mem, s, "Good", ".crt"), "CRT"), 3);
	assert_int_equal(ae_store_begin(s, "LabMachine", AE_CERT_ENROLLING, "KEY 4\n", 6), AE_OK);
	talloc_free(s);
	rm_rf(dir);
}

static void test_state_symlink_to_dev_zero_is_set_aside(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_snapshot *snap = NULL;
	struct ae_store_state *st = NULL;
	char **notes = NULL;

	install_gen(mem, s, "Good", AE_CERT_ENROLLING, 3);
	assert_int_equal(symlink("/dev/zero", talloc_asprintf(mem, "%s/X.state", dir)), 0);
	assert_int_equal(symlink("/dev/zero", talloc_asprintf(mem, "%s/Y.crt", dir)), 0);
	alarm(30);
	/* the old code read /dev/zero's "file": AE_ERR_IO for the whole snapshot */
	assert_int_equal(ae_store_snapshot(mem, s, &snap), AE_OK);
	assert_int_equal(snap->num_certs, 1);
	assert_string_equal(snap->certs[0].template_name, "Good");
	assert_int_equal(ae_store_state_load(mem, s, "X", &st), AE_ERR_INVALID);
	assert_int_equal(ae_store_recover(mem, s, &notes), AE_OK);
	alarm(0);
	assert_true(has_note(notes, "X.state is a symbolic link", "quarantine/X.state"));
	assert_true(has_note(notes, "Y.crt is a symbolic link", "quarantine/Y.crt"));
	assert_int_equal(kind_of(talloc_asprintf(mem, "%s/quarantine/X.state", dir)), S_IFLNK);
	assert_int_equal(ae_store_state_load(mem, s, "X", &st), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_store_state_load(mem, s, "Good", &st), AE_OK);
	assert_int_equal(st->status, AE_CERT_ISSUED);
	talloc_free(s);
	rm_rf(dir);
}

static void test_directory_named_state_is_set_aside(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	struct ae_store *s = open_locked(mem, dir);
	struct ae_store_snapshot *snap = NULL;
	char **notes = NULL;

	install_gen(mem, s, "Good", AE_CERT_ENROLLING, 3);
	assert_int_equal(mkdir(talloc_asprintf(mem, "%s/X.state", dir), 0700), 0);
	/* a second one of that name later goes to quarantine/X.state-1 */
	assert_int_equal(mkdir(talloc_asprintf(mem, "%s/quarantine", dir), 0700), 0);
	assert_int_equal(mkdir(talloc_asprintf(mem, "%s/quarantine/X.state", dir), 0700), 0);
	assert_int_equal(ae_store_snapshot(mem, s, &snap), AE_OK);
	assert_int_equal(snap->num_certs, 1);
	assert_int_equal(ae_store_recover(mem, s, &notes), AE_OK);
	assert_true(has_note(notes, "X.state is a directory", "quarantine/X.state-1"));
	assert_int_equal(kind_of(talloc_asprintf(mem, "%s/quarantine/X.state-1", dir)), S_IFDIR);
	assert_false(tpresent(mem, s, "X", ".state"));
	assert_int_equal(ae_store_begin(s, "X", AE_CERT_ENROLLING, "KEY 4\n", 6), AE_OK);
	talloc_free(s);
	rm_rf(dir);
}

/* fuzz_store_dir found it: a directory named <T>.state.corrupt made every
 * recovery of a record that does not parse fail (the rename over it). */
static void test_directory_named_corrupt_record_is_set_aside(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	struct ae_store *s = open_locked(mem, dir);
	char **notes = NULL;
	int fd;

	fd = open(talloc_asprintf(mem, "%s/X.state", dir), O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "garbage\n", 8), 8);
	close(fd);
	assert_int_equal(mkdir(talloc_asprintf(mem, "%s/X.state.corrupt", dir), 0700), 0);
	assert_int_equal(ae_store_recover(mem, s, &notes), AE_OK);
	assert_true(has_note(notes, "X.state.corrupt is a directory", "quarantine/X.state.corrupt"));
	assert_true(has_note(notes, "does not parse; set aside", "X.state.corrupt"));
	assert_int_equal(kind_of(talloc_asprintf(mem, "%s/quarantine/X.state.corrupt", dir)),
			 S_IFDIR);
	assert_int_equal(kind_of(talloc_asprintf(mem, "%s/X.state.corrupt", dir)), S_IFREG);
	assert_false(tpresent(mem, s, "X", ".state"));
	notes = NULL;
	assert_int_equal(ae_store_recover(mem, s, &notes), AE_OK);
	talloc_free(s);
	rm_rf(dir);
}

static void test_mistyped_store_path_is_not_created(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	char *typo = talloc_asprintf(mem, "%s/var/lib/samba/store", dir);
	char why[512] = "";
	struct stat st;

	assert_int_equal(try_open(mem, typo, AE_STORE_OPEN_CREATE, why, sizeof(why)),
			 AE_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "does not exist"));
	assert_int_equal(lstat(talloc_asprintf(mem, "%s/var", dir), &st), -1);
	/* the last component alone is created, 0700 */
	assert_int_equal(try_open(mem, talloc_asprintf(mem, "%s/store", dir), AE_STORE_OPEN_CREATE,
				  why, sizeof(why)), AE_OK);
	assert_int_equal(lstat(talloc_asprintf(mem, "%s/store", dir), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* the default path may create its parents */
	assert_int_equal(try_open(mem, typo, AE_STORE_OPEN_CREATE | AE_STORE_OPEN_PARENTS, why,
				  sizeof(why)), AE_OK);
	assert_int_equal(lstat(typo, &st), 0);
	/* without AE_STORE_OPEN_CREATE nothing is created */
	assert_int_equal(try_open(mem, talloc_asprintf(mem, "%s/other", dir), 0, why, sizeof(why)),
			 AE_ERR_NOT_FOUND);
	rm_rf(dir);
}

static void test_relative_store_path_is_refused(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "checks");
	char cwd[4096], why[512] = "";
	struct stat st;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(try_open(mem, "machine/store", AE_STORE_OPEN_CREATE |
				  AE_STORE_OPEN_PARENTS, why, sizeof(why)), AE_ERR_INVALID);
	assert_non_null(strstr(why, "not an absolute path"));
	assert_int_equal(lstat("machine", &st), -1);
	assert_int_equal(try_open(mem, talloc_asprintf(mem, "%s/../x", dir), AE_STORE_OPEN_CREATE,
				  why, sizeof(why)), AE_ERR_INVALID);
	assert_int_equal(chdir(cwd), 0);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_owned_by_other_user_is_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_planted_archive_symlink_is_not_followed,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_lock_wait_is_bounded, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_fifo_state_file_does_not_hang, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_state_symlink_to_dev_zero_is_set_aside,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_directory_named_state_is_set_aside, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_directory_named_corrupt_record_is_set_aside,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_mistyped_store_path_is_not_created, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_relative_store_path_is_refused, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
