/*
 * test_file.c: util/ae_file.c, the one reader of files and the atomic
 * writer. The reader's contract: only a regular file is opened (a FIFO,
 * a device, a directory, and a symbolic link unless AE_FILE_FOLLOW, are
 * refused as AE_ERR_INVALID with the kind in why, without blocking); the
 * size is capped; outputs are set only on success. The writer: the final
 * mode whatever the umask, no temporary left, a name with '/' refused.
 *
 * Leak check: leak_check.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "leak_check.h"
#include "ae_file.h"

static int open_dir(char *tmpl)
{
	int fd;

	assert_non_null(mkdtemp(tmpl));
	fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void cleanup(const char *dir)
{
	char cmd[256];

	assert_true(strncmp(dir, "/tmp/ae-file-", 13) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* read name in dfd expecting want; on failure the outputs must be untouched */
static void read_expect(TALLOC_CTX *mem, int dfd, const char *name, size_t max, unsigned flags,
			ae_err want, const char *why_has)
{
	uint8_t *data = (uint8_t *)0x1;
	size_t len = 7, blocks = talloc_total_blocks(mem);
	char why[128] = "";
	ae_err err = ae_file_read_at(mem, dfd, name, max, flags, &data, &len, why, sizeof(why));

	assert_int_equal(err, want);
	if (want != AE_OK) {
		assert_ptr_equal(data, (uint8_t *)0x1);
		assert_int_equal(len, 7);
		assert_int_equal(talloc_total_blocks(mem), blocks);
	} else {
		talloc_free(data);
	}
	if (why_has != NULL) {
		assert_non_null(strstr(why, why_has));
	}
}

static void test_read_regular_only(void **state)
{
	TALLOC_CTX *mem = *state;
	char dir[] = "/tmp/ae-file-XXXXXX";
	int dfd = open_dir(dir);
	uint8_t *data = NULL;
	size_t len = 0;

	assert_int_equal(ae_file_write_atomic_at(dfd, "a", "hello", 5, 0600), AE_OK);
	assert_int_equal(ae_file_read_at(mem, dfd, "a", 5, 0, &data, &len, NULL, 0), AE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 6);	/* NUL appended */
	talloc_free(data);
	read_expect(mem, dfd, "a", 4, 0, AE_ERR_TOO_LARGE, "larger than 4 bytes");
	read_expect(mem, dfd, "missing", 10, 0, AE_ERR_NOT_FOUND, NULL);
	assert_int_equal(mkfifo(talloc_asprintf(mem, "%s/fifo", dir), 0600), 0);
	assert_int_equal(mkdir(talloc_asprintf(mem, "%s/sub", dir), 0700), 0);
	assert_int_equal(symlinkat("a", dfd, "link"), 0);
	assert_int_equal(symlinkat("/dev/zero", dfd, "zero"), 0);
	alarm(20);	/* a FIFO must not block */
	read_expect(mem, dfd, "fifo", 10, 0, AE_ERR_INVALID, "a FIFO, not a regular file");
	read_expect(mem, dfd, "fifo", 10, AE_FILE_FOLLOW, AE_ERR_INVALID, "a FIFO");
	alarm(0);
	read_expect(mem, dfd, "sub", 10, 0, AE_ERR_INVALID, "a directory");
	read_expect(mem, dfd, "link", 10, 0, AE_ERR_INVALID, "a symbolic link");
	read_expect(mem, dfd, "link", 10, AE_FILE_FOLLOW, AE_OK, NULL);
	read_expect(mem, dfd, "zero", 10, 0, AE_ERR_INVALID, "a symbolic link");
	read_expect(mem, dfd, "zero", 10, AE_FILE_FOLLOW, AE_ERR_INVALID, "a character device");
	read_expect(mem, AT_FDCWD, "/dev/zero", 10, AE_FILE_FOLLOW, AE_ERR_INVALID,
		    "a character device");
	/* the path form follows links but is as strict about the kind */
	assert_int_equal(ae_file_read(mem, talloc_asprintf(mem, "%s/link", dir), 10, &data, &len),
			 AE_OK);
	talloc_free(data);
	assert_int_equal(ae_file_read(mem, talloc_asprintf(mem, "%s/fifo", dir), 10, &data, &len),
			 AE_ERR_INVALID);
	close(dfd);
	cleanup(dir);
}

static void test_write_atomic_at(void **state)
{
	TALLOC_CTX *mem = *state;
	char dir[] = "/tmp/ae-file-XXXXXX";
	int dfd = open_dir(dir);
	mode_t old = umask(077);
	struct stat st;
	char *link = NULL;

	assert_int_equal(ae_file_write_atomic_at(dfd, "k", "x", 1, 0644), AE_OK);
	assert_int_equal(fstatat(dfd, "k", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(ae_file_write_atomic_at(dfd, "k", "yy", 2, 0600), AE_OK);
	assert_int_equal(fstatat(dfd, "k", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 2);
	assert_int_equal(ae_file_write_atomic_at(dfd, "a/b", "x", 1, 0600), AE_ERR_INVALID);
	/* a symbolic link in place of the target is replaced, not written through */
	link = talloc_asprintf(mem, "%s/outside", dir);
	assert_int_equal(symlinkat(link, dfd, "t"), 0);
	assert_int_equal(ae_file_write_atomic_at(dfd, "t", "z", 1, 0600), AE_OK);
	assert_int_equal(fstatat(dfd, "t", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(access(link, F_OK), -1);
	/* the path form */
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/p", dir), "q", 1, 0640),
			 AE_OK);
	assert_int_equal(fstatat(dfd, "p", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	umask(old);
	close(dfd);
	cleanup(dir);
}

/* fault suite (t_fault_store_space): a failed write leaves the file and errno for the message */
static void test_write_failure_names_the_file(void **state)
{
	(void)state;
	ae_file_clear_error();
	assert_string_equal(ae_file_last_error(), "");
	assert_int_equal(ae_file_write_atomic_at(-1, "LabMachine.key.new", "x", 1, 0600),
			 AE_ERR_IO);
	assert_non_null(strstr(ae_file_last_error(), "LabMachine.key.new"));
	assert_non_null(strstr(ae_file_last_error(), strerror(EBADF)));
	ae_file_clear_error();
	assert_string_equal(ae_file_last_error(), "");
}

/* t_fault_store_eio_*: the store's renames, unlinks and lock note their failure the same way */
static void test_set_error(void **state)
{
	char big[600];

	(void)state;
	ae_file_set_error("cannot rename %s to %s: %s", "LabMachine.crt", "archive/x.crt",
			  strerror(EIO));
	assert_string_equal(ae_file_last_error(),
			    "cannot rename LabMachine.crt to archive/x.crt: Input/output error");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ae_file_set_error("cannot read %s: %s", big, strerror(EIO));	/* truncated, terminated */
	assert_true(strlen(ae_file_last_error()) < sizeof(big));
	assert_non_null(strstr(ae_file_last_error(), "cannot read aaa"));
	ae_file_clear_error();
	assert_string_equal(ae_file_last_error(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_regular_only, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_at, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_names_the_file, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_set_error, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
