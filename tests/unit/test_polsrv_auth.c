/*
 * test_polsrv_auth.c: how the engine authenticates to a policy server
 * (ae_polsrv_auth.c): credential files in a temporary directory (bad
 * owner, mode, symbolic link, directory writable by others: refused,
 * naming the file), the password file's format, the certificate PEM, the
 * Kerberos ccache of the session, and the trust options.
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
#include "ae_config.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_https.h"
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_session.h"
#include "ae_xcep.h"

struct fixture {
	char dir[64];
	char path[128];
};

static struct fixture g;

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int setup(void **state)
{
	snprintf(g.dir, sizeof(g.dir), "/tmp/test_polsrv_auth.XXXXXX");
	assert_non_null(mkdtemp(g.dir));
	snprintf(g.path, sizeof(g.path), "%s/cred", g.dir);
	return leak_setup(state);
}

static int teardown(void **state)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.dir);
	assert_int_equal(system(cmd), 0);
	return leak_teardown(state);
}

static void refused_with(void *mem, const char *path, uid_t owner, const char *needle)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char why[512] = "";

	assert_int_equal(ae_polsrv_secret_read(mem, path, owner, &data, &len, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	assert_null(data);
	if (strstr(why, path) == NULL || strstr(why, needle) == NULL) {
		print_error("why '%s' lacks '%s' or '%s'\n", why, path, needle);
		fail();
	}
}

static void test_password_file_read_and_wiped(void **state)
{
	struct ae_polsrv ps = { .url = "https://cep/x", .credential_file = g.path };
	struct ae_config cfg = { 0 };
	struct ae_session s = { .config = &cfg };
	struct ae_https_opts o;
	char *user = NULL, *pass = NULL, why[256] = "";

	write_file(g.path, "LAB\\wkuser\nS3cret pass\n", 0600);
	assert_int_equal(ae_polsrv_https_opts_why(*state, &s, &ps, AE_XCEP_AUTH_PASSWORD, &o,
						  &user, &pass, why, sizeof(why)), AE_OK);
	assert_int_equal(o.auth, AE_HTTPS_AUTH_NONE);
	assert_string_equal(user, "LAB\\wkuser");
	assert_string_equal(pass, "S3cret pass");
	/* the password is a wiped secret */
	assert_string_equal(talloc_get_name(pass), "ae_secret");
}

static void test_bad_mode_owner_symlink_refused(void **state)
{
	char link[160], sub[160], subfile[200];

	write_file(g.path, "u\np\n", 0640);
	refused_with(*state, g.path, 0, "group or others");
	write_file(g.path, "u\np\n", 0604);
	refused_with(*state, g.path, 0, "group or others");
	write_file(g.path, "u\np\n", 0600);
	if (geteuid() == 0) {
		assert_int_equal(chown(g.path, 65534, 65534), 0);
		refused_with(*state, g.path, 0, "owned by uid 65534");
		assert_int_equal(chown(g.path, 0, 0), 0);
	}
	/* owned by root, but the user context expects the user's own file */
	refused_with(*state, g.path, 4242, "not by uid 4242");
	snprintf(link, sizeof(link), "%s/link", g.dir);
	assert_int_equal(symlink(g.path, link), 0);
	refused_with(*state, link, 0, "symbolic link");
	/* a directory others may write into */
	snprintf(sub, sizeof(sub), "%s/open", g.dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 01777), 0);
	snprintf(subfile, sizeof(subfile), "%s/cred", sub);
	write_file(subfile, "u\np\n", 0600);
	refused_with(*state, subfile, 0, "writable by group or others");
	refused_with(*state, sub, 0, "a directory, not a regular file");
	refused_with(*state, "relative/cred", 0, "not an absolute");
	/* missing */
	snprintf(subfile, sizeof(subfile), "%s/none", g.dir);
	refused_with(*state, subfile, 0, "No such file");
}

static void test_password_format(void **state)
{
	static const struct { const char *text; const char *why; } bad[] = {
		{ "useronly", "two lines" },
		{ "u\np\nthird\n", "more than two lines" },
		{ "u\n\n", "line 2" },
		{ "\npass\n", "line 1" },
		{ "u\npass\r\n", "line 2" },
		{ "with space\npass", "line 1" },
	};
	char *u = NULL, *p = NULL, why[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(ae_polsrv_password_parse(*state, bad[i].text, strlen(bad[i].text),
							  &u, &p, why, sizeof(why)), AE_ERR_PARSE);
		assert_null(u);
		assert_non_null(strstr(why, bad[i].why));
	}
	assert_int_equal(ae_polsrv_password_parse(*state, "alice@LAB.EXAMPLE.COM\npw", 24, &u, &p,
						  why, sizeof(why)), AE_OK);
	assert_string_equal(u, "alice@LAB.EXAMPLE.COM");
	assert_string_equal(p, "pw");
	talloc_free(u);
	talloc_free(p);
}

static char *pem_pair(void *mem, const struct ae_key *k, const struct ae_key *cert_key)
{
	struct ae_cert *c = pki_cert(mem, "wk1", cert_key, NULL, NULL, 7, 30, NULL);
	char *kpem = NULL, *cpem = NULL;
	size_t n = 0;

	assert_int_equal(ae_key_to_pem(mem, k, &kpem, &n), AE_OK);
	assert_int_equal(ae_cert_to_pem(mem, c, &cpem, &n), AE_OK);
	return talloc_asprintf(mem, "%s%s", kpem, cpem);
}

static void test_certificate_file(void **state)
{
	struct ae_polsrv ps = { .url = "https://cep/x", .credential_file = g.path };
	struct ae_config cfg = { 0 };
	struct ae_session s = { .config = &cfg };
	struct ae_https_opts o;
	struct ae_key *k = pki_key(false), *other = pki_key(false);
	char why[512] = "";
	void *mem = talloc_new(*state);

	write_file(g.path, pem_pair(mem, k, k), 0600);
	assert_int_equal(ae_polsrv_https_opts_why(mem, &s, &ps, AE_XCEP_AUTH_CERTIFICATE, &o,
						  NULL, NULL, why, sizeof(why)), AE_OK);
	assert_int_equal(o.auth, AE_HTTPS_AUTH_CERTIFICATE);
	assert_non_null(o.client_key);
	assert_non_null(o.client_cert);
	assert_null(o.client_chain);
	/* a key that is not the certificate's */
	write_file(g.path, pem_pair(mem, other, k), 0600);
	assert_int_equal(ae_polsrv_https_opts_why(mem, &s, &ps, AE_XCEP_AUTH_CERTIFICATE, &o,
						  NULL, NULL, why, sizeof(why)), AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "does not match"));
	assert_non_null(strstr(why, g.path));
	write_file(g.path, "no pem here\n", 0600);
	assert_int_equal(ae_polsrv_https_opts_why(mem, &s, &ps, AE_XCEP_AUTH_CERTIFICATE, &o,
						  NULL, NULL, why, sizeof(why)), AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "private key"));
	/* no file: the caller supplies the pair (key-based renewal) */
	ps.credential_file = NULL;
	assert_int_equal(ae_polsrv_https_opts_why(mem, &s, &ps, AE_XCEP_AUTH_CERTIFICATE, &o,
						  NULL, NULL, why, sizeof(why)), AE_OK);
	assert_null(o.client_key);
	talloc_free(mem);
	talloc_free(k);
	talloc_free(other);
}

static void test_kerberos_and_trust(void **state)
{
	struct ae_polsrv ps = { .url = "https://cep/x" };
	char trust[160], run[160], anchor[200], bundle[200];
	struct ae_config cfg = { .trust_dir = trust, .intermediates_file = g.path };
	struct ae_creds creds = { .ccache_name = (char *)"FILE:/run/x/krb5cc.1" };
	struct ae_session s = { .config = &cfg, .run_dir = run };
	struct ae_https_opts o;
	char why[512] = "";
	uint8_t *data = NULL;
	size_t len = 0;

	snprintf(trust, sizeof(trust), "%s/trust", g.dir);
	snprintf(run, sizeof(run), "%s/run", g.dir);
	snprintf(anchor, sizeof(anchor), "%s/autoenroll-1.crt", trust);
	snprintf(bundle, sizeof(bundle), "%s/xcep-trust.pem", run);
	assert_int_equal(mkdir(trust, 0755), 0);
	write_file(anchor, "-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n", 0644);

	assert_int_equal(ae_polsrv_https_opts_why(*state, &s, &ps, AE_XCEP_AUTH_KERBEROS, &o,
						  NULL, NULL, why, sizeof(why)), AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "not joined"));
	s.creds = &creds;
	write_file(g.path, "-----BEGIN CERTIFICATE-----\nINTER\n-----END CERTIFICATE-----", 0644);
	assert_int_equal(ae_polsrv_https_opts_why(*state, &s, &ps, AE_XCEP_AUTH_KERBEROS, &o,
						  NULL, NULL, why, sizeof(why)), AE_OK);
	assert_int_equal(o.auth, AE_HTTPS_AUTH_KERBEROS);
	assert_string_equal(o.ccache, "FILE:/run/x/krb5cc.1");
	/* the exported anchors and the intermediates, as one bundle in the run dir */
	assert_null(o.extra_ca_dir);
	assert_string_equal(o.extra_ca_file, bundle);
	assert_int_equal(ae_file_read(*state, bundle, 4096, &data, &len), AE_OK);
	assert_non_null(strstr((char *)data, "ROOT"));
	assert_non_null(strstr((char *)data, "INTER\n-----END CERTIFICATE-----\n"));
	talloc_free(data);
	assert_null(o.pinned_ca_file);
	/* a pinned CA is the only trust */
	ps.pinned_ca_file = (char *)"/etc/pinned.pem";
	assert_int_equal(ae_polsrv_https_opts_why(*state, &s, &ps, AE_XCEP_AUTH_KERBEROS, &o,
						  NULL, NULL, why, sizeof(why)), AE_OK);
	assert_string_equal(o.pinned_ca_file, "/etc/pinned.pem");
	assert_null(o.extra_ca_dir);
	assert_null(o.extra_ca_file);
	/* missing trust files are not passed */
	ps.pinned_ca_file = NULL;
	cfg.trust_dir = "/nonexistent/trust";
	cfg.intermediates_file = "/nonexistent/i.pem";
	assert_int_equal(ae_polsrv_https_opts_why(*state, &s, &ps, AE_XCEP_AUTH_KERBEROS, &o,
						  NULL, NULL, why, sizeof(why)), AE_OK);
	assert_null(o.extra_ca_dir);
	assert_null(o.extra_ca_file);
	assert_int_equal(ae_polsrv_https_opts_why(*state, &s, &ps, 0x40, &o, NULL, NULL, why,
						  sizeof(why)), AE_ERR_INVALID);
	/* password without a file */
	{
		char *u = NULL, *p = NULL;
		assert_int_equal(ae_polsrv_https_opts_why(*state, &s, &ps, AE_XCEP_AUTH_PASSWORD,
							  &o, &u, &p, why, sizeof(why)),
				 AE_ERR_CREDENTIALS);
		assert_non_null(strstr(why, "--credential"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_password_file_read_and_wiped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_mode_owner_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certificate_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kerberos_and_trust, setup, teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
