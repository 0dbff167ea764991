/*
 * test_pam_spawn.c: the detached start of source/pam/ae_pam_spawn.c,
 * sanitized, with real programs: an exec that works (no wait: started; the
 * command's pid reported), one that fails (ENOENT, ENOEXEC: reported with
 * the errno), wait= with the exit status, a wait that ends before the
 * command (timeout; the command goes on and is not our child), and no
 * child left to reap in any case.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_pam_spawn.h"

static void no_child_left(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_started(void **state)
{
	const char *argv[] = { "/bin/true", NULL };
	struct ae_pam_spawn_result r;

	(void)state;
	ae_pam_spawn(argv, 0, &r);
	assert_int_equal(r.kind, AE_SPAWN_STARTED);
	assert_true(r.pid > 0);
	assert_int_not_equal(r.pid, getpid());
	no_child_left();
}

static void test_exec_fails(void **state)
{
	const char *missing[] = { "/nonexistent/autoenroll", NULL };
	char path[] = "/tmp/test_pam_spawn.XXXXXX";
	const char *garbage[] = { path, NULL };
	struct ae_pam_spawn_result r;
	int fd;

	(void)state;
	ae_pam_spawn(missing, 0, &r);
	assert_int_equal(r.kind, AE_SPAWN_EXEC_FAILED);
	assert_int_equal(r.value, ENOENT);
	ae_pam_spawn(missing, 5, &r);
	assert_int_equal(r.kind, AE_SPAWN_EXEC_FAILED);
	assert_int_equal(r.value, ENOENT);
	/* executable bits, but no program: ENOEXEC */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a program\n", 14), 14);
	close(fd);
	assert_int_equal(chmod(path, 0755), 0);
	ae_pam_spawn(garbage, 0, &r);
	assert_int_equal(r.kind, AE_SPAWN_EXEC_FAILED);
	assert_int_equal(r.value, ENOEXEC);
	assert_int_equal(unlink(path), 0);
	no_child_left();
}

static void test_wait_status(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	const char *killed[] = { "/bin/sh", "-c", "kill -TERM $$", NULL };
	struct ae_pam_spawn_result r;

	(void)state;
	ae_pam_spawn(argv, 30, &r);
	assert_int_equal(r.kind, AE_SPAWN_EXITED);
	assert_true(WIFEXITED(r.value));
	assert_int_equal(WEXITSTATUS(r.value), 3);
	ae_pam_spawn(killed, 30, &r);
	assert_int_equal(r.kind, AE_SPAWN_EXITED);
	assert_true(WIFSIGNALED(r.value));
	assert_int_equal(WTERMSIG(r.value), SIGTERM);
	no_child_left();
}

/* the caller's SIGCHLD ignored (auto-reap) and SIGPIPE ignored: the child
 * still gets its status, the caller's dispositions are untouched */
static void test_wait_with_sigchld_ignored(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "exit 4", NULL };
	struct ae_pam_spawn_result r;
	struct sigaction ign, old, now;

	(void)state;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
	ae_pam_spawn(argv, 30, &r);
	assert_int_equal(sigaction(SIGCHLD, &old, &now), 0);
	assert_true(now.sa_handler == SIG_IGN);
	assert_int_equal(r.kind, AE_SPAWN_EXITED);
	assert_int_equal(WEXITSTATUS(r.value), 4);
	no_child_left();
}

static void test_wait_timeout(void **state)
{
	char dir[] = "/tmp/test_pam_spawn.XXXXXX";
	char *script, *done, *cmd;
	struct ae_pam_spawn_result r;
	const char *argv[] = { "/bin/sh", "-c", NULL, NULL };

	assert_non_null(mkdtemp(dir));
	done = talloc_asprintf(*state, "%s/done", dir);
	script = talloc_asprintf(*state, "sleep 3; : > %s", done);
	argv[2] = script;
	ae_pam_spawn(argv, 1, &r);
	assert_int_equal(r.kind, AE_SPAWN_TIMEOUT);
	assert_true(r.pid > 0);
	assert_int_not_equal(access(done, F_OK), 0); /* still running */
	no_child_left();
	for (int i = 0; i < 300 && access(done, F_OK) != 0; i++) {
		usleep(50000);
	}
	assert_int_equal(access(done, F_OK), 0);
	no_child_left();
	cmd = talloc_asprintf(*state, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_started, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_exec_fails, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wait_status, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wait_with_sigchld_ignored, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wait_timeout, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
