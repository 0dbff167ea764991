/*
 * ca_fault.c: the test CA misbehaving on demand (ca_fault.h). Test-only.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_file.h"
#include "ndr_icpr.h"
#include "ca_cert.h"
#include "ca_fault.h"

static const struct {
	const char *name;
	enum ca_fault_kind kind;
} modes[] = {
	{ "truncate-cert", CA_FAULT_TRUNCATE_CERT },
	{ "truncate-chain", CA_FAULT_TRUNCATE_CHAIN },
	{ "garbage-cert", CA_FAULT_GARBAGE_CERT },
	{ "garbage-chain", CA_FAULT_GARBAGE_CHAIN },
	{ "other-key", CA_FAULT_OTHER_KEY },
	{ "foreign-chain", CA_FAULT_FOREIGN_CHAIN },
	{ "ndr-truncate", CA_FAULT_NDR_TRUNCATE },
	{ "ndr-length", CA_FAULT_NDR_LENGTH },
	{ "ndr-garbage", CA_FAULT_NDR_GARBAGE },
	{ "huge", CA_FAULT_HUGE },
	{ "slow", CA_FAULT_SLOW },
};

static bool number(const char *w, uint32_t max, uint32_t *_n)
{
	char *end = NULL;
	unsigned long v;

	if (w[0] < '0' || w[0] > '9') {
		return false;
	}
	errno = 0;
	v = strtoul(w, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max) {
		return false;
	}
	*_n = (uint32_t)v;
	return true;
}

ae_err ca_fault_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_fault *_f)
{
	struct ca_fault f = { CA_FAULT_NONE, "none", 0, NULL };
	char buf[CA_FAULT_FILE_MAX + 1], *w = NULL, *save = NULL;
	size_t i;
	bool have_n = false;

	if (len > CA_FAULT_FILE_MAX || memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	for (w = strtok_r(buf, " \t\r\n", &save); w != NULL; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (f.kind == CA_FAULT_NONE) {
			for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
				if (strcmp(w, modes[i].name) == 0) {
					f.kind = modes[i].kind;
					f.name = modes[i].name;
				}
			}
			if (f.kind == CA_FAULT_NONE) {
				return AE_ERR_PARSE;
			}
		} else if (strncmp(w, "template=", 9) == 0 && w[9] != '\0' && f.template_name == NULL) {
			f.template_name = w + 9;
		} else if (!have_n && f.kind == CA_FAULT_HUGE && number(w, CA_FAULT_HUGE_MAX, &f.n)) {
			have_n = true;
		} else if (!have_n && f.kind == CA_FAULT_SLOW && number(w, CA_FAULT_SLOW_MAX, &f.n)) {
			have_n = true;
		} else {
			return AE_ERR_PARSE;
		}
	}
	if (f.kind == CA_FAULT_SLOW && !have_n) {
		return AE_ERR_PARSE;
	}
	if (f.kind == CA_FAULT_HUGE && !have_n) {
		f.n = ICPR_BLOB_MAX + 1;
	}
	if (f.template_name != NULL &&
	    (f.template_name = talloc_strdup(mem_ctx, f.template_name)) == NULL) {
		return AE_ERR_NOMEM;
	}
	*_f = f;
	return AE_OK;
}

ae_err ca_fault_read(TALLOC_CTX *mem_ctx, const char *dir, struct ca_fault *_f)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *path = tmp ? talloc_asprintf(tmp, "%s/%s", dir ? dir : ".", CA_FAULT_FILE) : NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	if (path == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_file_read(tmp, path, CA_FAULT_FILE_MAX, &data, &len);
	if (err == AE_ERR_NOT_FOUND) {
		memset(_f, 0, sizeof(*_f));
		_f->name = "none";
		err = AE_OK;
	} else if (err == AE_OK) {
		err = ca_fault_parse(mem_ctx, data, len, _f);
	}
	talloc_free(tmp);
	return err;
}

bool ca_fault_applies(const struct ca_fault *f, const char *template_name)
{
	if (f->kind == CA_FAULT_NONE) {
		return false;
	}
	return f->template_name == NULL ||
	       (template_name != NULL && strcasecmp(f->template_name, template_name) == 0);
}

static ae_err garbage(TALLOC_CTX *mem_ctx, size_t len, uint8_t **_p)
{
	uint8_t *p = talloc_array(mem_ctx, uint8_t, len ? len : 1);

	if (p == NULL) {
		return AE_ERR_NOMEM;
	}
	if (len > 0 && (len > INT32_MAX || RAND_bytes(p, (int)len) != 1)) {
		talloc_free(p);
		return AE_ERR_CRYPTO;
	}
	*_p = p;
	return AE_OK;
}

static ae_err to_der(TALLOC_CTX *mem_ctx, X509 *x, struct ca_bytes *out)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	if (n <= 0) {
		return AE_ERR_CRYPTO;
	}
	out->p = talloc_memdup(mem_ctx, der, (size_t)n);
	out->len = (size_t)n;
	OPENSSL_free(der);
	return out->p == NULL ? AE_ERR_NOMEM : AE_OK;
}

/* A self-signed CA certificate named like ca's own, for key k. */
static X509 *foreign_ca(const struct ca_ctx *ca, EVP_PKEY *k)
{
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *bc = NULL;
	bool ok = x != NULL;

	ok = ok && X509_set_version(x, 2) == 1 &&
	     ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL)) == 1 &&
	     X509_set_subject_name(x, X509_get_subject_name(ca->cert)) == 1 &&
	     X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) != NULL &&
	     X509_set_pubkey(x, k) == 1;
	if (ok) {
		X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
		bc = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
		ok = bc != NULL && X509_add_ext(x, bc, -1) == 1;
		X509_EXTENSION_free(bc);
	}
	if (!ok || X509_sign(x, k, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* other-key / foreign-chain: the leaf rebuilt, the chain too for foreign-chain. */
static ae_err resign(const struct ca_fault *f, const struct ca_ctx *ca, struct ca_answer *a)
{
	const unsigned char *q = a->cert.p;
	X509 *leaf = a->cert.len <= LONG_MAX ? d2i_X509(NULL, &q, (long)a->cert.len) : NULL;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *fca = NULL;
	struct ca_ctx fake;
	struct ca_bytes der = { NULL, 0 }, p7 = { NULL, 0 };
	ae_err err = AE_ERR_CRYPTO;

	if (leaf == NULL || k == NULL) {
		goto done;
	}
	if (f->kind == CA_FAULT_OTHER_KEY) {
		if (X509_set_pubkey(leaf, k) != 1 || X509_sign(leaf, ca->key, EVP_sha256()) <= 0) {
			goto done;
		}
		err = to_der(a, leaf, &der);
		goto done;
	}
	fca = foreign_ca(ca, k);
	if (fca == NULL || X509_sign(leaf, k, EVP_sha256()) <= 0) {
		goto done;
	}
	err = to_der(a, leaf, &der);
	if (err == AE_OK) {
		fake = *ca;
		fake.cert = fca;
		err = ca_cert_chain_p7(a, &fake, &der, &p7);
	}
done:
	if (err == AE_OK) {
		a->cert = der;
		if (p7.p != NULL) {
			a->chain = p7;
		}
	}
	X509_free(leaf);
	X509_free(fca);
	EVP_PKEY_free(k);
	return err;
}

ae_err ca_fault_answer(const struct ca_fault *f, const struct ca_ctx *ca, struct ca_answer *a)
{
	struct ca_bytes *b = NULL;
	uint8_t *p = NULL;
	ae_err err;

	if (a->cert.len == 0 || ca == NULL) {
		return AE_OK;
	}
	switch (f->kind) {
	case CA_FAULT_TRUNCATE_CERT:
		a->cert.len /= 2;
		return AE_OK;
	case CA_FAULT_TRUNCATE_CHAIN:
		a->chain.len /= 2;
		return AE_OK;
	case CA_FAULT_GARBAGE_CERT:
	case CA_FAULT_GARBAGE_CHAIN:
		b = f->kind == CA_FAULT_GARBAGE_CERT ? &a->cert : &a->chain;
		err = garbage(a, b->len, &p);
		if (err == AE_OK) {
			b->p = p;
		}
		return err;
	case CA_FAULT_OTHER_KEY:
	case CA_FAULT_FOREIGN_CHAIN:
		return resign(f, ca, a);
	default:
		return AE_OK;
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * huge: request id and disposition as encoded, then pctbCert of n bytes
 * (0x30 then zeros), the other two blobs empty, status 0 (the wire layout
 * of ndr_icpr.c's push: cb, unique pointer, max_count, bytes).
 */
static ae_err huge_stub(TALLOC_CTX *mem_ctx, uint32_t n, uint8_t **io, size_t *io_len)
{
	size_t pad = (4 - n % 4) % 4, len = 8 + 12 + (size_t)n + pad + 8 + 8 + 4;
	uint8_t *p = NULL, *q = NULL;

	if (*io_len < 8) {
		return AE_ERR_INVALID;
	}
	p = talloc_zero_array(mem_ctx, uint8_t, len);
	if (p == NULL) {
		return AE_ERR_NOMEM;
	}
	memcpy(p, *io, 8);
	q = p + 8;
	put32(q, n);
	put32(q + 4, 0x00020000);	/* referent id */
	put32(q + 8, n);
	q[12] = 0x30;
	/* encoded_cert, message: cb 0, null pointer; status 0 (all zero already) */
	talloc_free(*io);
	*io = p;
	*io_len = len;
	return AE_OK;
}

ae_err ca_fault_stub(TALLOC_CTX *mem_ctx, const struct ca_fault *f, uint8_t **io,
		     size_t *io_len)
{
	uint8_t *p = NULL;
	size_t off;
	ae_err err;

	switch (f->kind) {
	case CA_FAULT_NDR_TRUNCATE:
		*io_len /= 2;
		return AE_OK;
	case CA_FAULT_NDR_GARBAGE:
		err = garbage(mem_ctx, *io_len, &p);
		if (err == AE_OK) {
			talloc_free(*io);
			*io = p;
		}
		return err;
	case CA_FAULT_NDR_LENGTH:
		/* blobs from offset 8: cb, pointer, [max_count, bytes, padding] */
		for (off = 8; off + 12 <= *io_len; ) {
			uint32_t cb = get32(*io + off), ptr = get32(*io + off + 4);

			if (ptr != 0 && cb > 0) {
				put32(*io + off, cb + 4096);
				put32(*io + off + 8, cb + 4096);
				return AE_OK;
			}
			off += 8 + (ptr != 0 ? 4 + (((size_t)cb + 3) & ~(size_t)3) : 0);
		}
		return AE_OK;
	case CA_FAULT_HUGE:
		return huge_stub(mem_ctx, f->n, io, io_len);
	default:
		return AE_OK;
	}
}
