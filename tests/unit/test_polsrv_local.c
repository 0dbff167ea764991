/*
 * test_polsrv_local.c: the local policy-server configuration
 * (ae_polsrv_local.c, ae_polsrv_local_cmd.c): the file's format both ways
 * and its refusals naming the line and field, add/replace/remove, the
 * atomic root-only save and the load's owner/mode check, the checks of an
 * entry's credential and CA files, the listing.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "ae_polsrv_local.h"
#include "ae_xcep.h"

static char g_dir[64];

static int setup(void **state)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/test_polsrv_local.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	return leak_setup(state);
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	assert_int_equal(system(cmd), 0);
	return leak_teardown(state);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_parse_and_format(void **state)
{
	const char *text =
		"# comment\n\n"
		"server url=https://cep.lab/CEP policy-id={P} auth=password cost=5 "
		"credential=/etc/autoenroll/wk.cred ca-file=/etc/autoenroll/ca.pem\n"
		"  server\turl=https://cep2.lab/CEP\n";
	struct ae_polsrv_local *v = NULL, *w = NULL;
	size_t n = 0, m = 0;
	char why[256] = "", *out;

	assert_int_equal(ae_polsrv_local_parse(*state, (const uint8_t *)text, strlen(text), &v,
					       &n, why, sizeof(why)), AE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].url, "https://cep.lab/CEP");
	assert_string_equal(v[0].policy_id, "{P}");
	assert_int_equal(v[0].auth, AE_XCEP_AUTH_PASSWORD);
	assert_int_equal(v[0].cost, 5);
	assert_string_equal(v[0].credential_file, "/etc/autoenroll/wk.cred");
	assert_string_equal(v[0].ca_file, "/etc/autoenroll/ca.pem");
	/* defaults: Kerberos, cost 100, the URL as the policy ID */
	assert_int_equal(v[1].auth, AE_XCEP_AUTH_KERBEROS);
	assert_int_equal(v[1].cost, AE_POLSRV_LOCAL_COST_DEFAULT);
	assert_string_equal(v[1].policy_id, "https://cep2.lab/CEP");
	assert_null(v[1].credential_file);
	/* round trip */
	out = ae_polsrv_local_format(*state, v, n);
	assert_non_null(out);
	assert_int_equal(ae_polsrv_local_parse(*state, (const uint8_t *)out, strlen(out), &w, &m,
					       why, sizeof(why)), AE_OK);
	assert_int_equal(m, 2);
	assert_string_equal(w[0].credential_file, v[0].credential_file);
	assert_string_equal(w[1].policy_id, v[1].policy_id);
	talloc_free(out);
	talloc_free(v);
	talloc_free(w);
}

static void test_refusals(void **state)
{
	static const struct { const char *text; const char *why; } bad[] = {
		{ "srv url=https://a/\n", "line 1: a line must start with 'server '" },
		{ "\nserver auth=kerberos\n", "line 2: no url=" },
		{ "server url=http://a/\n", "url: not an https:// URL" },
		{ "server url=https://u@a/\n", "user information" },
		{ "server url=https://a/ url=https://b/\n", "url given twice" },
		{ "server url=https://a/ auth=ntlm\n", "'ntlm' is not kerberos" },
		{ "server url=https://a/ cost=-1\n", "cost: '-1'" },
		{ "server url=https://a/ cost=4294967296\n", "cost" },
		{ "server url=https://a/ credential=rel/x\n", "not an absolute path" },
		{ "server url=https://a/ ca-file=/a/../etc\n", "not an absolute path" },
		{ "server url=https://a/ colour=red\n", "unknown field 'colour'" },
		{ "server url=https://a/ auth=\n", "empty or bad value" },
	};
	struct ae_polsrv_local *v = NULL;
	size_t n = 0;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(ae_polsrv_local_parse(*state, (const uint8_t *)bad[i].text,
						       strlen(bad[i].text), &v, &n, why,
						       sizeof(why)), AE_ERR_PARSE);
		assert_null(v);
		if (strstr(why, bad[i].why) == NULL) {
			print_error("'%s': why '%s' lacks '%s'\n", bad[i].text, why, bad[i].why);
			fail();
		}
	}
	assert_int_equal(ae_polsrv_local_parse(*state, (const uint8_t *)"server\0", 7, &v, &n, why,
					       sizeof(why)), AE_ERR_TOO_LARGE);
}

static void test_add_remove_save_load(void **state)
{
	struct ae_polsrv_localconf *c = NULL, *d = NULL;
	struct ae_polsrv_local e = { .url = (char *)"https://cep.lab/CEP", .cost = 7,
				     .auth = AE_XCEP_AUTH_KERBEROS };
	char path[128], why[256] = "";
	struct stat st;
	size_t removed = 0;
	FILE *f;
	char *buf = NULL;
	size_t blen = 0;

	snprintf(path, sizeof(path), "%s/sub/policy-servers.conf", g_dir);
	/* missing: an empty list */
	assert_int_equal(ae_polsrv_local_load(*state, path, &c, why, sizeof(why)), AE_OK);
	assert_int_equal(c->num_servers, 0);
	assert_int_equal(ae_polsrv_local_add(c, &e), AE_OK);
	e.policy_id = (char *)"{P}";
	e.auth = AE_XCEP_AUTH_PASSWORD;
	e.credential_file = (char *)"/etc/x.cred";
	assert_int_equal(ae_polsrv_local_add(c, &e), AE_OK);
	/* same URL and auth: replaced */
	e.cost = 9;
	assert_int_equal(ae_polsrv_local_add(c, &e), AE_OK);
	assert_int_equal(c->num_servers, 2);
	assert_int_equal(c->servers[1].cost, 9);
	assert_string_equal(c->servers[0].policy_id, "https://cep.lab/CEP");
	assert_int_equal(ae_polsrv_local_save(c, why, sizeof(why)), AE_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(ae_polsrv_local_load(*state, path, &d, why, sizeof(why)), AE_OK);
	assert_int_equal(d->num_servers, 2);
	assert_string_equal(d->servers[1].credential_file, "/etc/x.cred");
	/* listing: the JSON names every field */
	f = open_memstream(&buf, &blen);
	assert_int_equal(ae_polsrv_local_print(f, d, true), AE_OK);
	fclose(f);
	assert_non_null(strstr(buf, "\"auth\": \"password\", \"cost\": 9"));
	assert_non_null(strstr(buf, "\"credential\": \"/etc/x.cred\""));
	free(buf);
	/* remove by policy ID, then by URL */
	assert_int_equal(ae_polsrv_local_remove(d, "{P}", &removed), AE_OK);
	assert_int_equal(removed, 1);
	assert_int_equal(ae_polsrv_local_remove(d, "https://cep.lab/CEP", &removed), AE_OK);
	assert_int_equal(removed, 1);
	assert_int_equal(d->num_servers, 0);
	talloc_free(d);
	/* a file others can write is refused, naming it */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(ae_polsrv_local_load(*state, path, &d, why, sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, path));
	talloc_free(c);
}

static void test_check_entry(void **state)
{
	struct ae_polsrv_local e = { .url = (char *)"https://cep.lab/CEP",
				     .auth = AE_XCEP_AUTH_PASSWORD };
	struct ae_key *k = pki_key(false);
	struct ae_cert *c = pki_cert(*state, "CA", k, NULL, NULL, 1, 30, NULL);
	char cred[128], ca[128], why[512] = "", *pem = NULL;
	size_t len = 0;

	snprintf(cred, sizeof(cred), "%s/wk.cred", g_dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", g_dir);
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_ERR_INVALID);
	assert_non_null(strstr(why, "--credential"));
	e.credential_file = cred;
	write_file(cred, "WK\\user\npw\n", 0644);
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, cred));
	write_file(cred, "WK\\user\n", 0600);
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "line 2"));
	write_file(cred, "WK\\user\npw\n", 0600);
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_OK);
	/* the same file is no certificate */
	e.auth = AE_XCEP_AUTH_CERTIFICATE;
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_ERR_CREDENTIALS);
	e.auth = AE_XCEP_AUTH_KERBEROS;
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_ERR_INVALID);
	e.credential_file = NULL;
	e.ca_file = ca;
	write_file(ca, "junk\n", 0644);
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_ERR_INVALID);
	assert_non_null(strstr(why, "--ca-file"));
	assert_int_equal(ae_cert_to_pem(*state, c, &pem, &len), AE_OK);
	write_file(ca, pem, 0644);
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_OK);
	e.url = (char *)"http://cep.lab/CEP";
	assert_int_equal(ae_polsrv_local_check(&e, why, sizeof(why)), AE_ERR_INVALID);
	assert_non_null(strstr(why, "https"));
	talloc_free(k);
	talloc_free(c);
	talloc_free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_and_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_remove_save_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_entry, setup, teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
