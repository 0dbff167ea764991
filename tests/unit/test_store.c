/* test_store.c: atomic files, the store layout and pending records. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_store.h"
#include "ae_file.h"

static char *scratch(TALLOC_CTX *mem)
{
	char tmpl[] = "/tmp/ae-test-store-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return talloc_strdup(mem, d);
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_install_modes(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch(mem);
	char *sdir = talloc_asprintf(mem, "%s/machine", dir);
	struct ae_store *s = NULL;
	struct stat st;
	uint8_t *data = NULL;
	size_t len = 0;
	mode_t old = umask(0);

	(void)state;
	assert_int_equal(ae_store_open(mem, sdir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0), AE_OK);
	assert_int_equal(stat(sdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(ae_store_install(s, "LabMachine", "KEY", 3, "CRT", 3, "CHAIN", 5), AE_OK);
	assert_int_equal(stat(ae_store_path(mem, s, "LabMachine", ".key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(ae_store_path(mem, s, "LabMachine", ".crt"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(ae_file_read(mem, ae_store_path(mem, s, "LabMachine", ".chain.pem"),
				      100, &data, &len), AE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "CHAIN", 5);
	/* a second install replaces; no temp files stay behind */
	assert_int_equal(ae_store_install(s, "LabMachine", "K2", 2, "C2", 2, "CH2", 3), AE_OK);
	assert_int_equal(ae_file_read(mem, ae_store_path(mem, s, "LabMachine", ".key"),
				      100, &data, &len), AE_OK);
	assert_memory_equal(data, "K2", 2);
	umask(old);
	/* names that would escape the directory */
	assert_int_equal(ae_store_install(s, "../x", "K", 1, "C", 1, "H", 1), AE_ERR_INVALID);
	assert_int_equal(ae_store_install(s, ".hidden", "K", 1, "C", 1, "H", 1), AE_ERR_INVALID);
	assert_int_equal(ae_file_read(mem, "/nonexistent/file", 10, &data, &len), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_file_read(mem, ae_store_path(mem, s, "LabMachine", ".chain.pem"),
				      2, &data, &len), AE_ERR_TOO_LARGE);
	rm_rf(dir);
	talloc_free(mem);
}

static void test_pending_roundtrip(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch(mem);
	struct ae_store *s = NULL;
	struct ae_pending in = { .ca = "LAB-CA", .ca_host = "dc1.lab.example.com",
				 .request_id = 42, .template_name = "LabPending",
				 .submitted = 1700000000 };
	struct ae_pending *out = NULL;
	char *key = NULL;
	size_t key_len = 0;
	struct stat st;
	size_t before;

	(void)state;
	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0), AE_OK);
	assert_int_equal(ae_store_pending_save(s, &in, "PEMKEY", 6), AE_OK);
	assert_int_equal(stat(talloc_asprintf(mem, "%s/pending/lab-ca.42.key", dir), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	before = talloc_total_blocks(mem);
	assert_int_equal(ae_store_pending_load(mem, s, "lab-ca", 42, &out, &key, &key_len), AE_OK);
	assert_string_equal(out->ca, "LAB-CA");
	assert_string_equal(out->ca_host, "dc1.lab.example.com");
	assert_string_equal(out->template_name, "LabPending");
	assert_int_equal(out->request_id, 42);
	assert_int_equal(out->submitted, 1700000000);
	assert_int_equal(key_len, 6);
	talloc_free(out);
	talloc_free(key);
	assert_int_equal(talloc_total_blocks(mem), before);
	assert_int_equal(ae_store_pending_load(mem, s, "LAB-CA", 43, &out, &key, &key_len),
			 AE_ERR_NOT_FOUND);
	assert_int_equal(ae_store_pending_remove(s, "LAB-CA", 42), AE_OK);
	assert_int_equal(ae_store_pending_load(mem, s, "LAB-CA", 42, &out, &key, &key_len),
			 AE_ERR_NOT_FOUND);
	rm_rf(dir);
	talloc_free(mem);
}

static void test_pending_parse_rejects(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_pending *p = NULL;
	const char *bad[] = {
		"ca=X\nca_host=h\ntemplate=T\n",			/* no id */
		"ca=X\nca_host=h\nrequest_id=abc\ntemplate=T\n",	/* not a number */
		"ca=X\nca_host=h\nrequest_id=99999999999\ntemplate=T\n",/* above 32 bits */
		"ca=../X\nca_host=h\nrequest_id=1\ntemplate=T\n",	/* path in name */
		"garbage\n",
		"ca=X\nca_host=h\nrequest_id=1\ntemplate=T\nsubmitted=12x\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ae_pending_parse(mem, (const uint8_t *)bad[i], strlen(bad[i]), &p),
				 AE_ERR_PARSE);
		assert_null(p);
	}
	assert_int_equal(ae_pending_parse(mem, (const uint8_t *)"ca=X\0", 5, &p), AE_ERR_PARSE);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_modes),
		cmocka_unit_test(test_pending_roundtrip),
		cmocka_unit_test(test_pending_parse_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
