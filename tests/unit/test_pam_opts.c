/*
 * test_pam_opts.c: the pure part of pam_autoenroll.so (source/pam/
 * ae_pam_opts.c): option parsing, the user name and ccache checks, the
 * checks of the command and config files, and the run-or-skip decision.
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
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_pam_opts.h"

static void test_opts_defaults(void **state)
{
	struct ae_pam_opts o;
	char bad[128];

	(void)state;
	assert_int_equal(ae_pam_opts_parse(0, NULL, &o, bad, sizeof(bad)), 0);
	assert_false(o.debug);
	assert_int_equal(o.wait_s, 0);
	assert_string_equal(o.command, AE_PAM_DEFAULT_COMMAND);
	assert_null(o.config);
	assert_string_equal(bad, "");
}

static void test_opts_all(void **state)
{
	const char *argv[] = { "debug", "wait=30", "command=/opt/ae/bin/autoenroll",
			       "config=/etc/samba/smb.conf" };
	struct ae_pam_opts o;
	char bad[128];

	(void)state;
	assert_int_equal(ae_pam_opts_parse(4, argv, &o, bad, sizeof(bad)), 0);
	assert_true(o.debug);
	assert_int_equal(o.wait_s, 30);
	assert_string_equal(o.command, "/opt/ae/bin/autoenroll");
	assert_string_equal(o.config, "/etc/samba/smb.conf");
}

/* a bad option is named and skipped; the good ones still apply */
static void test_opts_bad(void **state)
{
	const char *cases[] = { "wait=", "wait=-1", "wait=601", "wait=12a", "wait=99999",
				"command=autoenroll", "command=/usr/../tmp/x", "command=/usr/./x",
				"command=/usr/sbin/", "command=/usr//x", "command=/a\nb",
				"config=relative.conf", "nodebug", "" };
	struct ae_pam_opts o;
	char bad[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = { cases[i], "debug", "wait=600" };

		assert_int_equal(ae_pam_opts_parse(3, argv, &o, bad, sizeof(bad)), 1);
		assert_true(o.debug);
		assert_int_equal(o.wait_s, 600);
		assert_string_equal(o.command, AE_PAM_DEFAULT_COMMAND);
		assert_null(o.config);
		assert_non_null(strstr(bad, ": "));
	}
	{
		const char *argv[] = { "x", "y" };

		assert_int_equal(ae_pam_opts_parse(2, argv, &o, bad, sizeof(bad)), 2);
		assert_string_equal(bad, "x: unknown option");
	}
}

static void test_user_names(void **state)
{
	char longname[AE_PAM_USER_MAX + 2];

	(void)state;
	assert_true(ae_pam_user_ok("alice"));
	assert_true(ae_pam_user_ok("LAB\\alice"));
	assert_true(ae_pam_user_ok("alice@lab.example.com"));
	assert_true(ae_pam_user_ok("a-b_c.d"));
	assert_false(ae_pam_user_ok(NULL));
	assert_false(ae_pam_user_ok(""));
	assert_false(ae_pam_user_ok("-alice"));
	assert_false(ae_pam_user_ok("--help"));
	assert_false(ae_pam_user_ok("al\nice"));
	assert_false(ae_pam_user_ok("al\tice"));
	assert_false(ae_pam_user_ok("alice\x7f"));
	assert_false(ae_pam_user_ok("../alice"));
	assert_false(ae_pam_user_ok("a:b"));
	memset(longname, 'a', sizeof(longname));
	longname[AE_PAM_USER_MAX] = '\0';
	assert_true(ae_pam_user_ok(longname));
	longname[AE_PAM_USER_MAX] = 'a';
	longname[AE_PAM_USER_MAX + 1] = '\0';
	assert_false(ae_pam_user_ok(longname));
}

static void test_ccache_names(void **state)
{
	char big[AE_PAM_CCACHE_MAX + 2];

	(void)state;
	assert_true(ae_pam_ccache_ok("FILE:/tmp/krb5cc_10001_AbCd"));
	assert_true(ae_pam_ccache_ok("DIR:/run/user/10001/krb5cc"));
	assert_true(ae_pam_ccache_ok("KEYRING:persistent:10001"));
	assert_true(ae_pam_ccache_ok("/tmp/krb5cc_10001"));
	assert_false(ae_pam_ccache_ok(NULL));
	assert_false(ae_pam_ccache_ok(""));
	assert_false(ae_pam_ccache_ok("--option=x"));
	assert_false(ae_pam_ccache_ok("FILE:/tmp/a\nb"));
	memset(big, 'x', sizeof(big));
	big[AE_PAM_CCACHE_MAX + 1] = '\0';
	assert_false(ae_pam_ccache_ok(big));
}

static struct stat st_of(mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	st.st_gid = gid;
	return st;
}

static void test_stat_rules(void **state)
{
	char why[128];
	struct stat st;

	(void)state;
	st = st_of(S_IFREG | 0755, 0, 0);
	assert_true(ae_pam_stat_ok(&st, true, why, sizeof(why)));
	st = st_of(S_IFREG | 0775, 0, 0); /* group root may write */
	assert_true(ae_pam_stat_ok(&st, true, why, sizeof(why)));
	st = st_of(S_IFREG | 0644, 0, 0);
	assert_true(ae_pam_stat_ok(&st, false, why, sizeof(why)));
	assert_false(ae_pam_stat_ok(&st, true, why, sizeof(why)));
	assert_string_equal(why, "not executable");
	st = st_of(S_IFREG | 0755, 1000, 0);
	assert_false(ae_pam_stat_ok(&st, true, why, sizeof(why)));
	assert_string_equal(why, "not owned by root");
	st = st_of(S_IFREG | 0757, 0, 0);
	assert_false(ae_pam_stat_ok(&st, true, why, sizeof(why)));
	assert_string_equal(why, "writable by others");
	st = st_of(S_IFREG | 0775, 0, 100);
	assert_false(ae_pam_stat_ok(&st, true, why, sizeof(why)));
	st = st_of(S_IFDIR | 0755, 0, 0);
	assert_false(ae_pam_stat_ok(&st, true, why, sizeof(why)));
	assert_string_equal(why, "not a regular file");
	st = st_of(S_IFLNK | 0777, 0, 0);
	assert_false(ae_pam_stat_ok(&st, true, why, sizeof(why)));

	st = st_of(S_IFDIR | 0755, 0, 0);
	assert_true(ae_pam_dir_ok(&st, why, sizeof(why)));
	st = st_of(S_IFDIR | 01777, 0, 0); /* /tmp */
	assert_true(ae_pam_dir_ok(&st, why, sizeof(why)));
	st = st_of(S_IFDIR | 0777, 0, 0);
	assert_false(ae_pam_dir_ok(&st, why, sizeof(why)));
	st = st_of(S_IFDIR | 0775, 0, 100);
	assert_false(ae_pam_dir_ok(&st, why, sizeof(why)));
	st = st_of(S_IFDIR | 0700, 1000, 0);
	assert_false(ae_pam_dir_ok(&st, why, sizeof(why)));
	st = st_of(S_IFDIR | 01777, 1000, 0); /* a user's sticky directory */
	assert_false(ae_pam_dir_ok(&st, why, sizeof(why)));
}

/* real files: a root-owned program in a private directory, the same with
 * bad modes, a symbolic link, a world-writable directory above */
static void test_check_file(void **state)
{
	char dir[] = "/tmp/test_pam_opts.XXXXXX";
	char *prog, *lnk, *open_dir, *inner;
	char why[128];
	int fd;

	(void)state;
	if (geteuid() != 0) {
		fail_msg("test_check_file needs root (files owned by root)");
	}
	assert_non_null(mkdtemp(dir));
	prog = talloc_asprintf(*state, "%s/prog", dir);
	lnk = talloc_asprintf(*state, "%s/link", dir);
	open_dir = talloc_asprintf(*state, "%s/open", dir);
	inner = talloc_asprintf(*state, "%s/open/prog", dir);
	fd = open(prog, O_WRONLY | O_CREAT | O_EXCL, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(prog, 0755), 0);
	assert_true(ae_pam_check_file(prog, true, why, sizeof(why)));
	assert_int_equal(chmod(prog, 0644), 0);
	assert_false(ae_pam_check_file(prog, true, why, sizeof(why)));
	assert_true(ae_pam_check_file(prog, false, why, sizeof(why)));
	assert_int_equal(chmod(prog, 0757), 0);
	assert_false(ae_pam_check_file(prog, true, why, sizeof(why)));
	assert_string_equal(why, "writable by others");
	assert_int_equal(chmod(prog, 0755), 0);
	assert_int_equal(chown(prog, 1, 1), 0);
	assert_false(ae_pam_check_file(prog, true, why, sizeof(why)));
	assert_string_equal(why, "not owned by root");
	assert_int_equal(chown(prog, 0, 0), 0);
	assert_int_equal(symlink(prog, lnk), 0);
	assert_false(ae_pam_check_file(lnk, true, why, sizeof(why)));
	assert_string_equal(why, "a symbolic link");
	assert_int_equal(mkdir(open_dir, 0755), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	fd = open(inner, O_WRONLY | O_CREAT | O_EXCL, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_false(ae_pam_check_file(inner, true, why, sizeof(why)));
	assert_string_equal(why, "a directory on its path is writable by others");
	assert_false(ae_pam_check_file("/nonexistent/prog", true, why, sizeof(why)));
	assert_false(ae_pam_check_file("relative", true, why, sizeof(why)));
	assert_int_equal(unlink(inner), 0);
	assert_int_equal(rmdir(open_dir), 0);
	assert_int_equal(unlink(lnk), 0);
	assert_int_equal(unlink(prog), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_decide(void **state)
{
	struct ae_pam_facts f = { .known = true, .uid = 10001, .domain = true,
				  .ccache = "FILE:/tmp/krb5cc_10001_x" };

	(void)state;
	assert_int_equal(ae_pam_decide(&f), AE_PAM_RUN);
	f.ccache = NULL;
	assert_int_equal(ae_pam_decide(&f), AE_PAM_SKIP_NO_CCACHE);
	f.ccache = "";
	assert_int_equal(ae_pam_decide(&f), AE_PAM_SKIP_NO_CCACHE);
	f.ccache = "-x";
	assert_int_equal(ae_pam_decide(&f), AE_PAM_SKIP_BAD_CCACHE);
	f.ccache = "FILE:/tmp/krb5cc_10001_x";
	f.domain = false;
	assert_int_equal(ae_pam_decide(&f), AE_PAM_SKIP_LOCAL);
	/* root: skipped even when winbind would map uid 0 and a ccache is set */
	f.domain = true;
	f.uid = 0;
	assert_int_equal(ae_pam_decide(&f), AE_PAM_SKIP_ROOT);
	f.known = false;
	assert_int_equal(ae_pam_decide(&f), AE_PAM_SKIP_UNKNOWN);
	for (int d = AE_PAM_RUN; d <= AE_PAM_SKIP_BAD_CCACHE; d++) {
		assert_string_not_equal(ae_pam_decision_str((enum ae_pam_decision)d), "?");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_opts_defaults, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_opts_all, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_opts_bad, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_user_names, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_ccache_names, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_stat_rules, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_check_file, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_decide, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
