/*
 * ca_ctx.c: load the CA certificate and key.
 */
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include "ae_file.h"
#include "ae_log.h"
#include "ca_ctx.h"

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
	if (strlen(name) > CA_NAME_MAX) {
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
	if (ca->name == NULL || ca->dir == NULL || ca->db_dir == NULL) {
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
	if (err != AE_OK) {
		AE_ERROR("icpr_ca: cannot create %s", ca->db_dir);
		talloc_free(tmp);
		return err;
	}
	*_ca = talloc_steal(mem_ctx, ca);
	talloc_free(tmp);
	return AE_OK;
}
