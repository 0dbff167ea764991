/*
 * test_cycle_nssdb.c: the last step of a user cycle with
 * `autoenroll:user nssdb = yes` (ae_cycle_nssdb.c): the store's pairs, as
 * the store's transitions leave them (commit, renewal, remove), in the
 * NSS database under a scratch home, read back with NSS; the report items;
 * nothing in the machine context, without the option, or as root.
 *
 * The cycle context is built by hand (as in test_cycle_act.c): a scratch
 * locked store, a session with only what this step reads.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
#include "ae_config.h"
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_cycle_nssdb.h"
#include "ae_nssdb.h"
#include "ae_session.h"
#include "ae_store.h"
#include "ae_userid.h"

#define T "LabUser"

struct fix {
	char *store_dir, *home, *db;
	struct ae_store *st;
	struct ae_config config;
	struct ae_session s;
	struct ae_cycle_ctx c;
};

static void setup(TALLOC_CTX *mem, struct fix *f)
{
	memset(f, 0, sizeof(*f));
	f->store_dir = scratch_dir(mem, "cnss-store");
	f->home = scratch_dir(mem, "cnss-home");
	f->db = talloc_asprintf(mem, "%s/.local/share/pki/nssdb", f->home);
	f->st = open_locked(mem, f->store_dir);
	f->config.user_nssdb = true;
	f->s.config = &f->config;
	f->s.context = AE_CONTEXT_USER;
	f->s.sam_account_name = talloc_strdup(mem, "alice");
	f->c.s = &f->s;
	f->c.store = f->st;
	f->c.r = talloc_zero(mem, struct ae_cycle_report);
	f->c.mem = talloc_new(f->c.r);
	assert_non_null(f->c.mem);
}

static void teardown(struct fix *f)
{
	rm_rf(f->store_dir);
	rm_rf(f->home);
}

/* A real pair committed as template t through the store's transitions; its DER certificate. */
static uint8_t *commit_pair(TALLOC_CTX *mem, const struct ae_store *s, const char *t,
			    long serial, size_t *_len)
{
	struct ae_key *key = talloc_steal(mem, pki_key(false));
	struct ae_cert *cert = pki_cert(mem, "alice", key, NULL, NULL, serial, 30, NULL);
	struct ae_store_certinfo ci = { 0 };
	char *kpem = NULL, *cpem = NULL;
	size_t klen = 0, clen = 0;
	uint8_t *der = NULL;

	assert_int_equal(ae_key_to_pem(mem, key, &kpem, &klen), AE_OK);
	assert_int_equal(ae_cert_to_pem(mem, cert, &cpem, &clen), AE_OK);
	assert_int_equal(ae_cert_serial_hex(mem, cert, &ci.serial_hex), AE_OK);
	assert_int_equal(ae_cert_thumbprint_hex(mem, cert, &ci.thumbprint_hex), AE_OK);
	assert_int_equal(ae_cert_not_before(cert, &ci.not_before), AE_OK);
	assert_int_equal(ae_cert_not_after(cert, &ci.not_after), AE_OK);
	ci.ca = talloc_strdup(mem, "LAB-CA");
	ci.template_oid = talloc_strdup(mem, "1.3.6.1.4.1.311.21.8.1.2");
	assert_int_equal(ae_store_begin(s, t, AE_CERT_ENROLLING, kpem, klen), AE_OK);
	assert_int_equal(ae_store_commit(s, t, cpem, clen, "", 0, &ci), AE_OK);
	assert_int_equal(ae_cert_to_der(mem, cert, &der, _len), AE_OK);
	return der;
}

static struct ae_nssdb_cert *db_list(TALLOC_CTX *mem, const char *db, size_t *_n,
				     size_t *_keys)
{
	struct ae_nssdb_cert *v = NULL;
	char why[512] = "";

	assert_int_equal(ae_nssdb_list(mem, db, &v, _n, _keys, why, sizeof(why)), AE_OK);
	return v;
}

static const struct ae_cycle_item *last_item(const struct fix *f)
{
	assert_true(f->c.r->num_items > 0);
	return &f->c.r->items[f->c.r->num_items - 1];
}

static void test_pair_renewal_noop_remove(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fix f;
	struct ae_nssdb_cert *v;
	uint8_t *der1, *der2;
	size_t len1 = 0, len2 = 0, n = 0, keys = 0, items;
	struct stat s1, s2;
	char *key4;

	setup(mem, &f);
	der1 = commit_pair(mem, f.st, T, 1, &len1);
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_OK);
	assert_string_equal(last_item(&f)->template_name, AE_NSSDB_ITEM);
	assert_string_equal(last_item(&f)->result, "done");
	assert_non_null(strstr(last_item(&f)->reason, f.db));
	assert_int_equal(last_item(&f)->outcome, AE_OUTCOME_ISSUED);
	v = db_list(mem, f.db, &n, &keys);
	assert_int_equal(n, 1);
	assert_int_equal(keys, 1);
	assert_string_equal(v[0].nickname, T " (autoenroll)");
	assert_true(v[0].has_key);
	assert_memory_equal(v[0].der, der1, len1);

	/* the renewal's commit archives the old pair: only the new one in the database */
	der2 = commit_pair(mem, f.st, T, 2, &len2);
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_OK);
	v = db_list(mem, f.db, &n, &keys);
	assert_int_equal(n, 1);
	assert_int_equal(keys, 1);
	assert_memory_equal(v[0].der, der2, len2);

	/* a cycle with nothing new: no report line, the database not written */
	key4 = talloc_asprintf(mem, "%s/key4.db", f.db);
	assert_int_equal(stat(key4, &s1), 0);
	items = f.c.r->num_items;
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_OK);
	assert_int_equal(f.c.r->num_items, items);
	assert_int_equal(stat(key4, &s2), 0);
	assert_int_equal(s1.st_mtim.tv_sec, s2.st_mtim.tv_sec);
	assert_int_equal(s1.st_mtim.tv_nsec, s2.st_mtim.tv_nsec);

	/* the store removes it: the database holds nothing of ours */
	assert_int_equal(ae_store_remove(f.st, T, "test"), AE_OK);
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_OK);
	assert_string_equal(last_item(&f)->result, "done");
	(void)db_list(mem, f.db, &n, &keys);
	assert_int_equal(n, 0);
	assert_int_equal(keys, 0);
	teardown(&f);
}

/* a certificate file that cannot be read this time: what the database holds for it stays */
static void test_unreadable_pair_left_alone(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fix f;
	struct ae_nssdb_cert *v;
	uint8_t *der;
	size_t len = 0, n = 0, keys = 0;
	int fd;

	setup(mem, &f);
	der = commit_pair(mem, f.st, T, 1, &len);
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_OK);
	fd = openat(f.st->fd, T ".crt", O_WRONLY | O_TRUNC | O_NOFOLLOW);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "-----BEGIN CERT", 15), 15);
	close(fd);
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_OK);
	v = db_list(mem, f.db, &n, &keys);
	assert_int_equal(n, 1);
	assert_int_equal(keys, 1);
	assert_memory_equal(v[0].der, der, len);
	teardown(&f);
}

/* a failure is a warning naming the database and the cause; the store is untouched */
static void test_password_db_is_a_warning(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fix f;
	const struct ae_cycle_item *it;
	struct ae_store_snapshot *snap = NULL;
	size_t len = 0;
	char cmd[1024];

	setup(mem, &f);
	(void)commit_pair(mem, f.st, T, 1, &len);
	snprintf(cmd, sizeof(cmd), "mkdir -p %1$s && echo pw-secret > %1$s/../pw && certutil -N "
		 "-d sql:%1$s -f %1$s/../pw", f.db);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_ERR_CREDENTIALS);
	it = last_item(&f);
	assert_string_equal(it->result, "warned");
	assert_int_equal(it->outcome, AE_OUTCOME_ISSUED);
	assert_non_null(strstr(it->reason, f.db));
	assert_non_null(strstr(it->reason, "password"));
	assert_int_equal(ae_store_snapshot(mem, f.st, &snap), AE_OK);
	assert_int_equal(snap->num_certs, 1);
	assert_int_equal(snap->certs[0].state, AE_CERT_ISSUED);
	assert_non_null(snap->certs[0].cert_path);
	teardown(&f);
}

/* nothing in the store and no database: nothing is created in the home directory */
static void test_empty_store_creates_nothing(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fix f;
	struct stat st;

	setup(mem, &f);
	assert_int_equal(ae_cycle_nssdb_sync(&f.c, f.home), AE_OK);
	assert_int_equal(f.c.r->num_items, 0);
	assert_int_not_equal(stat(talloc_asprintf(mem, "%s/.local", f.home), &st), 0);
	teardown(&f);
}

/* the machine context, the option off, or a user cycle still running as root: nothing */
static void test_only_user_context_with_option_as_the_user(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_user_id u = { .name = (char *)"alice" };
	struct fix f;
	struct stat st;
	size_t len = 0;

	setup(mem, &f);
	(void)commit_pair(mem, f.st, T, 1, &len);
	f.s.context = AE_CONTEXT_MACHINE;
	ae_cycle_nssdb(&f.c);
	assert_int_equal(f.c.r->num_items, 0);
	f.s.context = AE_CONTEXT_USER;
	f.config.user_nssdb = false;
	ae_cycle_nssdb(&f.c);
	assert_int_equal(f.c.r->num_items, 0);
	f.config.user_nssdb = true;
	if (geteuid() == 0) {
		ae_cycle_nssdb(&f.c);
		assert_int_equal(f.c.r->num_items, 1);
		assert_string_equal(last_item(&f)->result, "warned");
		assert_non_null(strstr(last_item(&f)->reason, "uid 0, not as the user"));
		assert_non_null(strstr(last_item(&f)->reason, "alice"));
	}
	/* the session's user is somebody else than the process */
	f.s.user = &u;
	u.uid = geteuid() + 4242;
	u.home = f.home;
	ae_cycle_nssdb(&f.c);
	assert_string_equal(last_item(&f)->result, "warned");
	assert_non_null(strstr(last_item(&f)->reason, "not as the user"));
	assert_int_not_equal(stat(talloc_asprintf(mem, "%s/.local", f.home), &st), 0);
	teardown(&f);
}

static void test_key_der_is_pkcs8(void **state)
{
	struct ae_key *k = talloc_steal(*state, pki_key(false));
	const unsigned char *p;
	PKCS8_PRIV_KEY_INFO *p8;
	uint8_t *der = NULL;
	size_t len = 0;

	assert_int_equal(ae_cycle_nssdb_key_der(*state, k, &der, &len), AE_OK);
	p = der;
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	assert_non_null(p8);
	assert_ptr_equal(p, der + len);
	PKCS8_PRIV_KEY_INFO_free(p8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pair_renewal_noop_remove, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_pair_left_alone, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_password_db_is_a_warning, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_empty_store_creates_nothing, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_only_user_context_with_option_as_the_user,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_der_is_pkcs8, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
