/*
 * test_gpo_cache.c: the GPO file cache (engine/ae_gpo_cache.h): a GPO's cn
 * must be a {GUID} before it names anything (finding E1: a cn of
 * "../../../etc/x" made the old code write <cache>/../../../etc/x-1.pol),
 * files only through the cache directory's descriptor, O_NOFOLLOW, 0600,
 * keyed by both versions; the last-good list and its parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_gpo_cache.h"
#include "ae_gpo_cache_private.h"

#define G1 "{31B2F340-016D-11D2-945F-00C04FB984F9}"
#define G2 "{6AC1786C-016F-11D2-945F-00C04FB984F9}"

/* A scratch tree: base/cache (the cache dir) and base/outside. */
struct tree {
	char base[64];
	char cache[96];
	char outside[96];
};

static void tree_make(struct tree *t)
{
	snprintf(t->base, sizeof(t->base), "/tmp/test_gpo_cache.XXXXXX");
	assert_non_null(mkdtemp(t->base));
	snprintf(t->cache, sizeof(t->cache), "%s/cache", t->base);
	snprintf(t->outside, sizeof(t->outside), "%s/outside", t->base);
	assert_int_equal(mkdir(t->outside, 0700), 0);
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	}
	closedir(d);
	return n;
}

static void tree_free(struct tree *t)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->base);
	assert_int_equal(system(cmd), 0);
}

static void test_gpo_cn_path_refused(void **state)
{
	static const char *const bad[] = {
		"../../../../../etc/logrotate.d/x",
		"../outside/x",
		"{../outside/x}",
		"31B2F340-016D-11D2-945F-00C04FB984F9",		/* no braces */
		G1 "/../../x",
		G1 "x",
		"{31B2F340-016D-11D2-945F-00C04FB984F9",
		"{31B2F340/016D-11D2-945F-00C04FB984F9}",
		"{31B2F340-016D-11D2-945F-00C04FB984F}",
		"",
		"/",
		"{}",
	};
	struct ae_gpo_cache *c = NULL;
	char out[AE_GPO_GUID_MAX] = "untouched";
	struct tree t;
	size_t i;

	tree_make(&t);
	assert_int_equal(ae_gpo_cache_open(*state, t.cache, &c), AE_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *data = NULL;
		size_t len = 0;

		assert_int_equal(ae_gpo_guid_canon(bad[i], out), AE_ERR_PARSE);
		assert_string_equal(out, "untouched");
		/* the old code wrote <cache>/<cn>-<version>.pol for any cn */
		assert_int_equal(ae_gpo_cache_put(c, bad[i], 1, 1, (const uint8_t *)"PReg", 4),
				 AE_ERR_PARSE);
		assert_int_equal(ae_gpo_cache_put(c, bad[i], 1, 1, NULL, 0), AE_ERR_PARSE);
		assert_int_equal(ae_gpo_cache_get(*state, c, bad[i], 1, 1, &data, &len),
				 AE_ERR_PARSE);
	}
	assert_int_equal(entries(t.outside), 0);
	assert_int_equal(entries(t.cache), 0);
	assert_int_equal(entries(t.base), 2);
	/* the canonical name: upper case, braces */
	assert_int_equal(ae_gpo_guid_canon("{31b2f340-016d-11d2-945f-00c04fb984f9}", out), AE_OK);
	assert_string_equal(out, G1);
	talloc_free(c);
	tree_free(&t);
}

static void test_gpo_cache_roundtrip(void **state)
{
	struct ae_gpo_cache *c = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char path[200];
	struct stat st;
	struct tree t;

	tree_make(&t);
	assert_int_equal(ae_gpo_cache_open(*state, t.cache, &c), AE_OK);
	assert_int_equal(stat(t.cache, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(ae_gpo_cache_get(*state, c, G1, 3, 3, &data, &len), AE_ERR_NOT_FOUND);
	/* any case in, one canonical file */
	assert_int_equal(ae_gpo_cache_put(c, "{31b2f340-016d-11d2-945f-00c04fb984f9}", 3, 3,
					  (const uint8_t *)"PReg\1\0\0\0", 8), AE_OK);
	snprintf(path, sizeof(path), "%s/%s-3-3.pol", t.cache, G1);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ae_gpo_cache_get(*state, c, G1, 3, 3, &data, &len), AE_OK);
	assert_int_equal(len, 8);
	assert_memory_equal(data, "PReg\1\0\0\0", 8);
	talloc_free(data);
	data = NULL;
	/* GPT.INI's version is part of the key ([MS-GPOL] 3.2.1.4) */
	assert_int_equal(ae_gpo_cache_get(*state, c, G1, 3, 2, &data, &len), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_gpo_cache_get(*state, c, G1, 2, 3, &data, &len), AE_ERR_NOT_FOUND);
	/* "no file" marker */
	assert_int_equal(ae_gpo_cache_put(c, G2, 1, 1, NULL, 0), AE_OK);
	len = 99;
	assert_int_equal(ae_gpo_cache_get(*state, c, G2, 1, 1, &data, &len), AE_OK);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(entries(t.cache), 2);	/* no temporary file left */
	talloc_free(c);
	tree_free(&t);
}

static void test_gpo_cache_symlink_not_followed(void **state)
{
	struct ae_gpo_cache *c = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char link[200], target[200], dirlink[200];
	struct stat st;
	struct tree t;

	tree_make(&t);
	assert_int_equal(ae_gpo_cache_open(*state, t.cache, &c), AE_OK);
	snprintf(target, sizeof(target), "%s/victim", t.outside);
	snprintf(link, sizeof(link), "%s/%s-1-1.pol", t.cache, G1);
	assert_int_equal(symlink(target, link), 0);
	/* reading through a planted link: refused, nothing created */
	assert_int_equal(ae_gpo_cache_get(*state, c, G1, 1, 1, &data, &len), AE_ERR_IO);
	/* writing replaces the link itself; its target is never created */
	assert_int_equal(ae_gpo_cache_put(c, G1, 1, 1, (const uint8_t *)"x", 1), AE_OK);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(target, &st), -1);
	assert_int_equal(entries(t.outside), 0);
	/* names with a separator never reach openat */
	assert_int_equal(ae_gpo_cache_write_at(AT_FDCWD, "../x", (const uint8_t *)"", 0),
			 AE_ERR_INVALID);
	assert_int_equal(ae_gpo_cache_read_at(*state, AT_FDCWD, "a/b", 10, &data, &len),
			 AE_ERR_INVALID);
	talloc_free(c);
	c = NULL;
	/* the cache directory itself a symlink: refused */
	snprintf(dirlink, sizeof(dirlink), "%s/linked", t.base);
	assert_int_equal(symlink(t.outside, dirlink), 0);
	assert_int_equal(ae_gpo_cache_open(*state, dirlink, &c), AE_ERR_IO);
	assert_null(c);
	assert_int_equal(ae_gpo_cache_open(*state, "relative/dir", &c), AE_ERR_INVALID);
	/* a cache directory others may write (or enter): refused, what it holds is policy */
	assert_int_equal(chmod(t.outside, 0757), 0);
	assert_int_equal(ae_gpo_cache_open(*state, t.outside, &c), AE_ERR_IO);
	assert_null(c);
	assert_int_equal(chmod(t.outside, 0755), 0);
	assert_int_equal(ae_gpo_cache_open(*state, t.outside, &c), AE_ERR_IO);
	assert_int_equal(chmod(t.outside, 0700), 0);
	assert_int_equal(ae_gpo_cache_open(*state, t.outside, &c), AE_OK);
	talloc_free(c);
	c = NULL;
	tree_free(&t);
}

struct lg_case {
	const char *text;
	ae_err err;
	size_t n;
};

static const struct lg_case lg_cases[] = {
	{ "ae-gpo-last-good 1\n", AE_OK, 0 },
	{ "ae-gpo-last-good 1\n" G1 " 1 1\n", AE_OK, 1 },
	{ "ae-gpo-last-good 1\n" G1 " 3 2\n" G2 " 65535 0\n", AE_OK, 2 },
	{ "ae-gpo-last-good 1\n{31b2f340-016d-11d2-945f-00c04fb984f9} 1 1\n", AE_OK, 1 },
	{ "", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 2\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n" G1 " 1 1", AE_ERR_TRAILING, 0 },
	{ "ae-gpo-last-good 1\n" G1 " 65536 1\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n" G1 " -1 1\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n" G1 " 1\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n" G1 " 1 1 1\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n" G1 "  1 1\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n" G1 " 1 1 \n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n../../etc/x 1 1\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n\n", AE_ERR_PARSE, 0 },
	{ "ae-gpo-last-good 1\n" G1 " 99999999999999999999 1\n", AE_ERR_PARSE, 0 },
};

static void test_gpo_last_good_parse(void **state)
{
	struct ae_gpo_cache_entry *e = NULL;
	size_t i, n = 77;

	for (i = 0; i < sizeof(lg_cases) / sizeof(lg_cases[0]); i++) {
		const struct lg_case *k = &lg_cases[i];
		ae_err err = ae_gpo_last_good_parse(*state, (const uint8_t *)k->text,
						    strlen(k->text), &e, &n);

		if (err != k->err) {
			fail_msg("case %zu: %d, want %d", i, err, k->err);
		}
		if (err == AE_OK) {
			assert_int_equal(n, k->n);
			if (n > 0) {
				assert_string_equal(e[0].guid, G1);
			}
			talloc_free(e);
			e = NULL;
			n = 77;
		} else {
			assert_null(e);
			assert_int_equal(n, 77);
		}
	}
	/* an embedded NUL */
	assert_int_equal(ae_gpo_last_good_parse(*state, (const uint8_t *)"ae-gpo-last-good 1\n"
						G1 "\0 1 1\n", 19 + 38 + 6, &e, &n),
			 AE_ERR_PARSE);
	assert_int_equal(ae_gpo_last_good_parse(*state, NULL, 1, &e, &n), AE_ERR_INVALID);
}

static void test_gpo_last_good_limits(void **state)
{
	size_t max = AE_GPO_LAST_GOOD_MAX + 1, i, n = 0;
	char *text = talloc_strdup(*state, "ae-gpo-last-good 1\n");
	struct ae_gpo_cache_entry *e = NULL;

	for (i = 0; i < max; i++) {
		text = talloc_asprintf_append(text, G1 " 1 1\n");
	}
	assert_non_null(text);
	assert_true(strlen(text) <= AE_GPO_LAST_GOOD_BYTES);
	assert_int_equal(ae_gpo_last_good_parse(*state, (uint8_t *)text, strlen(text), &e, &n),
			 AE_ERR_TOO_LARGE);
	assert_int_equal(ae_gpo_last_good_parse(*state, (uint8_t *)text,
						AE_GPO_LAST_GOOD_BYTES + 1, &e, &n),
			 AE_ERR_TOO_LARGE);
	assert_null(e);
	talloc_free(text);
}

static void test_gpo_last_good_save_load(void **state)
{
	struct ae_gpo_cache_entry in[2] = {
		{ .guid = "{31b2f340-016d-11d2-945f-00c04fb984f9}", .gpc_version = 4,
		  .gpt_version = 3 },
		{ .guid = G2, .gpc_version = 1, .gpt_version = 1 },
	};
	struct ae_gpo_cache_entry bad = { .guid = "../x" };
	struct ae_gpo_cache_entry *out = NULL;
	struct ae_gpo_cache *c = NULL;
	char path[200];
	struct stat st;
	struct tree t;
	size_t n = 0;

	tree_make(&t);
	assert_int_equal(ae_gpo_cache_open(*state, t.cache, &c), AE_OK);
	assert_int_equal(ae_gpo_cache_load_last_good(*state, c, &out, &n), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_gpo_cache_save_last_good(c, in, 2), AE_OK);
	snprintf(path, sizeof(path), "%s/" AE_GPO_LAST_GOOD_NAME, t.cache);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ae_gpo_cache_load_last_good(*state, c, &out, &n), AE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].guid, G1);
	assert_int_equal(out[0].gpc_version, 4);
	assert_int_equal(out[0].gpt_version, 3);
	assert_string_equal(out[1].guid, G2);
	talloc_free(out);
	out = NULL;
	assert_int_equal(ae_gpo_cache_save_last_good(c, &bad, 1), AE_ERR_INVALID);
	assert_int_equal(ae_gpo_cache_save_last_good(c, NULL, 0), AE_OK);
	assert_int_equal(ae_gpo_cache_load_last_good(*state, c, &out, &n), AE_OK);
	assert_int_equal(n, 0);
	assert_null(out);
	assert_int_equal(entries(t.cache), 1);
	talloc_free(c);
	tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gpo_cn_path_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_gpo_cache_roundtrip, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_gpo_cache_symlink_not_followed, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_gpo_last_good_parse, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_gpo_last_good_limits, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_gpo_last_good_save_load, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
