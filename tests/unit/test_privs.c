/*
 * test_privs.c: util/ae_privs.c: the permanent drop to a user, in a forked
 * child (the test process keeps its identity). As root (CI): after the
 * drop every id is the user's, the supplementary groups are the user's
 * only, and neither setuid(0) nor seteuid(0) works. Not as root: the drop
 * is refused with the cause. Either way: uid 0 as the target is refused,
 * and ae_privs_verify notices ids that differ.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_privs.h"

#define TEST_UID 4242
#define TEST_GID 4243

/* Child: 0 when the drop behaved, else a code naming what failed. */
static int child_drop(void)
{
	char why[512] = "";
	uid_t r, e, s;
	gid_t groups[8];
	int n;

	if (ae_privs_drop("ae-test-nouser", TEST_UID, TEST_GID, why, sizeof(why)) != AE_OK) {
		fprintf(stderr, "drop: %s\n", why);
		return 10;
	}
	if (getresuid(&r, &e, &s) != 0 || r != TEST_UID || e != TEST_UID || s != TEST_UID) {
		return 11;
	}
	if (getgid() != TEST_GID || getegid() != TEST_GID) {
		return 12;
	}
	/* no group of root's left: an unknown user's list is its gid alone */
	n = getgroups(8, groups);
	if (n != 1 || groups[0] != TEST_GID) {
		return 13;
	}
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
		return 14;
	}
	return ae_privs_verify(TEST_UID, TEST_GID, why, sizeof(why)) == AE_OK ? 0 : 15;
}

static void test_drop_is_permanent_and_complete(void **state)
{
	char why[256] = "";
	pid_t pid;
	int st;

	(void)state;
	if (geteuid() != 0) {
		/* not root: refused, naming why */
		assert_int_equal(ae_privs_drop("x", TEST_UID, TEST_GID, why, sizeof(why)),
				 AE_ERR_CREDENTIALS);
		assert_non_null(strstr(why, "needs root"));
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(child_drop());
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the parent is unchanged */
	assert_int_equal(geteuid(), 0);
}

static void test_root_is_never_the_target(void **state)
{
	char why[256] = "";

	(void)state;
	assert_int_equal(ae_privs_drop("root", 0, 0, why, sizeof(why)), AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "refusing"));
	why[0] = '\0';
	assert_int_equal(ae_privs_drop("", TEST_UID, TEST_GID, why, sizeof(why)), AE_ERR_INVALID);
	assert_int_equal(geteuid() == 0, getuid() == 0);	/* nothing changed */
}

static void test_verify_sees_other_ids(void **state)
{
	char why[256] = "";

	(void)state;
	assert_int_equal(ae_privs_verify(getuid() + 1, getgid(), why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "expected uid"));
	if (getuid() == 0) {
		/* root: ids match, and uid 0 is not asked to give up anything */
		assert_int_equal(ae_privs_verify(0, getgid(), why, sizeof(why)), AE_OK);
	} else {
		assert_int_equal(ae_privs_verify(getuid(), getgid(), why, sizeof(why)), AE_OK);
	}
}

/* ae_privs_can_read: the user's view of a file, root's identity unchanged after */
static void test_can_read_as_the_user(void **state)
{
	char dir[] = "/tmp/test_privs.XXXXXX", *open_f, *root_f, *hidden_d, *hidden_f;
	gid_t before[64], after[64];
	int nb, na, fd;

	if (geteuid() != 0) {
		assert_false(ae_privs_can_read("/etc/hostname", TEST_UID, TEST_GID));
		return;
	}
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	open_f = talloc_asprintf(*state, "%s/open.conf", dir);
	root_f = talloc_asprintf(*state, "%s/root.conf", dir);
	hidden_d = talloc_asprintf(*state, "%s/private", dir);
	hidden_f = talloc_asprintf(*state, "%s/private/smb.conf", dir);
	assert_int_equal(mkdir(hidden_d, 0700), 0);
	fd = open(open_f, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	fd = open(root_f, O_CREAT | O_WRONLY, 0640);	/* group root: root's group must not count */
	assert_true(fd >= 0);
	close(fd);
	fd = open(hidden_f, O_CREAT | O_WRONLY, 0644);	/* readable, in a directory that is not */
	assert_true(fd >= 0);
	close(fd);
	nb = getgroups(64, before);
	assert_true(ae_privs_can_read(open_f, TEST_UID, TEST_GID));
	assert_false(ae_privs_can_read(root_f, TEST_UID, TEST_GID));
	assert_false(ae_privs_can_read(hidden_f, TEST_UID, TEST_GID));
	assert_false(ae_privs_can_read(NULL, TEST_UID, TEST_GID));
	/* root again, with its groups */
	na = getgroups(64, after);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, (size_t)na * sizeof(gid_t));
	fd = open(hidden_f, O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	unlink(hidden_f);
	rmdir(hidden_d);
	unlink(root_f);
	unlink(open_f);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drop_is_permanent_and_complete, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_root_is_never_the_target, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_can_read_as_the_user, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_verify_sees_other_ids, leak_setup,
						leak_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
