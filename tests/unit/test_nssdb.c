/*
 * test_nssdb.c: the store's pairs in a user's shared NSS database
 * (source/deploy/ae_nssdb*.c) against real temporary sql: databases, read
 * back with NSS (ae_nssdb_list) and with NSS's own tools (certutil -L,
 * certutil -K), in the same process as OpenSSL (the pairs are made with
 * it) and with NSS initialised and shut down again for every call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
#include <nss.h>
#include "ae_nssdb.h"

/* A pair as the store would hand it over: DER certificate, PKCS#8 DER key. */
struct pair {
	uint8_t *cert;
	size_t cert_len;
	uint8_t *key;
	size_t key_len;
};

static struct pair make_pair(TALLOC_CTX *mem, const char *cn, bool rsa, long serial)
{
	struct ae_key *k = talloc_steal(mem, pki_key(rsa));
	struct ae_cert *c = pki_cert(mem, cn, k, NULL, NULL, serial, 30, NULL);
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
	unsigned char *der = NULL;
	int len;
	struct pair p = { 0 };

	assert_non_null(p8);
	len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	assert_true(len > 0);
	p.key = talloc_memdup(mem, der, (size_t)len);
	p.key_len = (size_t)len;
	OPENSSL_clear_free(der, (size_t)len);
	assert_int_equal(ae_cert_to_der(mem, c, &p.cert, &p.cert_len), AE_OK);
	return p;
}

static struct ae_nssdb_entry entry(const char *name, const struct pair *p)
{
	struct ae_nssdb_entry e = { .name = name };

	if (p != NULL) {
		e.cert_der = p->cert;
		e.cert_len = p->cert_len;
		e.key_der = p->key;
		e.key_len = p->key_len;
	}
	return e;
}

static ae_err sync1(const char *dir, const struct ae_nssdb_entry *e, size_t n,
		    struct ae_nssdb_result *r)
{
	char why[512] = "";
	ae_err err = ae_nssdb_sync(dir, e, n, r, why, sizeof(why));

	if (err != AE_OK) {
		print_message("sync: %s\n", why);
	}
	/* NSS's own context: nothing of NSS stays initialised in the process */
	assert_false(NSS_IsInitialized());
	return err;
}

/* The certificates of the database; *_keys the number of private keys. */
static struct ae_nssdb_cert *list(TALLOC_CTX *mem, const char *dir, size_t *_n, size_t *_keys)
{
	struct ae_nssdb_cert *v = NULL;
	char why[512] = "";

	assert_int_equal(ae_nssdb_list(mem, dir, &v, _n, _keys, why, sizeof(why)), AE_OK);
	assert_false(NSS_IsInitialized());
	return v;
}

static const struct ae_nssdb_cert *find(const struct ae_nssdb_cert *v, size_t n,
					const char *nick)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].nickname, nick) == 0) {
			return &v[i];
		}
	}
	return NULL;
}

/* The output of a shell command (NSS's own tools on a scratch database). */
static char *run(TALLOC_CTX *mem, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *run(TALLOC_CTX *mem, const char *fmt, ...)
{
	char cmd[1024], buf[4096];
	char *out = talloc_strdup(mem, "");
	va_list ap;
	FILE *f;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
		buf[n] = '\0';
		out = talloc_strdup_append(out, buf);
	}
	assert_int_equal(pclose(f), 0);
	return out;
}

static char *db_dir(TALLOC_CTX *mem, const char *what)
{
	char *d = scratch_dir(mem, what);

	assert_int_equal(chmod(d, 0700), 0);
	return d;
}

static void test_create_import_list(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = db_dir(mem, "nss-create");
	struct pair a = make_pair(mem, "alice", true, 1);
	struct ae_nssdb_entry e = entry("LabUser", &a);
	struct ae_nssdb_result r;
	struct ae_nssdb_cert *v;
	size_t n = 0, keys = 0;
	char *out;

	assert_int_equal(sync1(dir, &e, 1, &r), AE_OK);
	assert_true(r.created);
	assert_true(r.changed);
	assert_int_equal(r.added, 1);
	v = list(mem, dir, &n, &keys);
	assert_int_equal(n, 1);
	assert_int_equal(keys, 1);
	assert_string_equal(v[0].nickname, "LabUser (autoenroll)");
	assert_true(v[0].ours);
	assert_true(v[0].has_key);
	assert_int_equal(v[0].der_len, a.cert_len);
	assert_memory_equal(v[0].der, a.cert, a.cert_len);
	/* NSS's own tools see the same: a user certificate (u) and its key */
	out = run(mem, "certutil -L -d sql:%s", dir);
	assert_non_null(strstr(out, "LabUser (autoenroll)"));
	assert_non_null(strstr(out, "u,u,u"));
	out = run(mem, "certutil -K -d sql:%s", dir);
	assert_non_null(strstr(out, "rsa"));
	assert_non_null(strstr(out, "LabUser (autoenroll)"));
	rm_rf(dir);
}

static void test_renewal_leaves_only_the_new_pair(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = db_dir(mem, "nss-renew");
	struct pair a1 = make_pair(mem, "alice", true, 1), a2 = make_pair(mem, "alice", true, 2);
	/* another template's certificate with the same subject (NSS groups those) */
	struct pair r = make_pair(mem, "alice", true, 3);
	struct ae_nssdb_entry e[2] = { entry("LabUser", &a1), entry("LabUserRoaming", &r) };
	struct ae_nssdb_result res;
	const struct ae_nssdb_cert *c;
	struct ae_nssdb_cert *v;
	size_t n = 0, keys = 0;
	char *out;

	assert_int_equal(sync1(dir, e, 2, &res), AE_OK);
	e[0] = entry("LabUser", &a2);
	assert_int_equal(sync1(dir, e, 2, &res), AE_OK);
	assert_int_equal(res.added, 1);
	assert_int_equal(res.kept, 1);
	assert_int_equal(res.removed, 1);
	assert_int_equal(res.removed_keys, 1);
	v = list(mem, dir, &n, &keys);
	assert_int_equal(n, 2);
	assert_int_equal(keys, 2);
	c = find(v, n, "LabUser (autoenroll)");
	assert_non_null(c);
	assert_int_equal(c->der_len, a2.cert_len);
	assert_memory_equal(c->der, a2.cert, a2.cert_len);
	assert_true(c->has_key);
	c = find(v, n, "LabUserRoaming (autoenroll)");
	assert_non_null(c);
	assert_int_equal(c->der_len, r.cert_len);
	assert_memory_equal(c->der, r.cert, r.cert_len);
	assert_true(c->has_key);
	out = run(mem, "certutil -K -d sql:%s | grep -c '^<'", dir);
	assert_string_equal(out, "2\n");
	out = run(mem, "certutil -L -d sql:%s | grep -c 'LabUser (autoenroll)'", dir);
	assert_string_equal(out, "1\n");
	rm_rf(dir);
}

static void test_removed_from_store_removed_from_db(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = db_dir(mem, "nss-remove");
	struct pair a = make_pair(mem, "alice", true, 1), b = make_pair(mem, "alice", false, 2);
	struct ae_nssdb_entry e[2] = { entry("LabUser", &a), entry("LabUserEC", &b) };
	struct ae_nssdb_result r;
	size_t n = 0, keys = 0;

	assert_int_equal(sync1(dir, e, 2, &r), AE_OK);
	assert_int_equal(r.added, 2);
	(void)list(mem, dir, &n, &keys);
	assert_int_equal(n, 2);
	assert_int_equal(keys, 2);
	/* LabUser: the store has no certificate any more; LabUserEC: not in the store at all */
	e[0] = entry("LabUser", NULL);
	assert_int_equal(sync1(dir, e, 1, &r), AE_OK);
	assert_int_equal(r.removed, 2);
	assert_int_equal(r.removed_keys, 2);
	(void)list(mem, dir, &n, &keys);
	assert_int_equal(n, 0);
	assert_int_equal(keys, 0);
	assert_null(strstr(run(mem, "certutil -L -d sql:%s", dir), "(autoenroll)"));
	rm_rf(dir);
}

/* a certificate and key somebody else put there, and one under our nickname's template unknown */
static void test_foreign_and_unknown_untouched(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = db_dir(mem, "nss-foreign");
	struct pair a = make_pair(mem, "alice", true, 1), c = make_pair(mem, "carol", true, 3);
	struct ae_nssdb_entry e[2] = { entry("LabUser", &a), entry("Other", &c) };
	struct ae_nssdb_result r;
	const struct ae_nssdb_cert *f;
	struct ae_nssdb_cert *v;
	size_t n = 0, keys = 0;

	assert_int_equal(sync1(dir, e, 2, &r), AE_OK);
	/* certutil -S: a self-signed certificate with a key of its own, nickname "Foreign" */
	(void)run(mem, "head -c 64 /dev/urandom > %s/noise", dir);
	(void)run(mem, "d=%1$s; certutil -S -d sql:$d -n Foreign -s CN=foreign -x -t ,, -k rsa "
		  "-g 2048 -z $d/noise >/dev/null 2>&1 </dev/null", dir);
	v = list(mem, dir, &n, &keys);
	assert_int_equal(n, 3);
	assert_int_equal(keys, 3);
	/* Other's files could not be read this time; LabUser is gone from the store */
	e[0] = entry("LabUser", NULL);
	e[1] = entry("Other", NULL);
	e[1].unknown = true;
	assert_int_equal(sync1(dir, e, 2, &r), AE_OK);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.removed_keys, 1);
	v = list(mem, dir, &n, &keys);
	assert_int_equal(n, 2);
	assert_int_equal(keys, 2);
	f = find(v, n, "Foreign");
	assert_non_null(f);
	assert_false(f->ours);
	assert_true(f->has_key);
	assert_non_null(find(v, n, "Other (autoenroll)"));
	/* nothing of ours at all: the foreign pair stays */
	assert_int_equal(sync1(dir, NULL, 0, &r), AE_OK);
	v = list(mem, dir, &n, &keys);
	assert_int_equal(n, 1);
	assert_int_equal(keys, 1);
	assert_non_null(find(v, n, "Foreign"));
	assert_non_null(strstr(run(mem, "certutil -K -d sql:%s", dir), "Foreign"));
	rm_rf(dir);
}

/*
 * The user imported our certificate himself under a name of his own: it is
 * not imported again (NSS would keep his name, and every sync would do it
 * again), its key is added so that it is usable, and a second sync is a
 * no-op; nothing of his goes when the store renews.
 */
static void test_our_certificate_imported_by_the_user(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = db_dir(mem, "nss-usercopy");
	struct pair a = make_pair(mem, "alice", true, 1), a2 = make_pair(mem, "alice", true, 2);
	struct ae_nssdb_entry e = entry("LabUser", &a);
	struct ae_nssdb_result r;
	char *der = talloc_asprintf(mem, "%s/a.der", dir);
	FILE *f = fopen(der, "w");
	const struct ae_nssdb_cert *c;
	struct ae_nssdb_cert *v;
	size_t n = 0, keys = 0;

	assert_non_null(f);
	assert_int_equal(fwrite(a.cert, 1, a.cert_len, f), a.cert_len);
	fclose(f);
	(void)run(mem, "d=%1$s; certutil -N -d sql:$d --empty-password && certutil -A -d sql:$d "
		  "-n Mine -t ,, -i $d/a.der", dir);
	assert_int_equal(sync1(dir, &e, 1, &r), AE_OK);
	assert_true(r.changed);
	assert_int_equal(sync1(dir, &e, 1, &r), AE_OK);
	assert_false(r.changed);
	assert_int_equal(r.kept, 1);
	v = list(mem, dir, &n, &keys);
	assert_int_equal(n, 1);
	assert_int_equal(keys, 1);
	assert_string_equal(v[0].nickname, "Mine");
	assert_true(v[0].has_key);
	/* the renewal adds ours; his certificate and the key it uses stay */
	e = entry("LabUser", &a2);
	assert_int_equal(sync1(dir, &e, 1, &r), AE_OK);
	v = list(mem, dir, &n, &keys);
	assert_int_equal(n, 2);
	assert_int_equal(keys, 2);
	c = find(v, n, "Mine");
	assert_non_null(c);
	assert_true(c->has_key);
	c = find(v, n, "LabUser (autoenroll)");
	assert_non_null(c);
	assert_memory_equal(c->der, a2.cert, a2.cert_len);
	rm_rf(dir);
}

struct fstate {
	struct stat cert, key;
	char *cert_data, *key_data;
};

static void fstate_get(TALLOC_CTX *mem, const char *dir, struct fstate *s)
{
	char *c = talloc_asprintf(mem, "%s/cert9.db", dir), *k = talloc_asprintf(mem,
										"%s/key4.db", dir);

	assert_int_equal(stat(c, &s->cert), 0);
	assert_int_equal(stat(k, &s->key), 0);
	s->cert_data = slurp(mem, c);
	s->key_data = slurp(mem, k);
}

static void test_second_sync_writes_nothing(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = db_dir(mem, "nss-noop");
	struct pair a = make_pair(mem, "alice", true, 1), b = make_pair(mem, "alice", false, 2);
	struct ae_nssdb_entry e[2] = { entry("LabUser", &a), entry("LabUserEC", &b) };
	struct ae_nssdb_result r;
	struct fstate s1, s2;

	assert_int_equal(sync1(dir, e, 2, &r), AE_OK);
	fstate_get(mem, dir, &s1);
	assert_int_equal(sync1(dir, e, 2, &r), AE_OK);
	assert_false(r.changed);
	assert_false(r.created);
	assert_int_equal(r.kept, 2);
	assert_int_equal(r.added + r.removed + r.removed_keys, 0);
	fstate_get(mem, dir, &s2);
	assert_int_equal(s1.cert.st_mtim.tv_sec, s2.cert.st_mtim.tv_sec);
	assert_int_equal(s1.cert.st_mtim.tv_nsec, s2.cert.st_mtim.tv_nsec);
	assert_int_equal(s1.key.st_mtim.tv_sec, s2.key.st_mtim.tv_sec);
	assert_int_equal(s1.key.st_mtim.tv_nsec, s2.key.st_mtim.tv_nsec);
	assert_int_equal(s1.cert.st_size, s2.cert.st_size);
	assert_int_equal(s1.key.st_size, s2.key.st_size);
	assert_memory_equal(s1.cert_data, s2.cert_data, (size_t)s1.cert.st_size);
	assert_memory_equal(s1.key_data, s2.key_data, (size_t)s1.key.st_size);
	rm_rf(dir);
}

static void key_of_another_certificate_refused(TALLOC_CTX *mem, bool rsa)
{
	char *dir = db_dir(mem, "nss-mismatch");
	struct pair a = make_pair(mem, "alice", rsa, 1), b = make_pair(mem, "bob", rsa, 2);
	struct ae_nssdb_entry e = entry("LabUser", &a);
	struct ae_nssdb_result r;
	char why[512] = "";
	size_t n = 0, keys = 0;

	e.key_der = b.key;
	e.key_len = b.key_len;
	assert_int_equal(ae_nssdb_sync(dir, &e, 1, &r, why, sizeof(why)), AE_ERR_MISMATCH);
	assert_false(NSS_IsInitialized());
	assert_non_null(strstr(why, "LabUser"));
	assert_non_null(strstr(why, dir));
	(void)list(mem, dir, &n, &keys);
	assert_int_equal(n, 0);
	assert_int_equal(keys, 0);
	rm_rf(dir);
}

static void test_key_of_another_certificate_refused(void **state)
{
	key_of_another_certificate_refused(*state, true);
	key_of_another_certificate_refused(*state, false);
}

static void test_password_protected_db_skipped(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = db_dir(mem, "nss-pw");
	struct pair a = make_pair(mem, "alice", true, 1);
	struct ae_nssdb_entry e = entry("LabUser", &a);
	struct ae_nssdb_result r;
	struct fstate s1, s2;
	char why[512] = "";

	(void)run(mem, "d=%1$s; echo secret-pw > $d/pw && certutil -N -d sql:$d -f $d/pw", dir);
	fstate_get(mem, dir, &s1);
	assert_int_equal(ae_nssdb_sync(dir, &e, 1, &r, why, sizeof(why)), AE_ERR_CREDENTIALS);
	assert_false(NSS_IsInitialized());
	assert_non_null(strstr(why, "password"));
	assert_non_null(strstr(why, dir));
	assert_false(r.changed);
	fstate_get(mem, dir, &s2);
	assert_int_equal(s1.key.st_mtim.tv_nsec, s2.key.st_mtim.tv_nsec);
	assert_int_equal(s1.cert.st_mtim.tv_nsec, s2.cert.st_mtim.tv_nsec);
	assert_null(strstr(run(mem, "certutil -L -d sql:%s", dir), "autoenroll"));
	rm_rf(dir);
}

static void test_user_dir_choice(void **state)
{
	TALLOC_CTX *mem = *state;
	char *home = db_dir(mem, "nss-home"), *dir = NULL, *p;
	char why[512] = "";
	struct stat st;

	/* nothing there and not asked to create: none */
	assert_int_equal(ae_nssdb_user_dir(mem, home, false, &dir, why, sizeof(why)),
			 AE_ERR_NOT_FOUND);
	/* the XDG place, created 0700 */
	assert_int_equal(ae_nssdb_user_dir(mem, home, true, &dir, why, sizeof(why)), AE_OK);
	assert_string_equal(dir, talloc_asprintf(mem, "%s/.local/share/pki/nssdb", home));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* ~/.pki/nssdb wins where it exists */
	p = talloc_asprintf(mem, "%s/.pki", home);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(mkdir(talloc_asprintf(mem, "%s/nssdb", p), 0700), 0);
	assert_int_equal(ae_nssdb_user_dir(mem, home, true, &dir, why, sizeof(why)), AE_OK);
	assert_string_equal(dir, talloc_asprintf(mem, "%s/.pki/nssdb", home));
	rm_rf(home);
	/* a symbolic link on the way is not followed */
	home = db_dir(mem, "nss-home2");
	assert_int_equal(symlink("/tmp", talloc_asprintf(mem, "%s/.local", home)), 0);
	assert_int_equal(ae_nssdb_user_dir(mem, home, true, &dir, why, sizeof(why)), AE_ERR_IO);
	assert_non_null(strstr(why, ".local"));
	/* a path NSS could not be given in its module spec */
	assert_int_equal(ae_nssdb_user_dir(mem, "/tmp/it's", true, &dir, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(ae_nssdb_user_dir(mem, "relative", true, &dir, why, sizeof(why)),
			 AE_ERR_INVALID);
	rm_rf(home);
}

static void test_nicknames(void **state)
{
	TALLOC_CTX *mem = *state;

	assert_string_equal(ae_nssdb_nickname(mem, "LabUser"), "LabUser (autoenroll)");
	assert_string_equal(ae_nssdb_nickname(mem, "a:b"), "a_b (autoenroll)");
	assert_null(ae_nssdb_nickname(mem, "a\nb"));
	assert_null(ae_nssdb_nickname(mem, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_import_list, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_renewal_leaves_only_the_new_pair, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_removed_from_store_removed_from_db, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_and_unknown_untouched, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_second_sync_writes_nothing, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_of_another_certificate_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_password_protected_db_skipped, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_user_dir_choice, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_nicknames, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_our_certificate_imported_by_the_user, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
