/*
 * test_store_userdir.c: store/ae_store_userdir.c, root's part of a user
 * context, in a temporary tree (runs as root, as CI does: the user
 * directory is handed to a test uid). Made: <top> root 0711, <top>/<SID>
 * 0700 owned by the user. Refused, naming the directory: a symbolic link
 * where the user's directory should be, one owned by another uid, one
 * writable by group, a symbolic link among the components of <top>, an
 * ancestor other users cannot pass, a SID that is not one. Eight runs at
 * once (concurrent logons): all find the finished directory, one made it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_store_userdir.h"

#define UID 4242
#define GID 4243
#define SID "S-1-5-21-1004336348-1177238915-682003330-1105"

struct tree {
	char base[64];
	char top[128];	/* <base>/state/autoenroll/users */
	char udir[256];	/* <top>/<SID> */
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (t == NULL || leak_setup(state) != 0) {
		free(t);
		return -1;
	}
	talloc_free(*state);
	snprintf(t->base, sizeof(t->base), "/tmp/ae-userdir-XXXXXX");
	if (mkdtemp(t->base) == NULL || chmod(t->base, 0755) != 0) {
		free(t);
		return -1;
	}
	snprintf(t->top, sizeof(t->top), "%s/state/autoenroll/users", t->base);
	snprintf(t->udir, sizeof(t->udir), "%s/%s", t->top, SID);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->base);
	if (system(cmd) != 0) {
		return -1;
	}
	free(t);
	*state = talloc_new(NULL);
	return leak_teardown(state);
}

static void prepare_ok(struct tree *t, bool want_created)
{
	char why[512] = "";
	bool created = !want_created;

	assert_int_equal(geteuid(), 0);	/* CI runs the unit tests as root */
	assert_int_equal(ae_store_userdir_prepare(t->top, 2, SID, UID, GID, &created, why,
						  sizeof(why)), AE_OK);
	assert_true(created == want_created);
}

static void prepare_refused(struct tree *t, const char *sid, ae_err want, const char *needle)
{
	char why[512] = "";

	assert_int_equal(ae_store_userdir_prepare(t->top, 2, sid, UID, GID, NULL, why,
						  sizeof(why)), want);
	if (strstr(why, needle) == NULL) {
		fail_msg("'%s' not in '%s'", needle, why);
	}
}

static void test_made_for_the_user(void **state)
{
	struct tree *t = *state;
	char p[256], why[256];
	struct stat st;

	prepare_ok(t, true);
	assert_int_equal(lstat(t->top, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0711);
	snprintf(p, sizeof(p), "%s/state/autoenroll", t->base);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 011, 011);	/* passable */
	assert_int_equal(lstat(t->udir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_uid, UID);
	assert_int_equal(st.st_gid, GID);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* again: found as it is, nothing made */
	prepare_ok(t, false);
	/* the user's own check passes for the user only */
	assert_int_equal(ae_store_userdir_check(t->top, SID, UID, why, sizeof(why)), AE_OK);
	assert_int_equal(ae_store_userdir_check(t->top, SID, UID + 1, why, sizeof(why)),
			 AE_ERR_IO);
	assert_non_null(strstr(why, "owned by uid 4242"));
}

static void test_machine_made_autoenroll_0700_becomes_passable(void **state)
{
	struct tree *t = *state;
	char p[256];
	struct stat st;

	/* the machine store came first and made <state dir>/autoenroll 0700 */
	snprintf(p, sizeof(p), "%s/state", t->base);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/state/autoenroll", t->base);
	assert_int_equal(mkdir(p, 0700), 0);
	prepare_ok(t, true);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0711);
}

static void test_missing_user_dir_is_not_found_for_the_user(void **state)
{
	struct tree *t = *state;
	char why[512] = "";

	assert_int_equal(ae_store_userdir_check(t->top, SID, UID, why, sizeof(why)),
			 AE_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "does not exist"));
}

static void test_symlink_instead_of_the_user_dir(void **state)
{
	struct tree *t = *state;

	prepare_ok(t, true);
	assert_int_equal(rmdir(t->udir), 0);
	assert_int_equal(symlink("/etc", t->udir), 0);
	prepare_refused(t, SID, AE_ERR_IO, "symbolic link");
}

static void test_user_dir_of_another_uid(void **state)
{
	struct tree *t = *state;

	prepare_ok(t, true);
	assert_int_equal(chown(t->udir, UID + 1, GID), 0);
	prepare_refused(t, SID, AE_ERR_IO, "owned by uid 4243");
}

static void test_group_writable_user_dir(void **state)
{
	struct tree *t = *state;

	prepare_ok(t, true);
	assert_int_equal(chmod(t->udir, 0770), 0);
	prepare_refused(t, SID, AE_ERR_IO, "writable by group");
}

static void test_symlink_in_the_path_of_top(void **state)
{
	struct tree *t = *state;
	char p[256], real[256];

	snprintf(real, sizeof(real), "%s/real", t->base);
	assert_int_equal(mkdir(real, 0755), 0);
	snprintf(p, sizeof(p), "%s/state", t->base);
	assert_int_equal(symlink(real, p), 0);
	prepare_refused(t, SID, AE_ERR_IO, "symbolic link");
}

static void test_top_not_owned_by_root(void **state)
{
	struct tree *t = *state;

	prepare_ok(t, true);
	assert_int_equal(chown(t->top, UID, GID), 0);
	prepare_refused(t, SID, AE_ERR_IO, "not root");
}

static void test_ancestor_others_cannot_pass(void **state)
{
	struct tree *t = *state;

	assert_int_equal(chmod(t->base, 0700), 0);
	prepare_refused(t, SID, AE_ERR_IO, "cannot be passed");
}

static void test_sids_that_are_not_names(void **state)
{
	struct tree *t = *state;

	prepare_refused(t, "../../etc", AE_ERR_INVALID, "not a SID");
	prepare_refused(t, "S-1-5-21-1/2", AE_ERR_INVALID, "not a SID");
	prepare_refused(t, "S-1-5-21-1-", AE_ERR_INVALID, "not a SID");
	prepare_refused(t, "", AE_ERR_INVALID, "not a SID");
	assert_true(ae_store_sid_name_ok(SID));
	assert_false(ae_store_sid_name_ok("S-1-5-21--1"));
	assert_false(ae_store_sid_name_ok("S-1-5-21-1\n"));
}

/* two logons at once: every run finds the finished directory, one made it */
static void test_concurrent_preparations(void **state)
{
	struct tree *t = *state;
	int i, st, made = 0, ok = 0;
	pid_t pids[8];
	char cmd[320];
	struct stat sb;

	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char why[512] = "";
			bool created = false;
			ae_err err = ae_store_userdir_prepare(t->top, 2, SID, UID, GID, &created,
							      why, sizeof(why));
			if (err != AE_OK) {
				fprintf(stderr, "child %d: %s\n", i, why);
			}
			_exit(err != AE_OK ? 1 : created ? 2 : 3);
		}
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		ok += WEXITSTATUS(st) != 1;
		made += WEXITSTATUS(st) == 2;
	}
	assert_int_equal(ok, 8);
	assert_int_equal(made, 1);
	assert_int_equal(lstat(t->udir, &sb), 0);
	assert_int_equal(sb.st_uid, UID);
	/* no temporary directory left behind */
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep -v '^%s$')\"", t->top, SID);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_made_for_the_user, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_machine_made_autoenroll_0700_becomes_passable,
						tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_missing_user_dir_is_not_found_for_the_user,
						tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_instead_of_the_user_dir, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_user_dir_of_another_uid, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_group_writable_user_dir, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_in_the_path_of_top, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_top_not_owned_by_root, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_ancestor_others_cannot_pass, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_sids_that_are_not_names, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_preparations, tree_setup,
						tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
