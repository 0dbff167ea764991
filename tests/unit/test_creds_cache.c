/*
 * test_creds_cache.c: the machine's kept ticket cache (transport/
 * ae_creds_cache.h): the reuse decision (pure), reading a ccache written
 * with MIT krb5 (no KDC: a credential stored by hand), caches that are not
 * read at all (corrupt, a link, another mode), the machine password from a
 * secrets.tdb made here, and the TCP-only krb5 profile.
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
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include <tdb.h>
#include <krb5/krb5.h>
#include "leak_check.h"
#include "ae_creds_cache.h"
#include "ae_log.h"

#define P "MEMBER1$@LAB.EXAMPLE.COM"
#define NOW ((int64_t)1800000000)

static void test_decide(void **state)
{
	struct ae_ccache_info i = { .principal = P, .has_tgt = true, .tgt_end = NOW + 3600 };

	(void)state;
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_REUSE);
	/* AD compares principals without case */
	assert_int_equal(ae_ccache_decide("member1$@lab.example.com", &i, NOW, 600),
			 AE_CCACHE_REUSE);
	i.tgt_end = NOW + 601;
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_REUSE);
	i.tgt_end = NOW + 600;	/* exactly the margin: renew */
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_RENEW_EXPIRING);
	i.tgt_end = NOW - 1;
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_RENEW_EXPIRING);
	i.tgt_end = NOW + 3600;
	assert_int_equal(ae_ccache_decide(P, &i, NOW, -1), AE_CCACHE_RENEW_EXPIRING);
	i.has_tgt = false;
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_RENEW_NO_TGT);
	i.has_tgt = true;
	i.principal = "Administrator@LAB.EXAMPLE.COM";
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_RENEW_PRINCIPAL);
	i.principal = "MEMBER1$@OTHER.EXAMPLE.COM";	/* same name, another realm */
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_RENEW_PRINCIPAL);
	i.principal = "MEMBER1$";
	assert_int_equal(ae_ccache_decide("MEMBER1$", &i, NOW, 600), AE_CCACHE_RENEW_PRINCIPAL);
	i.principal = NULL;
	assert_int_equal(ae_ccache_decide(P, &i, NOW, 600), AE_CCACHE_RENEW_UNREADABLE);
	assert_int_equal(ae_ccache_decide(P, NULL, NOW, 600), AE_CCACHE_RENEW_UNREADABLE);
	assert_string_equal(ae_ccache_verdict_str(AE_CCACHE_REUSE), "valid");
	assert_string_equal(ae_ccache_verdict_str(AE_CCACHE_RENEW_PRINCIPAL),
			    "for another principal");
}

/* a FILE ccache at path for client with one credential for server, ending at end */
static void write_ccache(const char *path, const char *client, const char *server, int64_t end)
{
	static krb5_octet key[16];
	krb5_context k;
	krb5_ccache cc;
	krb5_creds c;
	char spec[512];

	memset(&c, 0, sizeof(c));
	snprintf(spec, sizeof(spec), "FILE:%s", path);
	assert_int_equal(krb5_init_context(&k), 0);
	assert_int_equal(krb5_cc_resolve(k, spec, &cc), 0);
	assert_int_equal(krb5_parse_name(k, client, &c.client), 0);
	assert_int_equal(krb5_parse_name(k, server, &c.server), 0);
	c.keyblock.enctype = ENCTYPE_AES128_CTS_HMAC_SHA1_96;
	c.keyblock.length = sizeof(key);
	c.keyblock.contents = key;
	c.times.authtime = (krb5_timestamp)(end - 36000);
	c.times.endtime = (krb5_timestamp)end;
	c.ticket.data = (char *)"ticket";
	c.ticket.length = 6;
	assert_int_equal(krb5_cc_initialize(k, cc, c.client), 0);
	assert_int_equal(krb5_cc_store_cred(k, cc, &c), 0);
	krb5_cc_close(k, cc);
	krb5_free_principal(k, c.client);
	krb5_free_principal(k, c.server);
	krb5_free_context(k);
	assert_int_equal(chmod(path, 0600), 0);
}

static void rm_rf(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_inspect(void **state)
{
	char dir[] = "/tmp/ae-test-ccache-XXXXXX";
	char path[256], link[256];
	struct ae_ccache_info *i = NULL;
	int64_t end = (int64_t)time(NULL) + 7200;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/krb5cc.machine", dir);
	/* missing */
	assert_int_equal(ae_ccache_inspect(*state, path, "LAB.EXAMPLE.COM", &i), AE_OK);
	assert_null(i->principal);
	TALLOC_FREE(i);
	/* the machine's TGT */
	write_ccache(path, P, "krbtgt/LAB.EXAMPLE.COM@LAB.EXAMPLE.COM", end);
	assert_int_equal(ae_ccache_inspect(*state, path, "LAB.EXAMPLE.COM", &i), AE_OK);
	assert_string_equal(i->principal, P);
	assert_true(i->has_tgt);
	assert_true(i->tgt_end == end);
	assert_int_equal(ae_ccache_decide(P, i, (int64_t)time(NULL), 600), AE_CCACHE_REUSE);
	TALLOC_FREE(i);
	/* another realm's TGT only */
	assert_int_equal(ae_ccache_inspect(*state, path, "OTHER.EXAMPLE.COM", &i), AE_OK);
	assert_false(i->has_tgt);
	TALLOC_FREE(i);
	/* readable by others: not read */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(ae_ccache_inspect(*state, path, "LAB.EXAMPLE.COM", &i), AE_OK);
	assert_null(i->principal);
	TALLOC_FREE(i);
	assert_int_equal(chmod(path, 0600), 0);
	/* a symbolic link to a valid cache: not followed */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(ae_ccache_inspect(*state, link, "LAB.EXAMPLE.COM", &i), AE_OK);
	assert_null(i->principal);
	TALLOC_FREE(i);
	/* a service ticket but no TGT */
	write_ccache(path, P, "ldap/dc1.lab.example.com@LAB.EXAMPLE.COM", end);
	assert_int_equal(ae_ccache_inspect(*state, path, "LAB.EXAMPLE.COM", &i), AE_OK);
	assert_string_equal(i->principal, P);
	assert_false(i->has_tgt);
	assert_int_equal(ae_ccache_decide(P, i, (int64_t)time(NULL), 600), AE_CCACHE_RENEW_NO_TGT);
	TALLOC_FREE(i);
	/* garbage */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x05\x04garbage, not a ccache", 24), 24);
	close(fd);
	assert_int_equal(ae_ccache_inspect(*state, path, "LAB.EXAMPLE.COM", &i), AE_OK);
	assert_null(i->principal);
	assert_int_equal(ae_ccache_decide(P, i, (int64_t)time(NULL), 600),
			 AE_CCACHE_RENEW_UNREADABLE);
	TALLOC_FREE(i);
	rm_rf(dir);
}

static void put(struct tdb_context *t, const char *key, const char *val, size_t len)
{
	TDB_DATA k = { .dptr = (unsigned char *)key, .dsize = strlen(key) };
	TDB_DATA v = { .dptr = (unsigned char *)val, .dsize = len };

	assert_int_equal(tdb_store(t, k, v, TDB_REPLACE), 0);
}

static void test_machine_password(void **state)
{
	char dir[] = "/tmp/ae-test-secrets-XXXXXX";
	char path[256], why[512] = "";
	struct tdb_context *t;
	char *pw = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secrets.tdb", dir);
	assert_int_equal(ae_machine_password(*state, dir, "LAB", &pw, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, path));
	t = tdb_open(path, 0, TDB_DEFAULT, O_RDWR | O_CREAT, 0600);
	assert_non_null(t);
	put(t, "SECRETS/MACHINE_PASSWORD/LAB", "s3cret-pw", 10);	/* NUL included */
	put(t, "SECRETS/MACHINE_PASSWORD/EMBED", "ab\0cd", 6);
	put(t, "SECRETS/MACHINE_PASSWORD/EMPTY", "", 1);
	tdb_close(t);
	/* the domain's key, upper case */
	assert_int_equal(ae_machine_password(*state, dir, "lab", &pw, why, sizeof(why)), AE_OK);
	assert_string_equal(pw, "s3cret-pw");
	TALLOC_FREE(pw);
	assert_int_equal(ae_machine_password(*state, dir, "NONE", &pw, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	assert_null(pw);
	assert_non_null(strstr(why, "NONE"));
	assert_null(strstr(why, "s3cret"));
	assert_int_equal(ae_machine_password(*state, dir, "EMBED", &pw, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	assert_int_equal(ae_machine_password(*state, dir, "EMPTY", &pw, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	/* writable by others: not read */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(ae_machine_password(*state, dir, "LAB", &pw, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "writable only by root"));
	assert_null(pw);
	rm_rf(dir);
}

static void test_tcp_profile(void **state)
{
	char dir[] = "/tmp/ae-test-krbprof-XXXXXX";
	char want[256], text[256] = "";
	const char *env;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(setenv("KRB5_CONFIG", "/etc/lab-krb5.conf", 1), 0);
	assert_int_equal(ae_krb5_tcp_profile(dir), AE_OK);
	snprintf(want, sizeof(want), "%s/krb5-tcp.conf:/etc/lab-krb5.conf", dir);
	env = getenv("KRB5_CONFIG");
	assert_string_equal(env, want);
	/* twice: not prepended again */
	assert_int_equal(ae_krb5_tcp_profile(dir), AE_OK);
	assert_string_equal(getenv("KRB5_CONFIG"), want);
	snprintf(want, sizeof(want), "%s/krb5-tcp.conf", dir);
	f = fopen(want, "r");
	assert_non_null(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(text, "udp_preference_limit = 1"));
	assert_int_equal(unsetenv("KRB5_CONFIG"), 0);
	assert_int_equal(ae_krb5_tcp_profile(dir), AE_OK);
	snprintf(want, sizeof(want), "%s/krb5-tcp.conf:/etc/krb5.conf", dir);
	assert_string_equal(getenv("KRB5_CONFIG"), want);
	assert_int_equal(unsetenv("KRB5_CONFIG"), 0);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decide, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_inspect, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_machine_password, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_profile, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	ae_log_set_level(-1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
