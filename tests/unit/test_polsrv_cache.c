/*
 * test_polsrv_cache.c: the MS-XCEP response cache (ae_polsrv_cache.c):
 * round trip, file names from the policy ID's hash (never the ID), 0600
 * files, a symbolic link or a damaged header not used, a directory others
 * can read refused, nextUpdateHours freshness.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"

static char g_dir[64], g_cache[96];

static int setup(void **state)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/test_polsrv_cache.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	snprintf(g_cache, sizeof(g_cache), "%s/xcep", g_dir);
	return leak_setup(state);
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	assert_int_equal(system(cmd), 0);
	return leak_teardown(state);
}

/* the one file in the cache directory */
static void only_file(char *name, size_t len)
{
	DIR *d = opendir(g_cache);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			snprintf(name, len, "%s/%s", g_cache, e->d_name);
			n++;
		}
	}
	closedir(d);
	assert_int_equal(n, 1);
}

static void test_round_trip(void **state)
{
	const char *id = "../../etc/{weird id}";
	const char *body = "<GetPoliciesResponse/>";
	struct ae_polsrv_cache *c = NULL;
	uint8_t *got = NULL;
	char *url = NULL;
	size_t len = 0;
	time_t when = 0;
	char path[512], why[256] = "";
	struct stat st;

	assert_int_equal(ae_polsrv_cache_open(*state, g_cache, &c, why, sizeof(why)), AE_OK);
	assert_int_equal(stat(g_cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(ae_polsrv_cache_get(*state, c, id, &got, &len, &when, &url), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_polsrv_cache_put(c, id, 1700000000, "https://a/\nb", (const uint8_t *)body,
					     strlen(body)), AE_ERR_INVALID);
	assert_int_equal(ae_polsrv_cache_put(c, id, 1700000000, "https://cep/x", (const uint8_t *)body,
					     strlen(body)), AE_OK);
	assert_int_equal(ae_polsrv_cache_get(*state, c, id, &got, &len, &when, &url), AE_OK);
	assert_int_equal(len, strlen(body));
	assert_memory_equal(got, body, len);
	assert_int_equal(when, 1700000000);
	assert_string_equal(url, "https://cep/x");
	talloc_free(got);
	talloc_free(url);
	/* named by the hash: 64 hex digits, nothing of the ID */
	only_file(path, sizeof(path));
	assert_int_equal(strlen(strrchr(path, '/') + 1), 64 + 5);
	assert_null(strstr(path, "weird"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* another ID has nothing */
	assert_int_equal(ae_polsrv_cache_get(*state, c, "{other}", &got, &len, &when, &url),
			 AE_ERR_NOT_FOUND);
	/* a damaged header is not used */
	{
		int fd = open(path, O_WRONLY | O_TRUNC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "ae-xcep-cache 1 5\n<a/>", 22), 22);
		close(fd);
	}
	assert_int_equal(ae_polsrv_cache_get(*state, c, id, &got, &len, &when, &url), AE_ERR_PARSE);
	/* a symbolic link in its place is not followed */
	{
		char target[160];
		snprintf(target, sizeof(target), "%s/target", g_dir);
		assert_int_equal(rename(path, target), 0);
		assert_int_equal(symlink(target, path), 0);
	}
	assert_int_not_equal(ae_polsrv_cache_get(*state, c, id, &got, &len, &when, &url), AE_OK);
	talloc_free(c);
	/* a cache directory others can read is refused */
	assert_int_equal(chmod(g_cache, 0755), 0);
	assert_int_equal(ae_polsrv_cache_open(*state, g_cache, &c, why, sizeof(why)), AE_ERR_IO);
	assert_non_null(strstr(why, g_cache));
}

static void test_fresh(void **state)
{
	(void)state;
	assert_true(ae_polsrv_cache_fresh(1000, 8, 1000 + 8 * 3600 - 1));
	assert_false(ae_polsrv_cache_fresh(1000, 8, 1000 + 8 * 3600));
	/* nil / 0: fetched each cycle */
	assert_false(ae_polsrv_cache_fresh(1000, 0, 1000));
	/* fetched "in the future" (clock set back): not fresh */
	assert_false(ae_polsrv_cache_fresh(2000, 8, 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh, setup, teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
