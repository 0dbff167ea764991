/*
 * ae_polsrv_auth.c: how we authenticate to a policy server's CEP or to a
 * CES URI of one of its CAs ([MS-XCEP] 3.1.4.1.3.4 ClientAuthentication,
 * [MS-WSTEP] 3.1.4.1): the HTTPS options (ae_https.h) and, for password
 * authentication, the WS-Security UsernameToken credentials.
 *
 * The credential files themselves are read and parsed by ae_polsrv_cred.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_https.h"
#include "ae_session.h"
#include "ae_config.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_xcep.h"
#include "ae_pki.h"
#include "ae_ldap.h"
#include "ae_log.h"
#include <openssl/err.h>

#define TRUST_FILES_MAX	256		/* files of the trust dir taken */
#define TRUST_FILE_MAX	(64u * 1024u)	/* bytes of one */
#define TRUST_BUNDLE	"xcep-trust.pem"
#define AD_ROOTS	"ad-roots.pem"	/* this cycle's CN=Certification Authorities */

/* pem appended with the certificate file name of dirfd when it is PEM */
static char *append_pem(TALLOC_CTX *mem, char *pem, int dirfd, const char *name)
{
	uint8_t *data = NULL;
	size_t len = 0;

	if (ae_file_read_at(mem, dirfd, name, TRUST_FILE_MAX, dirfd == AT_FDCWD ? AE_FILE_FOLLOW : 0,
			    &data, &len, NULL, 0) != AE_OK) {
		return pem;
	}
	if (len > 0 && strstr((const char *)data, "-----BEGIN CERTIFICATE-----") != NULL &&
	    memchr(data, '\0', len) == NULL) {
		pem = talloc_asprintf_append(pem, "%s%s", (const char *)data,
					     data[len - 1] == '\n' ? "" : "\n");
	}
	talloc_free(data);
	return pem;
}

/*
 * The anchors this tool exports (the trust dir's *.crt, ae_cycle_trust.c:
 * files named by hash of their content, not an OpenSSL hashed directory),
 * the intermediates file and the AD roots this cycle read
 * (ae_polsrv_save_ad_roots), as one PEM bundle <run dir>/xcep-trust.pem
 * (the run dir is the context's private directory), or NULL when there
 * are none.
 */
static const char *trust_bundle(TALLOC_CTX *mem, const struct ae_session *s, const char *inter)
{
	const struct ae_config *c = s->config;
	char *pem = talloc_strdup(mem, ""), *path;
	DIR *d = c->trust_dir ? opendir(c->trust_dir) : NULL;
	struct dirent *e;
	size_t n = 0;

	while (d != NULL && pem != NULL && n < TRUST_FILES_MAX && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] != '.' && l > 4 && strcmp(e->d_name + l - 4, ".crt") == 0) {
			pem = append_pem(mem, pem, dirfd(d), e->d_name);
			n++;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	if (pem != NULL && inter != NULL) {
		pem = append_pem(mem, pem, AT_FDCWD, inter);
	}
	if (pem != NULL && s->run_dir != NULL) {
		char *roots = talloc_asprintf(mem, "%s/%s", s->run_dir, AD_ROOTS);
		pem = roots != NULL ? append_pem(mem, pem, AT_FDCWD, roots) : NULL;
	}
	if (pem == NULL || pem[0] == '\0' || s->run_dir == NULL) {
		return NULL;
	}
	path = talloc_asprintf(mem, "%s/%s", s->run_dir, TRUST_BUNDLE);
	if (path == NULL || ae_mkdir_p(s->run_dir, 0700) != AE_OK ||
	    ae_file_write_atomic(path, pem, strlen(pem), 0644) != AE_OK) {
		return NULL;
	}
	return path;
}

/* The trust for a server of ps: its pinned CA file, else the system's plus ours. */
static void set_trust(TALLOC_CTX *mem, const struct ae_session *s, const struct ae_polsrv *ps,
		      struct ae_https_opts *o)
{
	const struct ae_config *c = s->config;
	const char *inter;

	if (ps != NULL && ps->pinned_ca_file != NULL) {
		o->pinned_ca_file = ps->pinned_ca_file;
		return;
	}
	if (c == NULL) {
		return;
	}
	inter = c->intermediates_file != NULL ? c->intermediates_file :
		talloc_asprintf(mem, "%s/intermediates.pem", s->store_dir ? s->store_dir : "");
	o->extra_ca_file = trust_bundle(mem, s, inter);
}

static ae_err password_opts(TALLOC_CTX *mem, const struct ae_session *s,
			    const struct ae_polsrv *ps, char **_user, char **_password,
			    char *why, size_t why_len)
{
	char cause[256] = "";
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	if (_user == NULL || _password == NULL) {
		return AE_ERR_INVALID;
	}
	if (ps->credential_file == NULL) {
		ae_why(why, why_len, "policy server %s: password authentication needs a "
		       "credential file (--credential)", ps->url);
		return AE_ERR_CREDENTIALS;
	}
	err = ae_polsrv_secret_read(mem, ps->credential_file, ae_session_store_owner(s), &data,
				    &len, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	err = ae_polsrv_password_parse(mem, (const char *)data, len, _user, _password, cause,
				       sizeof(cause));
	talloc_free(data);
	if (err != AE_OK) {
		ae_why(why, why_len, "credential file %s: %s", ps->credential_file, cause);
		return err == AE_ERR_NOMEM ? err : AE_ERR_CREDENTIALS;
	}
	return AE_OK;
}

static ae_err cert_opts(TALLOC_CTX *mem, const struct ae_session *s, const struct ae_polsrv *ps,
			struct ae_https_opts *o, char *why, size_t why_len)
{
	char cause[256] = "";
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	o->auth = AE_HTTPS_AUTH_CERTIFICATE;
	if (ps->credential_file == NULL) {
		return AE_OK;	/* the caller supplies the pair (e.g. the store's current one) */
	}
	err = ae_polsrv_secret_read(mem, ps->credential_file, ae_session_store_owner(s), &data,
				    &len, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	err = ae_polsrv_cert_parse(mem, data, len, &o->client_key, &o->client_cert,
				   &o->client_chain, cause, sizeof(cause));
	talloc_free(data);
	if (err != AE_OK) {
		ae_why(why, why_len, "credential file %s: %s", ps->credential_file, cause);
		return err == AE_ERR_NOMEM ? err : AE_ERR_CREDENTIALS;
	}
	return AE_OK;
}

ae_err ae_polsrv_https_opts_why(TALLOC_CTX *mem, const struct ae_session *s,
				const struct ae_polsrv *ps, uint32_t auth,
				struct ae_https_opts *_opts, char **_username, char **_password,
				char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_https_opts o = { .auth = AE_HTTPS_AUTH_NONE };
	char *user = NULL, *pass = NULL;
	ae_err err = AE_OK;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	switch (auth) {
	case AE_XCEP_AUTH_ANONYMOUS:
		break;
	case AE_XCEP_AUTH_KERBEROS:
		if (s->creds == NULL || s->creds->ccache_name == NULL) {
			ae_why(why, why_len, "policy server %s: Kerberos authentication needs the "
			       "domain's credentials, and this host has none (not joined?)",
			       ps->url);
			err = AE_ERR_CREDENTIALS;
			break;
		}
		o.auth = AE_HTTPS_AUTH_KERBEROS;
		o.ccache = talloc_strdup(tmp, s->creds->ccache_name);
		err = o.ccache != NULL ? AE_OK : AE_ERR_NOMEM;
		break;
	case AE_XCEP_AUTH_PASSWORD:
		err = password_opts(tmp, s, ps, &user, &pass, why, why_len);
		break;
	case AE_XCEP_AUTH_CERTIFICATE:
		err = cert_opts(tmp, s, ps, &o, why, why_len);
		break;
	default:
		ae_why(why, why_len, "policy server %s: authentication %u is not supported",
		       ps->url, (unsigned)auth);
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		set_trust(tmp, s, ps, &o);
		(void)talloc_steal(mem, tmp);
		*_opts = o;
		if (_username != NULL && _password != NULL) {
			*_username = user;
			*_password = pass;
		}
		return AE_OK;
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_polsrv_https_opts(TALLOC_CTX *mem, const struct ae_session *s,
			    const struct ae_polsrv *ps, uint32_t auth,
			    struct ae_https_opts *_opts, char **_username, char **_password)
{
	char why[512] = "";
	ae_err err = ae_polsrv_https_opts_why(mem, s, ps, auth, _opts, _username, _password,
					      why, sizeof(why));

	if (err != AE_OK) {
		AE_ERROR("%s", why[0] != '\0' ? why : ae_strerror(err));
	}
	return err;
}

ae_err ae_polsrv_save_ad_roots(struct ae_session *s, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_der_blob *certs = NULL;
	size_t n = 0, i;
	char *pem = NULL, *path = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_policy_read_ca_certs(s->ldap, tmp, s->rootdse->configuration_nc,
				      AE_PKI_STORE_ROOTS, &certs, &n);
	pem = talloc_strdup(tmp, "");
	for (i = 0; err == AE_OK && pem != NULL && i < n; i++) {
		const unsigned char *p = certs[i].der;
		X509 *x = d2i_X509(NULL, &p, (long)certs[i].len);
		BIO *b = BIO_new(BIO_s_mem());
		char *text = NULL;
		long len;

		if (x != NULL && b != NULL && PEM_write_bio_X509(b, x) == 1 &&
		    (len = BIO_get_mem_data(b, &text)) > 0) {
			pem = talloc_asprintf_append(pem, "%.*s", (int)len, text);
		}
		X509_free(x);
		BIO_free(b);
	}
	ERR_clear_error();
	if (err == AE_OK && pem == NULL) {
		err = AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		path = talloc_asprintf(tmp, "%s/%s", s->run_dir, AD_ROOTS);
		err = path == NULL ? AE_ERR_NOMEM : ae_mkdir_p(s->run_dir, 0700);
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic(path, pem, strlen(pem), 0644);
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "the AD roots (CN=Certification Authorities) for the policy "
		       "servers' TLS: %s", ae_strerror(err));
	}
	talloc_free(tmp);
	return err;
}
