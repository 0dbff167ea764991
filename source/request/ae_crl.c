/*
 * ae_crl.c: CRL distribution points, CRL parsing and the revocation check
 * of one managed certificate (RFC 5280 §4.2.1.13, §5, §6.3).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "ae_crl.h"
#include "ae_log.h"

/* ---- distribution points ---- */

static bool url_ok(const ASN1_IA5STRING *u)
{
	const unsigned char *s = ASN1_STRING_get0_data(u);
	int n = ASN1_STRING_length(u);
	int i;

	if (s == NULL || n <= 0 || n > AE_CDP_URL_MAX) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f) {
			return false;
		}
	}
	return true;
}

/* Append the URIs of one fullName to urls (which has room for AE_CDP_URLS_MAX). */
static ae_err add_full_name(char **urls, size_t *n, const GENERAL_NAMES *names)
{
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		const ASN1_IA5STRING *u = NULL;

		if (g->type != GEN_URI) {
			continue;	/* directoryName etc.: nothing to fetch */
		}
		u = g->d.uniformResourceIdentifier;
		if (!url_ok(u)) {
			AE_DEBUG("crl: unusable distribution point URI");
			return AE_ERR_PARSE;
		}
		if (*n == AE_CDP_URLS_MAX) {
			return AE_ERR_TOO_LARGE;
		}
		urls[*n] = talloc_strndup(urls, (const char *)ASN1_STRING_get0_data(u),
					  (size_t)ASN1_STRING_length(u));
		if (urls[*n] == NULL) {
			return AE_ERR_NOMEM;
		}
		(*n)++;
	}
	return AE_OK;
}

ae_err ae_cert_cdp_urls(TALLOC_CTX *mem_ctx, const struct ae_cert *cert,
			char ***_urls, size_t *_n)
{
	CRL_DIST_POINTS *dps = NULL;
	char **urls = NULL;
	ae_err err = AE_OK;
	size_t n = 0;
	int crit = -1;
	int i;

	if (cert == NULL || cert->x509 == NULL || _urls == NULL || _n == NULL) {
		return AE_ERR_INVALID;
	}
	dps = X509_get_ext_d2i(cert->x509, NID_crl_distribution_points, &crit, NULL);
	if (dps == NULL && crit != -1) {
		/* -2: the extension twice; 0/1: it did not decode */
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	urls = talloc_zero_array(NULL, char *, AE_CDP_URLS_MAX + 1);
	if (urls == NULL) {
		CRL_DIST_POINTS_free(dps);
		return AE_ERR_NOMEM;
	}
	for (i = 0; err == AE_OK && i < sk_DIST_POINT_num(dps); i++) {
		const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		/* type 0: fullName; type 1 (nameRelativeToCRLIssuer) has no URI */
		if (dp->distpoint != NULL && dp->distpoint->type == 0) {
			err = add_full_name(urls, &n, dp->distpoint->name.fullname);
		}
	}
	CRL_DIST_POINTS_free(dps);
	if (err != AE_OK) {
		talloc_free(urls);
		return err;
	}
	*_urls = talloc_steal(mem_ctx, urls);
	*_n = n;
	return AE_OK;
}

/* ---- parsing ---- */

static int crl_destructor(struct ae_crl *c)
{
	X509_CRL_free(c->crl);
	c->crl = NULL;
	return 0;
}

ae_err ae_crl_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		    struct ae_crl **_crl)
{
	const unsigned char *q = p;
	struct ae_crl *c = NULL;
	X509_CRL *x = NULL;

	if (p == NULL || _crl == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_CRL_DER_MAX || len > LONG_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0) {
		return AE_ERR_PARSE;
	}
	x = d2i_X509_CRL(NULL, &q, (long)len);
	if (x == NULL) {
		ae_log_openssl(3, "crl: DER");
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		X509_CRL_free(x);
		return AE_ERR_TRAILING;
	}
	c = talloc_zero(mem_ctx, struct ae_crl);
	if (c == NULL) {
		X509_CRL_free(x);
		return AE_ERR_NOMEM;
	}
	c->crl = x;
	talloc_set_destructor(c, crl_destructor);
	*_crl = c;
	return AE_OK;
}

/* ---- the check ---- */

const char *ae_revocation_name(enum ae_revocation r)
{
	switch (r) {
	case AE_REVOCATION_GOOD:
		return "good";
	case AE_REVOCATION_REVOKED:
		return "revoked";
	case AE_REVOCATION_UNKNOWN:
		break;
	}
	return "unknown";
}

static void set_why(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || why_len == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

static const char *reason_name(long r)
{
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
		"superseded", "cessationOfOperation", "certificateHold", "(7)",
		"removeFromCRL", "privilegeWithdrawn", "aACompromise",
	};

	if (r < 0 || r >= (long)(sizeof(names) / sizeof(names[0]))) {
		return "(unknown reason)";
	}
	return names[r];
}

/* "2025-01-31 12:00:00Z" into buf[32] */
static const char *fmt_time(const ASN1_TIME *t, char buf[32])
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(buf, 32, "%Y-%m-%d %H:%M:%SZ", &tm) == 0) {
		ERR_clear_error();
		snprintf(buf, 32, "(bad time)");
	}
	return buf;
}

/* The issuer that signed cert, by name and signature; NULL if none. */
static X509 *find_issuer(const struct ae_cert *cert, const struct ae_cert_list *issuers)
{
	size_t i;

	for (i = 0; issuers != NULL && i < issuers->count; i++) {
		X509 *ix = issuers->certs[i]->x509;
		EVP_PKEY *pk = X509_get0_pubkey(ix);

		if (pk == NULL ||
		    X509_NAME_cmp(X509_get_subject_name(ix), X509_get_issuer_name(cert->x509)) != 0) {
			continue;
		}
		if (X509_verify(cert->x509, pk) == 1) {
			return ix;
		}
	}
	ERR_clear_error();
	return NULL;
}

/* Authentic: right issuer name, signed by the certificate's issuer key. */
static ae_err check_signer(X509_CRL *crl, const struct ae_cert *cert,
			   const struct ae_cert_list *issuers, char *why, size_t why_len)
{
	X509 *issuer = NULL;
	int ok;

	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(cert->x509)) != 0) {
		set_why(why, why_len, "the CRL is not from the certificate's issuer");
		return AE_ERR_MISMATCH;
	}
	issuer = find_issuer(cert, issuers);
	if (issuer == NULL) {
		set_why(why, why_len, "the certificate's issuer is not among the known CAs");
		return AE_ERR_UNTRUSTED;
	}
	if ((X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0) {
		set_why(why, why_len, "the issuer's key usage does not allow CRL signing");
		return AE_ERR_UNTRUSTED;
	}
	ok = X509_CRL_verify(crl, X509_get0_pubkey(issuer));
	ERR_clear_error();
	if (ok != 1) {
		set_why(why, why_len, "the CRL signature does not verify with the issuer's key");
		return AE_ERR_UNTRUSTED;
	}
	return AE_OK;
}

/* Is the CRL current at now? */
static bool check_times(const X509_CRL *crl, time_t now, char *why, size_t why_len)
{
	const ASN1_TIME *this_update = X509_CRL_get0_lastUpdate(crl);
	const ASN1_TIME *next_update = X509_CRL_get0_nextUpdate(crl);
	char b1[32];
	char b2[32];

	/* X509_cmp_time: -1 when the time is at or before now, 1 after, 0 on error */
	if (this_update == NULL || X509_cmp_time(this_update, &now) != -1) {
		ERR_clear_error();
		set_why(why, why_len, "the CRL is not valid yet (thisUpdate %s)",
			fmt_time(this_update, b1));
		return false;
	}
	if (next_update != NULL && X509_cmp_time(next_update, &now) != 1) {
		ERR_clear_error();
		set_why(why, why_len, "the CRL expired (thisUpdate %s, nextUpdate %s)",
			fmt_time(this_update, b1), fmt_time(next_update, b2));
		return false;
	}
	return true;
}

bool ae_crl_current(const struct ae_crl *crl, time_t now)
{
	const ASN1_TIME *this_update = NULL, *next_update = NULL;
	bool ok;

	if (crl == NULL || crl->crl == NULL) {
		return false;
	}
	this_update = X509_CRL_get0_lastUpdate(crl->crl);
	next_update = X509_CRL_get0_nextUpdate(crl->crl);
	/* X509_cmp_time: -1 when the time is at or before now, 1 after, 0 on error */
	ok = this_update != NULL && next_update != NULL &&
	     X509_cmp_time(this_update, &now) == -1 && X509_cmp_time(next_update, &now) == 1;
	ERR_clear_error();
	return ok;
}

enum crl_scope { SCOPE_COMPLETE, SCOPE_SOME_REASONS, SCOPE_NONE };

/* Does the CRL cover every revocation of an end-entity certificate? */
static enum crl_scope check_scope(const X509_CRL *crl, char *why, size_t why_len)
{
	ISSUING_DIST_POINT *idp = NULL;
	enum crl_scope scope = SCOPE_COMPLETE;
	int crit = -1;
	int i;

	for (i = 0; i < X509_CRL_get_ext_count(crl); i++) {
		X509_EXTENSION *e = X509_CRL_get_ext(crl, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));

		if (nid == NID_delta_crl) {
			set_why(why, why_len, "a delta CRL alone is not enough");
			return SCOPE_NONE;
		}
		if (nid != NID_issuing_distribution_point && X509_EXTENSION_get_critical(e)) {
			set_why(why, why_len, "the CRL has an unknown critical extension");
			return SCOPE_NONE;
		}
	}
	idp = X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &crit, NULL);
	if (idp == NULL) {
		ERR_clear_error();
		if (crit != -1) {
			set_why(why, why_len, "the CRL's issuingDistributionPoint is malformed");
			return SCOPE_NONE;
		}
		return SCOPE_COMPLETE;
	}
	if (idp->indirectCRL > 0) {
		set_why(why, why_len, "indirect CRLs are not supported");
		scope = SCOPE_NONE;
	} else if (idp->onlyCA > 0 || idp->onlyattr > 0) {
		set_why(why, why_len, "the CRL covers CA or attribute certificates only");
		scope = SCOPE_NONE;
	} else if (idp->onlysomereasons != NULL) {
		set_why(why, why_len, "the CRL covers some revocation reasons only");
		scope = SCOPE_SOME_REASONS;
	}
	ISSUING_DIST_POINT_free(idp);
	return scope;
}

ae_err ae_crl_check(const struct ae_crl *crl, const struct ae_cert *cert,
		    const struct ae_cert_list *issuers, time_t now,
		    enum ae_revocation *out, char *why, size_t why_len)
{
	X509_REVOKED *rev = NULL;
	ASN1_ENUMERATED *reason = NULL;
	enum crl_scope scope;
	ae_err err;
	long r = 0;
	int found;

	if (crl == NULL || crl->crl == NULL || cert == NULL || cert->x509 == NULL ||
	    out == NULL || (why == NULL && why_len != 0)) {
		return AE_ERR_INVALID;
	}
	*out = AE_REVOCATION_UNKNOWN;
	set_why(why, why_len, "no verdict");
	err = check_signer(crl->crl, cert, issuers, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if (!check_times(crl->crl, now, why, why_len)) {
		return AE_OK;
	}
	scope = check_scope(crl->crl, why, why_len);
	if (scope == SCOPE_NONE) {
		return AE_OK;
	}
	found = X509_CRL_get0_by_serial(crl->crl, &rev, X509_get0_serialNumber(cert->x509));
	if (found == 1) {
		reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
		r = reason != NULL ? ASN1_ENUMERATED_get(reason) : 0;
		ASN1_ENUMERATED_free(reason);
		ERR_clear_error();
		*out = AE_REVOCATION_REVOKED;
		set_why(why, why_len, "revoked (%s)", reason_name(r));
		return AE_OK;
	}
	ERR_clear_error();
	if (scope == SCOPE_SOME_REASONS) {
		return AE_OK;	/* why already says so */
	}
	*out = AE_REVOCATION_GOOD;
	set_why(why, why_len, found == 2 ? "not revoked (removed from the CRL)" : "not revoked");
	return AE_OK;
}
