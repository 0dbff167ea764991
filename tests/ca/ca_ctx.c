/*
 * ca_ctx.c: load the CA certificate and key.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include "ae_file.h"
#include "ae_log.h"
#include "ca_ctx.h"

/*
 * The CA name goes into file names, DNs and URLs unescaped: letters,
 * digits, '-', '_' and '.' (not leading) only.
 */
static bool plain_name(const char *s)
{
	if (s[0] == '\0' || s[0] == '.') {
		return false;
	}
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
	       strlen(s);
}

static int ca_ctx_destructor(struct ca_ctx *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	return 0;
}

/* Read a PEM file into a memory BIO. */
static ae_err read_pem(TALLOC_CTX *mem_ctx, const char *dir, const char *name, BIO **_bio)
{
	char *path = talloc_asprintf(mem_ctx, "%s/%s", dir, name);
	uint8_t *data = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	ae_err err;

	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_file_read(mem_ctx, path, CA_PEM_MAX, &data, &len);
	if (err != AE_OK) {
		AE_ERROR("icpr_ca: cannot read %s: %s", path, ae_strerror(err));
		return err;
	}
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL) {
		return AE_ERR_NOMEM;
	}
	*_bio = bio;	/* data stays on mem_ctx while the BIO is used */
	return AE_OK;
}

ae_err ca_ctx_load(TALLOC_CTX *mem_ctx, const char *dir, const char *name,
		   struct ca_ctx **_ca)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct ca_ctx *ca = NULL;
	BIO *bio = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (dir == NULL || dir[0] == '\0') {
		AE_ERROR("icpr_ca: ICPR_CA_DIR is not set");
		talloc_free(tmp);
		return AE_ERR_CONFIG;
	}
	if (name == NULL || name[0] == '\0') {
		name = CA_DEFAULT_NAME;
	}
	if (strlen(name) > CA_NAME_MAX || !plain_name(name) || dir[0] != '/') {
		AE_ERROR("icpr_ca: ICPR_CA_DIR must be absolute and ICPR_CA_NAME made of letters, "
			 "digits, '-', '_' and '.' (got \"%s\", \"%s\")", dir, name);
		talloc_free(tmp);
		return AE_ERR_CONFIG;
	}
	ca = talloc_zero(tmp, struct ca_ctx);
	if (ca == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(ca, ca_ctx_destructor);
	ca->name = talloc_strdup(ca, name);
	ca->dir = talloc_strdup(ca, dir);
	ca->db_dir = talloc_asprintf(ca, "%s/db", dir);
	ca->crl_dir = talloc_asprintf(ca, "%s/crl", dir);
	ca->crl_path = talloc_asprintf(ca, "%s/%s.crl", ca->crl_dir, name);
	ca->cdp_file_url = talloc_asprintf(ca, "file://%s", ca->crl_path);
	if (ca->name == NULL || ca->dir == NULL || ca->db_dir == NULL || ca->crl_dir == NULL ||
	    ca->crl_path == NULL || ca->cdp_file_url == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = read_pem(tmp, dir, "ca.pem", &bio);
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	ca->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	err = read_pem(tmp, dir, "ca.key", &bio);
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	ca->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (ca->cert == NULL || ca->key == NULL ||
	    X509_check_private_key(ca->cert, ca->key) != 1) {
		ae_log_openssl(0, "icpr_ca: CA certificate/key");
		talloc_free(tmp);
		return AE_ERR_CRYPTO;
	}
	err = ae_mkdir_p(ca->db_dir, 0700);
	if (err == AE_OK) {
		err = ae_mkdir_p(ca->crl_dir, 0755);
	}
	if (err != AE_OK) {
		AE_ERROR("icpr_ca: cannot create %s or %s", ca->db_dir, ca->crl_dir);
		talloc_free(tmp);
		return err;
	}
	*_ca = talloc_steal(mem_ctx, ca);
	talloc_free(tmp);
	return AE_OK;
}

/* A DN we build from parts we do not escape: refuse what would need it. */
static bool plain_dn(const char *s)
{
	return strpbrk(s, "\\\"+;<>#?%\r\n") == NULL && s[0] != ' ';
}

ae_err ca_ctx_set_cdp(struct ca_ctx *ca, const char *host, const char *config_dn)
{
	static const char tail[] = "?certificateRevocationList?base?"
				   "objectClass=cRLDistributionPoint";
	char *dn = NULL, *url = NULL, *w;
	size_t i, spaces = 0;

	if (host == NULL || config_dn == NULL || host[0] == '\0' || config_dn[0] == '\0' ||
	    strlen(host) > CA_HOST_MAX || strlen(config_dn) > CA_CDP_DN_MAX ||
	    !plain_name(host) || !plain_dn(config_dn)) {
		return AE_ERR_INVALID;
	}
	dn = talloc_asprintf(ca, "CN=%s,CN=%s,CN=CDP,CN=Public Key Services,CN=Services,%s",
			     ca->name, host, config_dn);
	if (dn == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; dn[i] != '\0'; i++) {
		spaces += dn[i] == ' ';
	}
	url = talloc_array(ca, char, strlen("ldap:///") + strlen(dn) + 2 * spaces +
			   sizeof(tail));
	if (url == NULL) {
		talloc_free(dn);
		return AE_ERR_NOMEM;
	}
	w = url + sprintf(url, "ldap:///");
	for (i = 0; dn[i] != '\0'; i++) {	/* RFC 4516: a space is %20 */
		w += dn[i] == ' ' ? sprintf(w, "%%20") : sprintf(w, "%c", dn[i]);
	}
	memcpy(w, tail, sizeof(tail));
	talloc_free(ca->cdp_dn);
	talloc_free(ca->cdp_ldap_url);
	ca->cdp_dn = dn;
	ca->cdp_ldap_url = url;
	return AE_OK;
}
