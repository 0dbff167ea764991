/*
 * ca_local_chain.c: chain.pem of a subordinate test CA (ca_local_chain.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include "ae_log.h"
#include "ca_local_chain.h"

ae_err cl_chain_load(const char *dir, STACK_OF(X509) *out)
{
	char path[PATH_MAX];
	X509 *x = NULL;
	FILE *f;
	int fd, n = 0;

	if (snprintf(path, sizeof(path), "%s/chain.pem", dir) >= (int)sizeof(path)) {
		return AE_ERR_INVALID;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? AE_OK : AE_ERR_IO;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return AE_ERR_IO;
	}
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		if (n++ >= CL_CHAIN_MAX || sk_X509_push(out, x) <= 0) {
			X509_free(x);
			fclose(f);
			return AE_ERR_TOO_LARGE;
		}
	}
	ERR_clear_error();	/* the end of the file */
	fclose(f);
	return AE_OK;
}

ae_err cl_chain_extend(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, struct ca_bytes *p7)
{
	STACK_OF(X509) *extra = sk_X509_new_null();
	const unsigned char *q = p7->p;
	PKCS7 *pk = NULL;
	unsigned char *der = NULL;
	ae_err err = extra == NULL ? AE_ERR_NOMEM : cl_chain_load(ca->dir, extra);
	int i, n = 0;

	if (err == AE_OK && sk_X509_num(extra) > 0 && p7->len <= LONG_MAX) {
		pk = d2i_PKCS7(NULL, &q, (long)p7->len);
		for (i = 0; pk != NULL && i < sk_X509_num(extra); i++) {
			if (PKCS7_add_certificate(pk, sk_X509_value(extra, i)) != 1) {
				break;
			}
		}
		n = pk != NULL && i == sk_X509_num(extra) ? i2d_PKCS7(pk, &der) : 0;
		err = n > 0 ? AE_OK : AE_ERR_CRYPTO;
	}
	if (err == AE_OK && n > 0) {
		uint8_t *copy = talloc_memdup(mem_ctx, der, (size_t)n);

		if (copy == NULL) {
			err = AE_ERR_NOMEM;
		} else {
			p7->p = copy;
			p7->len = (size_t)n;
		}
	}
	if (err != AE_OK) {
		AE_ERROR("ca-local: CA %s: adding %s/chain.pem to the PKCS#7: %s", ca->name,
			 ca->dir, ae_strerror(err));
	}
	OPENSSL_free(der);
	PKCS7_free(pk);
	sk_X509_pop_free(extra, X509_free);
	return err;
}
