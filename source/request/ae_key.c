/*
 * ae_key.c: key specs, generation and PEM (PKCS#8) serialisation.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include "ae_key.h"
#include "ae_key_tpm.h"
#include "ae_log.h"
#include "ae_request_private.h"

static bool parse_rsa_bits(const char *s, unsigned *_bits)
{
	unsigned long v = 0;
	size_t i;
	size_t n = strlen(s);

	/* at most 5 digits, no sign, no leading zero */
	if (n == 0 || n > 5 || s[0] == '0') {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < AE_KEY_RSA_MIN_BITS || v > AE_KEY_RSA_MAX_BITS || v % 8 != 0) {
		return false;
	}
	*_bits = (unsigned)v;
	return true;
}

static unsigned ec_curve_bits(const char *s)
{
	/* the NIST curves of RFC 5480 section 2.1.1.1, by their short names */
	if (strcmp(s, "p256") == 0) {
		return 256;
	}
	if (strcmp(s, "p384") == 0) {
		return 384;
	}
	if (strcmp(s, "p521") == 0) {
		return 521;
	}
	return 0;
}

ae_err ae_key_spec_parse(const char *s, struct ae_key_spec *out)
{
	struct ae_key_spec spec = { .kind = AE_KEY_RSA, .bits = 0 };

	if (s == NULL || out == NULL) {
		return AE_ERR_INVALID;
	}
	/* strict: exactly "rsa:N" or "ec:pNNN", lower case, nothing around */
	if (strncmp(s, "rsa:", 4) == 0) {
		spec.kind = AE_KEY_RSA;
		if (!parse_rsa_bits(s + 4, &spec.bits)) {
			return AE_ERR_INVALID;
		}
	} else if (strncmp(s, "ec:", 3) == 0) {
		spec.kind = AE_KEY_EC;
		spec.bits = ec_curve_bits(s + 3);
		if (spec.bits == 0) {
			return AE_ERR_INVALID;
		}
	} else {
		return AE_ERR_INVALID;
	}
	*out = spec;
	return AE_OK;
}

const char *ae_key_spec_curve(const struct ae_key_spec *s)
{
	if (s == NULL || s->kind != AE_KEY_EC) {
		return NULL;
	}
	switch (s->bits) {
	case 256:
		return "P-256";
	case 384:
		return "P-384";
	case 521:
		return "P-521";
	}
	return NULL;
}

ae_err ae_key_spec_from_algorithm(const char *alg, struct ae_key_spec *out)
{
	static const struct { const char *name; unsigned bits; } curves[] = {
		{ "ECDSA_P256", 256 }, { "ECDSA_P384", 384 }, { "ECDSA_P521", 521 },
	};
	size_t i;

	if (alg == NULL || out == NULL) {
		return AE_ERR_INVALID;
	}
	if (strcasecmp(alg, "RSA") == 0) {
		*out = (struct ae_key_spec) { .kind = AE_KEY_RSA, .bits = AE_KEY_RSA_DEFAULT_BITS };
		return AE_OK;
	}
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		if (strcasecmp(alg, curves[i].name) == 0) {
			*out = (struct ae_key_spec) { .kind = AE_KEY_EC, .bits = curves[i].bits };
			return AE_OK;
		}
	}
	return AE_ERR_UNSUPPORTED;
}

static bool spec_valid(const struct ae_key_spec *s)
{
	if (s == NULL) {
		return false;
	}
	switch (s->kind) {
	case AE_KEY_RSA:
		return s->bits >= AE_KEY_RSA_MIN_BITS && s->bits <= AE_KEY_RSA_MAX_BITS &&
		       s->bits % 8 == 0;
	case AE_KEY_EC:
		return ae_key_spec_curve(s) != NULL;
	}
	return false;
}

ae_err ae_key_spec_apply_minimum(struct ae_key_spec *s, unsigned template_min_bits)
{
	unsigned want;

	if (!spec_valid(s)) {
		return AE_ERR_INVALID;
	}
	if (s->kind == AE_KEY_EC) {
		if (template_min_bits > s->bits) {
			AE_INFO("key: template minimum %u bits is above EC P-%u; keeping the curve",
				template_min_bits, s->bits);
		}
		return AE_OK;
	}
	if (template_min_bits <= s->bits) {
		return AE_OK;
	}
	if (template_min_bits > AE_KEY_RSA_MAX_BITS) {
		AE_WARN("key: template minimum %u bits is above the supported %u",
			template_min_bits, (unsigned)AE_KEY_RSA_MAX_BITS);
		return AE_ERR_UNSUPPORTED;
	}
	want = (template_min_bits + 7) / 8 * 8;
	AE_INFO("key: raising RSA-%u to RSA-%u (template minimum %u bits)",
		s->bits, want, template_min_bits);
	s->bits = want;
	return AE_OK;
}

const char *ae_key_spec_describe(const struct ae_key_spec *s, char *buf, size_t n)
{
	if (buf == NULL || n == 0) {
		return "";
	}
	if (!spec_valid(s)) {
		snprintf(buf, n, "invalid");
	} else if (s->kind == AE_KEY_RSA) {
		snprintf(buf, n, "RSA-%u", s->bits);
	} else {
		snprintf(buf, n, "EC P-%u", s->bits);
	}
	return buf;
}

static int key_destructor(struct ae_key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	return 0;
}

const char *ae_key_source_name(enum ae_key_source src)
{
	return src == AE_KEY_SRC_TPM ? "TPM" : "file";
}

ae_err ae_key_wrap_src(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, enum ae_key_source src,
		       OSSL_LIB_CTX *libctx, const char *propq, struct ae_key **_key)
{
	struct ae_key *key = NULL;

	if (!EVP_PKEY_is_a(pkey, "RSA") && !EVP_PKEY_is_a(pkey, "EC")) {
		EVP_PKEY_free(pkey);
		return AE_ERR_UNSUPPORTED;
	}
	key = talloc_zero(mem_ctx, struct ae_key);
	if (key == NULL) {
		EVP_PKEY_free(pkey);
		return AE_ERR_NOMEM;
	}
	key->pkey = pkey;
	key->source = src;
	key->libctx = libctx;
	key->propq = propq;
	talloc_set_destructor(key, key_destructor);
	*_key = key;
	return AE_OK;
}

struct gen_stop {
	bool (*stop)(void *arg);
	void *arg;
};

/* OpenSSL's progress callback (EVP_PKEY_CTX_set_cb): 0 abandons an RSA generation. */
static int gen_progress(EVP_PKEY_CTX *ctx)
{
	const struct gen_stop *gs = EVP_PKEY_CTX_get_app_data(ctx);

	return gs == NULL || gs->stop == NULL || !gs->stop(gs->arg);
}

ae_err ae_key_generate_evp(const struct ae_key_spec *spec, bool (*stop)(void *arg), void *arg,
			   EVP_PKEY **_pkey)
{
	struct gen_stop gs = { .stop = stop, .arg = arg };
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int ok;

	if (!spec_valid(spec) || _pkey == NULL) {
		return AE_ERR_INVALID;
	}
	/* a context of its own: OpenSSL 3 generates keys in parallel threads
	 * when each has its own EVP_PKEY_CTX */
	ctx = EVP_PKEY_CTX_new_from_name(NULL, spec->kind == AE_KEY_RSA ? "RSA" : "EC", NULL);
	ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1;
	if (ok && spec->kind == AE_KEY_RSA) {
		ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)spec->bits) == 1;
	} else if (ok) {
		ok = EVP_PKEY_CTX_set_group_name(ctx, ae_key_spec_curve(spec)) == 1;
	}
	if (ok && stop != NULL) {
		EVP_PKEY_CTX_set_app_data(ctx, &gs);
		EVP_PKEY_CTX_set_cb(ctx, gen_progress);
	}
	ok = ok && EVP_PKEY_generate(ctx, &pkey) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		EVP_PKEY_free(pkey);
		return AE_ERR_CRYPTO;	/* also when stop() said so */
	}
	*_pkey = pkey;
	return AE_OK;
}

/* Takes ownership of pkey (freed on failure too). */
static ae_err key_wrap(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, struct ae_key **_key)
{
	return ae_key_wrap_src(mem_ctx, pkey, AE_KEY_SRC_FILE, NULL, NULL, _key);
}

ae_err ae_key_generate(TALLOC_CTX *mem_ctx, const struct ae_key_spec *spec,
		       struct ae_key **_key)
{
	EVP_PKEY *pkey = NULL;
	ae_err err;

	if (_key == NULL) {
		return AE_ERR_INVALID;
	}
	err = ae_key_generate_evp(spec, NULL, NULL, &pkey);
	if (err == AE_ERR_CRYPTO) {
		ae_log_openssl(0, "key generation");
	}
	if (err != AE_OK) {
		return err;
	}
	return key_wrap(mem_ctx, pkey, _key);
}

ae_err ae_key_adopt_evp(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, struct ae_key **_key)
{
	if (pkey == NULL || _key == NULL) {
		EVP_PKEY_free(pkey);
		return AE_ERR_INVALID;
	}
	return key_wrap(mem_ctx, pkey, _key);
}

ae_err ae_key_from_evp(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, struct ae_key **_key)
{
	if (pkey == NULL || _key == NULL) {
		return AE_ERR_INVALID;
	}
	if (EVP_PKEY_up_ref(pkey) != 1) {
		return AE_ERR_CRYPTO;
	}
	return key_wrap(mem_ctx, pkey, _key);
}

ae_err ae_key_to_pem(TALLOC_CTX *mem_ctx, const struct ae_key *key,
		     char **_pem, size_t *_len)
{
	BIO *bio = NULL;
	ae_err err;

	if (key == NULL || key->pkey == NULL || _pem == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	if (key->source == AE_KEY_SRC_TPM) {
		return ae_key_tpm_to_pem(mem_ctx, key, _pem, _len);
	}
	/* secure memory BIO: its buffer is cleansed when freed */
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL) {
		return AE_ERR_NOMEM;
	}
	if (PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		ae_log_openssl(0, "private key to PEM");
		BIO_free(bio);
		return AE_ERR_CRYPTO;
	}
	err = ae_req_bio_to_talloc(mem_ctx, bio, true, _pem, _len);
	BIO_free(bio);
	return err;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static bool key_label_ok(const char *label)
{
	return strcmp(label, "PRIVATE KEY") == 0 || strcmp(label, "RSA PRIVATE KEY") == 0 ||
	       strcmp(label, "EC PRIVATE KEY") == 0;
}

ae_err ae_key_from_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       struct ae_key **_key)
{
	char label[AE_REQ_PEM_LABEL_MAX + 1];
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	size_t off = 0;
	size_t start = 0;
	size_t end = 0;
	size_t key_start;
	size_t key_end;
	bool is_tpm;
	ae_err err;

	if (p == NULL || _key == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_KEY_PEM_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	err = ae_req_pem_next(p, len, &off, label, &start, &end);
	if (err == AE_ERR_NOT_FOUND) {
		return AE_ERR_PARSE;
	}
	if (err != AE_OK) {
		return err;
	}
	is_tpm = strcmp(label, AE_KEY_TPM_PEM_LABEL) == 0;
	if (!is_tpm && !key_label_ok(label)) {
		AE_DEBUG("key: PEM block '%s' is not an unencrypted private key", label);
		return AE_ERR_PARSE;
	}
	key_start = start;
	key_end = end;
	err = ae_req_pem_next(p, len, &off, label, &start, &end);
	if (err != AE_ERR_NOT_FOUND) {
		return AE_ERR_TRAILING;
	}
	if (is_tpm) {
		return ae_key_tpm_from_pem(mem_ctx, p + key_start, key_end - key_start, _key);
	}
	bio = BIO_new_mem_buf(p + key_start, (int)(key_end - key_start));
	if (bio == NULL) {
		return AE_ERR_NOMEM;
	}
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		ae_log_openssl(3, "private key from PEM");
		return AE_ERR_PARSE;
	}
	return key_wrap(mem_ctx, pkey, _key);
}

static unsigned ec_key_bits(const EVP_PKEY *pkey, char *group, size_t n)
{
	int nid;

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
					   group, n, NULL) != 1) {
		ERR_clear_error();
		group[0] = '\0';
		return 0;
	}
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef) {
		nid = EC_curve_nist2nid(group);
	}
	if (nid == NID_X9_62_prime256v1) {
		return 256;
	}
	if (nid == NID_secp384r1) {
		return 384;
	}
	if (nid == NID_secp521r1) {
		return 521;
	}
	return 0;
}

ae_err ae_key_get_spec(const struct ae_key *key, struct ae_key_spec *out)
{
	struct ae_key_spec spec = { .kind = AE_KEY_RSA, .bits = 0 };
	char group[64];
	int bits;

	if (key == NULL || key->pkey == NULL || out == NULL) {
		return AE_ERR_INVALID;
	}
	if (EVP_PKEY_is_a(key->pkey, "RSA")) {
		bits = EVP_PKEY_get_bits(key->pkey);
		if (bits <= 0) {
			return AE_ERR_CRYPTO;
		}
		spec.kind = AE_KEY_RSA;
		spec.bits = (unsigned)bits;
	} else if (EVP_PKEY_is_a(key->pkey, "EC")) {
		spec.kind = AE_KEY_EC;
		spec.bits = ec_key_bits(key->pkey, group, sizeof(group));
		if (spec.bits == 0) {
			return AE_ERR_UNSUPPORTED;
		}
	} else {
		return AE_ERR_UNSUPPORTED;
	}
	*out = spec;
	return AE_OK;
}

const char *ae_key_describe(const struct ae_key *key, char *buf, size_t n)
{
	char group[64];
	const char *nist = NULL;
	int nid;

	if (buf == NULL || n == 0) {
		return "";
	}
	if (key == NULL || key->pkey == NULL) {
		snprintf(buf, n, "none");
	} else if (EVP_PKEY_is_a(key->pkey, "RSA")) {
		snprintf(buf, n, "RSA-%d", EVP_PKEY_get_bits(key->pkey));
	} else if (EVP_PKEY_is_a(key->pkey, "EC")) {
		(void)ec_key_bits(key->pkey, group, sizeof(group));
		nid = OBJ_sn2nid(group);
		nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
		snprintf(buf, n, "EC %s", nist != NULL ? nist : group);
	} else {
		nist = EVP_PKEY_get0_type_name(key->pkey);
		snprintf(buf, n, "%s", nist != NULL ? nist : "unknown");
	}
	return buf;
}
