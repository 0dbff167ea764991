/*
 * test_target.c: the deploy target writer (deploy/ae_target.c) in temp
 * dirs: content, owner and mode on the descriptor; compare first (no
 * write when equal); atomic replace (a new inode, no temporary left); a
 * symbolic link as target or as directory refused; a directory another
 * user controls refused and named.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_target.h"
#include "leak_check.h"

#define NOBODY 65534

static char *tmpdir(TALLOC_CTX *mem)
{
	char tmpl[] = "/tmp/test_target.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chmod(tmpl, 0755), 0);
	return talloc_strdup(mem, tmpl);
}

static void rm_rf(const char *d)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static char *slurp(TALLOC_CTX *mem, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = talloc_zero_size(mem, 4096);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.' || strstr(de->d_name, ".tmp.") != NULL;
	}
	closedir(d);
	return n;
}

static void test_write_mode_owner_compare_replace(void **state)
{
	char *d = tmpdir(*state);
	char *p = talloc_asprintf(*state, "%s/web.key", d);
	char why[512] = "";
	struct stat st1, st2;
	int old_fd;
	bool written = false;
	/* as root: given to nobody; otherwise (no chown possible) our own ids */
	const uid_t U = geteuid() == 0 ? NOBODY : geteuid();
	const gid_t G = geteuid() == 0 ? NOBODY : getegid();
	assert_int_equal(ae_target_write_file(p, (const uint8_t *)"KEY1\n", 5, U, G, 0640,
					      &written, why, sizeof(why)), AE_OK);
	assert_true(written);
	assert_string_equal(slurp(*state, p), "KEY1\n");
	assert_int_equal(stat(p, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0640);
	assert_int_equal(st1.st_uid, U);
	assert_int_equal(st1.st_gid, G);
	/* the same again: compared, not written (same inode, same mtime) */
	assert_int_equal(ae_target_write_file(p, (const uint8_t *)"KEY1\n", 5, U, G, 0640,
					      &written, why, sizeof(why)), AE_OK);
	assert_false(written);
	assert_int_equal(stat(p, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	/* a mode changed by hand is put back, by a new file */
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(ae_target_write_file(p, (const uint8_t *)"KEY1\n", 5, U, G, 0640,
					      &written, why, sizeof(why)), AE_OK);
	assert_true(written);
	assert_int_equal(stat(p, &st2), 0);
	assert_int_equal(st2.st_mode & 07777, 0640);
	/* new content: atomic replace (a new inode renamed over it, the old file
	 * intact for a reader that has it open; no temporary left) */
	old_fd = open(p, O_RDONLY);
	assert_true(old_fd >= 0);
	assert_int_equal(fstat(old_fd, &st1), 0);
	assert_int_equal(ae_target_write_file(p, (const uint8_t *)"KEY2\n", 5, (uid_t)-1, (gid_t)-1, 0600,
					      &written, why, sizeof(why)), AE_OK);
	assert_true(written);
	assert_int_equal(stat(p, &st2), 0);
	assert_int_not_equal(st1.st_ino, st2.st_ino);
	{
		char buf[8] = "";
		assert_int_equal(pread(old_fd, buf, sizeof(buf) - 1, 0), 5);
		assert_string_equal(buf, "KEY1\n");
		close(old_fd);
	}
	assert_int_equal(st2.st_uid, geteuid());
	assert_int_equal(st2.st_mode & 07777, 0600);
	assert_string_equal(slurp(*state, p), "KEY2\n");
	assert_int_equal(count_entries(d), 1);
	rm_rf(d);
}

static void test_symlink_target_refused(void **state)
{
	char *d = tmpdir(*state);
	char *p = talloc_asprintf(*state, "%s/web.crt", d);
	char *victim = talloc_asprintf(*state, "%s/victim", d);
	char why[512] = "";
	bool written = true;
	FILE *f = fopen(victim, "w");

	assert_non_null(f);
	fputs("untouched\n", f);
	fclose(f);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(ae_target_write_file(p, (const uint8_t *)"CERT\n", 5, (uid_t)-1,
					      (gid_t)-1, 0644, &written, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_false(written);
	assert_non_null(strstr(why, p));
	assert_non_null(strstr(why, "symbolic link"));
	assert_string_equal(slurp(*state, victim), "untouched\n");
	rm_rf(d);
}

static void test_symlinked_directory_refused(void **state)
{
	char *d = tmpdir(*state);
	char *real = talloc_asprintf(*state, "%s/real", d);
	char *link = talloc_asprintf(*state, "%s/link", d);
	char *p = talloc_asprintf(*state, "%s/link/web.crt", d);
	char why[512] = "";
	bool written = true;

	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	assert_int_equal(ae_target_write_file(p, (const uint8_t *)"C\n", 2, (uid_t)-1, (gid_t)-1,
					      0644, &written, why, sizeof(why)), AE_ERR_INVALID);
	assert_false(written);
	assert_non_null(strstr(why, link));
	assert_int_equal(count_entries(real), 0);
	rm_rf(d);
}

static void test_user_owned_or_writable_directory_refused(void **state)
{
	char *d = tmpdir(*state);
	char *user = talloc_asprintf(*state, "%s/user", d);
	char *open_dir = talloc_asprintf(*state, "%s/open", d);
	char *below = talloc_asprintf(*state, "%s/user/sub", d);
	char why[512] = "";
	bool written = true;

	assert_int_equal(mkdir(user, 0755), 0);
	assert_int_equal(mkdir(below, 0755), 0);
	assert_int_equal(mkdir(open_dir, 0777), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	/* group/others may write: refused, named */
	assert_int_equal(ae_target_write_file(talloc_asprintf(*state, "%s/x.key", open_dir),
					      (const uint8_t *)"K\n", 2, (uid_t)-1, (gid_t)-1, 0600,
					      &written, why, sizeof(why)), AE_ERR_INVALID);
	assert_non_null(strstr(why, open_dir));
	assert_non_null(strstr(why, "another user controls"));
	assert_int_equal(count_entries(open_dir), 0);
	if (geteuid() == 0) {
		/* owned by a user (nobody), also as an ancestor: refused, named */
		assert_int_equal(chown(user, NOBODY, NOBODY), 0);
		assert_int_equal(ae_target_write_file(talloc_asprintf(*state, "%s/x.key", user),
						      (const uint8_t *)"K\n", 2, (uid_t)-1,
						      (gid_t)-1, 0600, &written, why, sizeof(why)),
				 AE_ERR_INVALID);
		assert_non_null(strstr(why, user));
		assert_non_null(strstr(why, "uid 65534"));
		assert_int_equal(ae_target_write_file(talloc_asprintf(*state, "%s/x.key", below),
						      (const uint8_t *)"K\n", 2, (uid_t)-1,
						      (gid_t)-1, 0600, &written, why, sizeof(why)),
				 AE_ERR_INVALID);
		assert_non_null(strstr(why, user));
		assert_int_equal(count_entries(below), 0);
	}
	assert_false(written);
	rm_rf(d);
}

static void test_sync_order_and_missing_dir(void **state)
{
	char *d = tmpdir(*state);
	struct ae_target_spec t = { 0 };
	struct ae_target_content c = { 0 };
	struct ae_target_result res;
	char why[512] = "";
	struct stat st;

	t.template_name = "LabMachine";
	t.path[AE_TARGET_KEY] = talloc_asprintf(*state, "%s/m.key", d);
	t.path[AE_TARGET_CERT] = talloc_asprintf(*state, "%s/m.crt", d);
	t.path[AE_TARGET_FULLCHAIN] = talloc_asprintf(*state, "%s/m.full", d);
	t.key_mode = 0600;
	c.data[AE_TARGET_KEY] = (const uint8_t *)"K\n";
	c.len[AE_TARGET_KEY] = 2;
	c.data[AE_TARGET_CERT] = (const uint8_t *)"C\n";
	c.len[AE_TARGET_CERT] = 2;
	c.data[AE_TARGET_FULLCHAIN] = (const uint8_t *)"C\nI\n";
	c.len[AE_TARGET_FULLCHAIN] = 4;
	assert_int_equal(ae_target_sync(&t, &c, &res, why, sizeof(why)), AE_OK);
	assert_int_equal(res.written, 3);
	assert_int_equal(stat(t.path[AE_TARGET_CERT], &st), 0);
	assert_int_equal(st.st_mode & 07777, AE_TARGET_CERT_MODE);
	assert_int_equal(stat(t.path[AE_TARGET_KEY], &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_string_equal(slurp(*state, t.path[AE_TARGET_FULLCHAIN]), "C\nI\n");
	assert_int_equal(ae_target_sync(&t, &c, &res, why, sizeof(why)), AE_OK);
	assert_int_equal(res.written, 0);
	assert_int_equal(res.unchanged, 3);
	/* a missing directory: not created, named */
	t.path[AE_TARGET_CERT] = talloc_asprintf(*state, "%s/nodir/m.crt", d);
	assert_int_equal(ae_target_sync(&t, &c, &res, why, sizeof(why)), AE_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "nodir"));
	rm_rf(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_mode_owner_compare_replace, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_target_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_directory_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_user_owned_or_writable_directory_refused,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_sync_order_and_missing_dir, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
