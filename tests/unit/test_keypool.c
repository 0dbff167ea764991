/*
 * test_keypool.c: the key pool (source/request/ae_keypool.h): keys of mixed
 * types generated in worker threads come back in order and match their
 * specs; a cap of one thread; keys taken out of order; a pool freed with
 * keys not taken (and with generations under way) frees everything; a key
 * whose generation fails is reported for that key only; the shared
 * generator stops when asked.
 *
 * Leak check: talloc null tracking is on and every test's teardown requires
 * the talloc block count of before the test; the EVP_PKEYs the pool frees
 * are covered by LeakSanitizer (ASAN_OPTIONS=detect_leaks=1 in meson).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include <openssl/evp.h>
#include "ae_key.h"
#include "ae_keypool.h"

#define RSA(b) { .kind = AE_KEY_RSA, .bits = (b) }
#define EC(b) { .kind = AE_KEY_EC, .bits = (b) }

static void assert_key_is(const struct ae_key *key, const struct ae_key_spec *want)
{
	struct ae_key_spec got;

	assert_non_null(key);
	assert_non_null(key->pkey);
	assert_int_equal(ae_key_get_spec(key, &got), AE_OK);
	assert_int_equal(got.kind, want->kind);
	assert_int_equal(got.bits, want->bits);
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n >= 1 ? (unsigned)n : 1;
}

static void test_mixed_keys_in_order(void **state)
{
	static const struct ae_key_spec specs[] = {
		RSA(2048), EC(256), EC(384), RSA(2048), EC(521), EC(256),
	};
	const size_t n = sizeof(specs) / sizeof(specs[0]);
	struct ae_keypool *pool = NULL;
	struct ae_key *keys[sizeof(specs) / sizeof(specs[0])] = { NULL };
	unsigned threads, want = online_cpus();
	size_t i, j;

	assert_int_equal(ae_keypool_start(*state, specs, n, 0, &pool), AE_OK);
	threads = ae_keypool_threads(pool);
	/* min(keys, online CPUs, the cap) */
	if (want > AE_KEYPOOL_THREADS_MAX) {
		want = AE_KEYPOOL_THREADS_MAX;
	}
	assert_int_equal(threads, want < n ? want : n);
	for (i = 0; i < n; i++) {
		char *why = NULL;
		assert_int_equal(ae_keypool_take(pool, i, *state, &keys[i], &why), AE_OK);
		assert_null(why);
		assert_key_is(keys[i], &specs[i]);
		for (j = 0; j < i; j++) {
			assert_int_not_equal(EVP_PKEY_eq(keys[i]->pkey, keys[j]->pkey), 1);
		}
	}
	talloc_free(pool);
	/* the keys are the caller's: still usable after the pool is gone */
	for (i = 0; i < n; i++) {
		char *pem = NULL;
		size_t len = 0;
		assert_int_equal(ae_key_to_pem(*state, keys[i], &pem, &len), AE_OK);
		assert_true(len > 0);
		talloc_free(keys[i]);
	}
}

static void test_cap_of_one(void **state)
{
	static const struct ae_key_spec specs[] = { EC(256), RSA(2048), EC(384), EC(256) };
	const size_t n = sizeof(specs) / sizeof(specs[0]);
	struct ae_keypool *pool = NULL;
	size_t i;

	assert_int_equal(ae_keypool_start(*state, specs, n, 1, &pool), AE_OK);
	assert_int_equal(ae_keypool_threads(pool), 1);
	for (i = 0; i < n; i++) {
		struct ae_key *key = NULL;
		assert_int_equal(ae_keypool_take(pool, i, pool, &key, NULL), AE_OK);
		assert_key_is(key, &specs[i]);
	}
	talloc_free(pool);
}

static void test_one_key_one_thread(void **state)
{
	static const struct ae_key_spec specs[] = { EC(384) };
	struct ae_keypool *pool = NULL;
	struct ae_key *key = NULL;

	assert_int_equal(ae_keypool_start(*state, specs, 1, 0, &pool), AE_OK);
	assert_int_equal(ae_keypool_threads(pool), 1);
	assert_int_equal(ae_keypool_take(pool, 0, *state, &key, NULL), AE_OK);
	assert_key_is(key, &specs[0]);
	talloc_free(pool);
	talloc_free(key);
}

static void test_out_of_order_and_twice(void **state)
{
	static const struct ae_key_spec specs[] = { EC(256), EC(384), EC(521) };
	struct ae_keypool *pool = NULL;
	struct ae_key *key = NULL;
	char *why = NULL;

	assert_int_equal(ae_keypool_start(*state, specs, 3, 1, &pool), AE_OK);
	assert_int_equal(ae_keypool_take(pool, 2, pool, &key, NULL), AE_OK);
	assert_key_is(key, &specs[2]);
	assert_int_equal(ae_keypool_take(pool, 0, pool, &key, NULL), AE_OK);
	assert_key_is(key, &specs[0]);
	/* taken before, out of range: refused, nothing set */
	key = NULL;
	assert_int_equal(ae_keypool_take(pool, 2, pool, &key, &why), AE_ERR_INVALID);
	assert_int_equal(ae_keypool_take(pool, 3, pool, &key, &why), AE_ERR_INVALID);
	assert_null(key);
	assert_null(why);
	/* key 1 is never taken: the pool frees it */
	talloc_free(pool);
}

static void test_free_with_keys_not_taken(void **state)
{
	static const struct ae_key_spec specs[] = {
		RSA(2048), RSA(2048), EC(256), RSA(2048), EC(384), RSA(2048),
	};
	struct ae_keypool *pool = NULL;
	struct ae_key *key = NULL;

	assert_int_equal(ae_keypool_start(*state, specs, 6, 0, &pool), AE_OK);
	assert_int_equal(ae_keypool_take(pool, 0, *state, &key, NULL), AE_OK);
	assert_key_is(key, &specs[0]);
	/* the cycle stops early: five keys ready, under way or not started */
	talloc_free(pool);
	assert_key_is(key, &specs[0]);
	talloc_free(key);
}

static void test_free_at_once(void **state)
{
	static const struct ae_key_spec specs[] = { RSA(4096), RSA(4096), RSA(4096), RSA(4096) };
	struct ae_keypool *pool = NULL;

	/* freed while the first generations run: abandoned, joined, freed */
	assert_int_equal(ae_keypool_start(*state, specs, 4, 0, &pool), AE_OK);
	talloc_free(pool);
	/* freed with its parent */
	assert_int_equal(ae_keypool_start(*state, specs, 4, 2, &pool), AE_OK);
}

static void test_one_key_fails(void **state)
{
	static const struct ae_key_spec specs[] = { EC(256), RSA(1000), EC(384), EC(200) };
	struct ae_keypool *pool = NULL;
	struct ae_key *key = NULL;
	char *why = NULL;

	assert_int_equal(ae_keypool_start(*state, specs, 4, 0, &pool), AE_OK);
	assert_int_equal(ae_keypool_take(pool, 0, pool, &key, &why), AE_OK);
	assert_key_is(key, &specs[0]);
	key = NULL;
	assert_int_equal(ae_keypool_take(pool, 1, pool, &key, &why), AE_ERR_INVALID);
	assert_null(key);
	assert_non_null(why);
	assert_non_null(strstr(why, "invalid key spec"));
	assert_int_equal(ae_keypool_take(pool, 2, pool, &key, NULL), AE_OK);
	assert_key_is(key, &specs[2]);
	key = NULL;
	assert_int_equal(ae_keypool_take(pool, 3, pool, &key, NULL), AE_ERR_INVALID);
	assert_null(key);
	talloc_free(pool);
}

static void test_start_refused(void **state)
{
	static const struct ae_key_spec specs[] = { EC(256) };
	struct ae_keypool *pool = NULL;

	assert_int_equal(ae_keypool_start(*state, specs, 0, 0, &pool), AE_ERR_INVALID);
	assert_int_equal(ae_keypool_start(*state, NULL, 1, 0, &pool), AE_ERR_INVALID);
	assert_int_equal(ae_keypool_start(*state, specs, AE_KEYPOOL_KEYS_MAX + 1, 0, &pool),
			 AE_ERR_INVALID);
	assert_null(pool);
	assert_int_equal(ae_keypool_take(NULL, 0, *state, NULL, NULL), AE_ERR_INVALID);
}

static bool stop_after(void *arg)
{
	unsigned *calls = arg;

	return ++*calls > 3;
}

static void test_generator_stops(void **state)
{
	static const struct ae_key_spec rsa = RSA(4096), ec = EC(256);
	EVP_PKEY *pkey = NULL;
	unsigned calls = 0;

	(void)state;
	/* RSA: abandoned once stop() says so (OpenSSL may report a few more
	 * steps on its way out), nothing returned */
	assert_int_equal(ae_key_generate_evp(&rsa, stop_after, &calls, &pkey), AE_ERR_CRYPTO);
	assert_null(pkey);
	assert_true(calls >= 4);
	assert_true(calls < 100);
	/* without stop */
	assert_int_equal(ae_key_generate_evp(&ec, NULL, NULL, &pkey), AE_OK);
	assert_non_null(pkey);
	EVP_PKEY_free(pkey);
	pkey = NULL;
	assert_int_equal(ae_key_generate_evp(&(struct ae_key_spec) RSA(1000), NULL, NULL, &pkey),
			 AE_ERR_INVALID);
	assert_null(pkey);
}

int main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mixed_keys_in_order, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_cap_of_one, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_one_key_one_thread, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_and_twice, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_free_with_keys_not_taken, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_free_at_once, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_one_key_fails, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_start_refused, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_generator_stops, leak_setup, leak_teardown),
	};

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
