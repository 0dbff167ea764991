/*
 * test_store_trust.c: trust anchors for the system store and PEM bundles
 * (source/store/ae_store_trust.h), in scratch directories under /tmp.
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
#include "ae_store_private.h"

#define PEM_A "-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n"
#define PEM_B "-----BEGIN CERTIFICATE-----\nQkJC\n-----END CERTIFICATE-----"	/* no '\n' */
#define PEM_C "-----BEGIN CERTIFICATE-----\nQ0ND\n-----END CERTIFICATE-----\n"

static char *in(TALLOC_CTX *mem, const char *dir, const char *name)
{
	return slurp(mem, talloc_asprintf(mem, "%s/%s", dir, name));
}

static void test_sync_add_change_remove(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *root = scratch_dir(mem, "trust");
	char *dir = talloc_asprintf(mem, "%s/ca-certificates/autoenroll", root);
	struct ae_trust_cert set[] = {
		{ "autoenroll-LAB-CA", PEM_A },
		{ "autoenroll-LAB-Root", PEM_B },
	};
	struct stat sb;
	bool changed = false;
	mode_t old = umask(077);	/* the files are 0644 whatever the umask */

	(void)state;
	assert_int_equal(ae_store_trust_sync(dir, set, 2, &changed), AE_OK);
	assert_true(changed);
	assert_string_equal(in(mem, dir, "autoenroll-LAB-CA.crt"), PEM_A);
	assert_string_equal(in(mem, dir, "autoenroll-LAB-Root.crt"), PEM_B "\n");
	assert_int_equal(stat(talloc_asprintf(mem, "%s/autoenroll-LAB-CA.crt", dir), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	umask(old);
	/* the same set again: nothing to do, nothing for update-ca-certificates */
	assert_int_equal(ae_store_trust_sync(dir, set, 2, &changed), AE_OK);
	assert_false(changed);
	/* other files in the directory are never touched; our strays are */
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/local-admin.crt", dir),
					      PEM_C, strlen(PEM_C), 0644), AE_OK);
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/autoenroll-x.crt.tmp.42",
							      dir), "half", 4, 0644), AE_OK);
	assert_int_equal(ae_store_trust_sync(dir, set, 2, &changed), AE_OK);
	assert_false(changed);
	assert_null(in(mem, dir, "autoenroll-x.crt.tmp.42"));
	/* a changed certificate and a mode changed by hand are rewritten */
	set[0].pem = PEM_C;
	assert_int_equal(ae_store_trust_sync(dir, set, 2, &changed), AE_OK);
	assert_true(changed);
	assert_string_equal(in(mem, dir, "autoenroll-LAB-CA.crt"), PEM_C);
	assert_int_equal(chmod(talloc_asprintf(mem, "%s/autoenroll-LAB-CA.crt", dir), 0600), 0);
	assert_int_equal(ae_store_trust_sync(dir, set, 2, &changed), AE_OK);
	assert_true(changed);
	assert_int_equal(stat(talloc_asprintf(mem, "%s/autoenroll-LAB-CA.crt", dir), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	/* one leaves the set */
	assert_int_equal(ae_store_trust_sync(dir, &set[1], 1, &changed), AE_OK);
	assert_true(changed);
	assert_null(in(mem, dir, "autoenroll-LAB-CA.crt"));
	assert_non_null(in(mem, dir, "autoenroll-LAB-Root.crt"));
	assert_non_null(in(mem, dir, "local-admin.crt"));
	/* all leave */
	assert_int_equal(ae_store_trust_sync(dir, NULL, 0, &changed), AE_OK);
	assert_true(changed);
	assert_null(in(mem, dir, "autoenroll-LAB-Root.crt"));
	assert_non_null(in(mem, dir, "local-admin.crt"));
	assert_int_equal(ae_store_trust_sync(dir, NULL, 0, NULL), AE_OK);
	rm_rf(root);
	talloc_free(mem);
}

static void test_sync_rejects(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "trust");
	struct ae_trust_cert good = { "autoenroll-A", PEM_A };
	struct ae_trust_cert bad_name[] = { good, { "LAB-CA", PEM_A } };
	struct ae_trust_cert bad_char[] = { { "autoenroll-a/b", PEM_A } };
	struct ae_trust_cert bad_space[] = { { "autoenroll-a b", PEM_A } };
	struct ae_trust_cert prefix_only[] = { { "autoenroll-", PEM_A } };
	struct ae_trust_cert not_pem[] = { { "autoenroll-A", "MIIB..." } };
	struct ae_trust_cert dup[] = { good, good };
	char *huge = talloc_zero_array(mem, char, AE_STORE_PEM_MAX + 64);
	struct ae_trust_cert too_big[] = { { "autoenroll-A", huge } };
	bool changed = true;
	char **names = NULL;
	size_t n = 0;

	(void)state;
	memcpy(huge, PEM_A, strlen(PEM_A));
	memset(huge + strlen(PEM_A), 'A', AE_STORE_PEM_MAX);
	assert_int_equal(ae_store_trust_sync(dir, bad_name, 2, &changed), AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync(dir, bad_char, 1, &changed), AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync(dir, bad_space, 1, &changed), AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync(dir, prefix_only, 1, &changed), AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync(dir, not_pem, 1, &changed), AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync(dir, dup, 2, &changed), AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync(dir, too_big, 1, &changed), AE_ERR_TOO_LARGE);
	assert_int_equal(ae_store_trust_sync(dir, NULL, 1, &changed), AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync(dir, &good, AE_TRUST_MAX + 1, &changed),
			 AE_ERR_INVALID);
	/* nothing was written by any of them */
	assert_int_equal(ae_store_list_dir(mem, dir, &names, &n), AE_OK);
	assert_int_equal(n, 0);
	assert_true(changed);	/* untouched on error */
	rm_rf(dir);
	talloc_free(mem);
}

static void test_trust_name(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *long_label = talloc_zero_array(mem, char, 301);

	(void)state;
	memset(long_label, 'x', 300);
	assert_string_equal(ae_store_trust_name(mem, "LAB-CA"), "autoenroll-LAB-CA");
	assert_string_equal(ae_store_trust_name(mem, "Lab Root/CA 2\n"), "autoenroll-Lab_Root_CA_2_");
	assert_string_equal(ae_store_trust_name(mem, "\xc3\xa9"), "autoenroll-__");
	assert_int_equal(strlen(ae_store_trust_name(mem, long_label)), AE_TRUST_NAME_MAX);
	assert_null(ae_store_trust_name(mem, ""));
	assert_null(ae_store_trust_name(mem, NULL));
	talloc_free(mem);
}

static void test_pem_bundle(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "trust");
	char *path = talloc_asprintf(mem, "%s/ntauth.pem", dir);
	const char *pems[] = { PEM_A, PEM_B };
	const char *bad[] = { PEM_A, "not a certificate" };
	struct stat sb;
	bool changed = false;

	(void)state;
	assert_int_equal(ae_store_write_pem_bundle(path, pems, 2, &changed), AE_OK);
	assert_true(changed);
	assert_string_equal(slurp(mem, path), PEM_A PEM_B "\n");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(ae_store_write_pem_bundle(path, pems, 2, &changed), AE_OK);
	assert_false(changed);
	assert_int_equal(ae_store_write_pem_bundle(path, pems, 1, &changed), AE_OK);
	assert_true(changed);
	assert_string_equal(slurp(mem, path), PEM_A);
	assert_int_equal(ae_store_write_pem_bundle(path, bad, 2, &changed), AE_ERR_INVALID);
	assert_string_equal(slurp(mem, path), PEM_A);	/* untouched */
	assert_int_equal(ae_store_write_pem_bundle(path, NULL, 0, &changed), AE_OK);
	assert_true(changed);
	assert_string_equal(slurp(mem, path), "");
	assert_int_equal(ae_store_write_pem_bundle(NULL, pems, 1, &changed), AE_ERR_INVALID);
	rm_rf(dir);
	talloc_free(mem);
}

/* ae_store_trust_pending / _mark_synced: what lets a failed trust command run again */
static void test_trust_pending(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *root = scratch_dir(mem, "trust");
	char *dir = talloc_asprintf(mem, "%s/anchors", root);
	struct ae_trust_cert set[] = { { "autoenroll-A", PEM_A }, { "autoenroll-B", PEM_B } };
	bool pending = true;
	bool changed = false;

	(void)state;
	/* no record: never offered */
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_true(pending);
	assert_int_equal(ae_store_trust_sync(dir, set, 1, &changed), AE_OK);
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_true(pending);
	/* the command failed: no record, still pending however often we look */
	assert_int_equal(ae_store_trust_sync(dir, set, 1, &changed), AE_OK);
	assert_false(changed);
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_true(pending);
	/* it succeeded */
	assert_int_equal(ae_store_trust_mark_synced(dir), AE_OK);
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_false(pending);
	assert_non_null(in(mem, dir, AE_TRUST_SYNCED));
	/* the record is no anchor and survives the sync; other files do not count */
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/local.crt", dir), PEM_C,
					      strlen(PEM_C), 0644), AE_OK);
	assert_int_equal(ae_store_trust_sync(dir, set, 1, &changed), AE_OK);
	assert_non_null(in(mem, dir, AE_TRUST_SYNCED));
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_false(pending);
	/* a certificate added or removed makes it pending again */
	assert_int_equal(ae_store_trust_sync(dir, set, 2, &changed), AE_OK);
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_true(pending);
	assert_int_equal(ae_store_trust_mark_synced(dir), AE_OK);
	assert_int_equal(ae_store_trust_sync(dir, NULL, 0, &changed), AE_OK);
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_true(pending);
	/* the same names, a changed file (the bug: the record still matched the names) */
	assert_int_equal(ae_store_trust_sync(dir, set, 1, &changed), AE_OK);
	assert_int_equal(ae_store_trust_mark_synced(dir), AE_OK);
	set[0].pem = PEM_C;
	assert_int_equal(ae_store_trust_sync(dir, set, 1, &changed), AE_OK);
	assert_true(changed);
	assert_null(in(mem, dir, AE_TRUST_SYNCED));
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_true(pending);
	/* nothing changed: the record stays */
	assert_int_equal(ae_store_trust_mark_synced(dir), AE_OK);
	assert_int_equal(ae_store_trust_sync(dir, set, 1, &changed), AE_OK);
	assert_false(changed);
	assert_int_equal(ae_store_trust_pending(dir, &pending), AE_OK);
	assert_false(pending);
	assert_int_equal(ae_store_trust_pending(NULL, &pending), AE_ERR_INVALID);
	rm_rf(root);
	talloc_free(mem);
}

/* keep: names neither written nor removed (anchors left out by the cap) */
static void test_sync_keep(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "trust");
	struct ae_trust_cert set[] = { { "autoenroll-A", PEM_A } };
	const char *keep[] = { "autoenroll-K", "autoenroll-L" };
	const char *bad_keep[] = { "K" };
	bool changed = false;

	(void)state;
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/autoenroll-K.crt", dir),
					      PEM_B, strlen(PEM_B), 0644), AE_OK);
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/autoenroll-Z.crt", dir),
					      PEM_B, strlen(PEM_B), 0644), AE_OK);
	assert_int_equal(ae_store_trust_sync_keep(dir, set, 1, keep, 2, &changed), AE_OK);
	assert_true(changed);
	assert_string_equal(in(mem, dir, "autoenroll-A.crt"), PEM_A);
	assert_string_equal(in(mem, dir, "autoenroll-K.crt"), PEM_B);
	assert_null(in(mem, dir, "autoenroll-L.crt"));
	assert_null(in(mem, dir, "autoenroll-Z.crt"));
	assert_int_equal(ae_store_trust_sync_keep(dir, set, 1, bad_keep, 1, &changed),
			 AE_ERR_INVALID);
	assert_int_equal(ae_store_trust_sync_keep(dir, set, 1, NULL, 1, &changed), AE_ERR_INVALID);
	rm_rf(dir);
	talloc_free(mem);
}

/*
 * The trust dir is written as root: a symbolic link in place of the
 * directory, or a directory others can write, is refused; a link planted
 * in place of an anchor file is replaced, never written through (the old
 * code wrote by path and followed both).
 */
static void test_trust_dir_links_are_not_followed(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *root = scratch_dir(mem, "trustlink");
	char *real = talloc_asprintf(mem, "%s/real", root);
	char *link = talloc_asprintf(mem, "%s/link", root);
	char *victim = talloc_asprintf(mem, "%s/victim", root);
	char *open_dir = talloc_asprintf(mem, "%s/open", root);
	struct ae_trust_cert set[] = { { "autoenroll-LAB-CA", PEM_A } };
	const char *const bundle[] = { PEM_A };
	bool changed = false;
	struct stat sb;

	(void)state;
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	assert_int_not_equal(ae_store_trust_sync(link, set, 1, &changed), AE_OK);
	assert_null(in(mem, real, "autoenroll-LAB-CA.crt"));
	assert_int_not_equal(ae_store_trust_mark_synced(link), AE_OK);
	/* a directory writable by others */
	assert_int_equal(mkdir(open_dir, 0755), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	assert_int_not_equal(ae_store_trust_sync(open_dir, set, 1, &changed), AE_OK);
	assert_null(in(mem, open_dir, "autoenroll-LAB-CA.crt"));
	/* a planted link named like an anchor: replaced by a file, the target untouched */
	assert_int_equal(ae_file_write_atomic(victim, "keep", 4, 0600), AE_OK);
	assert_int_equal(symlink(victim, talloc_asprintf(mem, "%s/autoenroll-LAB-CA.crt", real)), 0);
	assert_int_equal(ae_store_trust_sync(real, set, 1, &changed), AE_OK);
	assert_true(changed);
	assert_string_equal(slurp(mem, victim), "keep");
	assert_int_equal(lstat(talloc_asprintf(mem, "%s/autoenroll-LAB-CA.crt", real), &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	/* the same for a bundle */
	assert_int_equal(symlink(victim, talloc_asprintf(mem, "%s/bundle.pem", real)), 0);
	assert_int_equal(ae_store_write_pem_bundle(talloc_asprintf(mem, "%s/bundle.pem", real),
						   bundle, 1, &changed), AE_OK);
	assert_string_equal(slurp(mem, victim), "keep");
	assert_int_not_equal(ae_store_write_pem_bundle(talloc_asprintf(mem, "%s/b.pem", link),
						       bundle, 1, &changed), AE_OK);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_add_change_remove, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_sync_rejects, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_trust_name, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_pem_bundle, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_trust_pending, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_sync_keep, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_trust_dir_links_are_not_followed, leak_setup,
						leak_teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
