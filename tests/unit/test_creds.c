/*
 * test_creds.c: what transport/ae_creds.c does with the machine's ticket
 * cache before any KDC is asked (E7): the run directory that holds it must
 * be a root-only directory, and the ticket cache a killed run left behind
 * is removed by the next run.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_creds.h"
#include "ae_log.h"

static void touch(const char *dir, const char *name)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static bool exists(const char *dir, const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

/* a pid that was ours and is gone */
static long dead_pid(void)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return (long)pid;
}

/* E7: a run killed (samba-gpupdate's timeout) left krb5cc.<pid> behind */
static void test_killed_runs_ticket_cache_is_removed_by_the_next_run(void **state)
{
	char dir[] = "/tmp/ae-test-creds-XXXXXX";
	char dead[64], mine[64];
	unsigned removed = 99;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(dead, sizeof(dead), "krb5cc.%ld", dead_pid());
	snprintf(mine, sizeof(mine), "krb5cc.%ld", (long)getpid());
	touch(dir, dead);
	touch(dir, mine);		/* ours: kept */
	touch(dir, "krb5cc.1");		/* pid 1 is alive: a concurrent run's, kept */
	touch(dir, "krb5cc.x12");	/* not a pid: not ours to judge */
	touch(dir, "krb5cc.12x");
	touch(dir, "gpo.cache");
	assert_int_equal(ae_ccache_remove_stale(dir, &removed), AE_OK);
	assert_int_equal(removed, 1);
	assert_false(exists(dir, dead));
	assert_true(exists(dir, mine));
	assert_true(exists(dir, "krb5cc.1"));
	assert_true(exists(dir, "krb5cc.x12"));
	assert_true(exists(dir, "krb5cc.12x"));
	assert_true(exists(dir, "gpo.cache"));
	assert_int_equal(ae_ccache_remove_stale(dir, &removed), AE_OK);
	assert_int_equal(removed, 0);
	assert_int_equal(ae_ccache_remove_stale("/nonexistent/ae-test", &removed), AE_ERR_IO);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* created 0700 when missing; refused when others can enter it, when it is
 * a symbolic link or not ours */
static void test_run_dir_must_be_root_only(void **state)
{
	char base[] = "/tmp/ae-test-rundir-XXXXXX";
	char d[256], link[256], why[512] = "";
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(d, sizeof(d), "%s/cache/autoenroll", base);
	assert_int_equal(ae_run_dir_check(d, why, sizeof(why)), AE_OK);
	assert_int_equal(lstat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(ae_run_dir_check(d, why, sizeof(why)), AE_OK);
	assert_int_equal(chmod(d, 0755), 0);
	assert_int_equal(ae_run_dir_check(d, why, sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "0755"));
	assert_int_equal(chmod(d, 0700), 0);
	assert_int_equal(chown(d, 65534, 65534), 0);	/* the tests run as root */
	assert_int_equal(ae_run_dir_check(d, why, sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "uid 65534"));
	snprintf(link, sizeof(link), "%s/link", base);
	assert_int_equal(chown(d, 0, 0), 0);
	assert_int_equal(symlink(d, link), 0);
	assert_int_equal(ae_run_dir_check(link, why, sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "symbolic link"));
	assert_int_equal(ae_run_dir_check("relative/dir", why, sizeof(why)), AE_ERR_CONFIG);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_killed_runs_ticket_cache_is_removed_by_the_next_run,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_run_dir_must_be_root_only, leak_setup,
						leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	ae_log_set_level(-1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
