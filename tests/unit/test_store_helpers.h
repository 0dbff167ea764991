/*
 * test_store_helpers.h: scratch stores and fake pairs for the store tests
 * (test_store_txn.c, test_store_crash.c). A "pair" of generation n is the
 * key "KEY <n>", the certificate "CRT <n>" and the chain "CHAIN <n>"; the
 * store never parses them, so a key belongs to a certificate exactly when
 * the numbers agree. Its serial is n in hex.
 */
#ifndef TEST_STORE_HELPERS_H
#define TEST_STORE_HELPERS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_store.h"
#include "ae_file.h"

static inline char *scratch_dir(TALLOC_CTX *mem, const char *what)
{
	char *tmpl = talloc_asprintf(mem, "/tmp/ae-test-%s-XXXXXX", what);
	char *d = tmpl ? mkdtemp(tmpl) : NULL;

	assert_non_null(d);
	return d;
}

static inline void rm_rf(const char *dir)
{
	char cmd[512];

	assert_true(strncmp(dir, "/tmp/ae-test-", 13) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static inline struct ae_store *open_locked(TALLOC_CTX *mem, const char *dir)
{
	struct ae_store *s = NULL;
	struct ae_store_lock *l = NULL;

	assert_int_equal(ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0), AE_OK);
	assert_int_equal(ae_store_lock(s, true, &l), AE_OK);
	return s;
}

/* The content of a file (NUL-terminated) or NULL when it is absent. */
static inline char *slurp(TALLOC_CTX *mem, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err = ae_file_read(mem, path, 1 << 20, &data, &len);

	if (err == AE_ERR_NOT_FOUND) {
		return NULL;
	}
	assert_int_equal(err, AE_OK);
	return (char *)data;
}

static inline char *tfile(TALLOC_CTX *mem, const struct ae_store *s, const char *t,
			  const char *sfx)
{
	return slurp(mem, ae_store_path(mem, s, t, sfx));
}

static inline bool tpresent(TALLOC_CTX *mem, const struct ae_store *s, const char *t,
			    const char *sfx)
{
	return ae_file_exists(ae_store_path(mem, s, t, sfx)) != 0;
}

static inline char *fake(TALLOC_CTX *mem, const char *kind, unsigned n)
{
	return talloc_asprintf(mem, "%s %u\n", kind, n);
}

/* The generation in a fake file, or -1 (absent), -2 (not of that kind). */
static inline long gen_of(const char *text, const char *kind)
{
	unsigned n = 0;
	char k[16];

	if (text == NULL) {
		return -1;
	}
	if (sscanf(text, "%15s %u", k, &n) != 2 || strcmp(k, kind) != 0) {
		return -2;
	}
	return (long)n;
}

static inline struct ae_store_certinfo fake_info(TALLOC_CTX *mem, unsigned n)
{
	struct ae_store_certinfo ci = { 0 };

	ci.serial_hex = talloc_asprintf(mem, "%X", n);
	ci.thumbprint_hex = talloc_asprintf(mem, "%040X", n);
	ci.issuer = talloc_strdup(mem, "CN=LAB-CA, DC=lab, DC=example");
	ci.template_oid = talloc_strdup(mem, "1.3.6.1.4.1.311.21.8.1.2");
	ci.major = 100;
	ci.minor = 2;
	ci.has_major = true;
	ci.not_before = 1700000000;
	ci.not_after = 1700000000 + 365 * 86400;
	return ci;
}

/* begin + commit of generation n (kind ENROLLING or RENEWING) */
static inline void install_gen(TALLOC_CTX *mem, const struct ae_store *s, const char *t,
			       enum ae_cert_state kind, unsigned n)
{
	struct ae_store_certinfo ci = fake_info(mem, n);
	char *key = fake(mem, "KEY", n), *crt = fake(mem, "CRT", n), *chain = fake(mem, "CHAIN", n);

	assert_int_equal(ae_store_begin(s, t, kind, key, strlen(key)), AE_OK);
	assert_int_equal(ae_store_commit(s, t, crt, strlen(crt), chain, strlen(chain), &ci), AE_OK);
}

#endif
