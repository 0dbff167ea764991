/*
 * ae_cycle_revoke.c: the revocation phase of the cycle. Each issued
 * certificate of the store is checked against the CRLs of its CRL
 * distribution points (RFC 5280 §4.2.1.13): ldap:/// over the session's
 * sealed connection, file/http through ae_fetch. The result (revoked, good,
 * unknown) is an input of decide(); an unreachable CRL is a warning, never
 * a reason to re-enroll. CRLs come through ae_crl_cache.h: kept in the
 * context's cache directory until their nextUpdate, each distribution point
 * fetched at most once per cycle.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_enroll_private.h"
#include "ae_policy_report.h"
#include "ae_decide.h"
#include "ae_clock.h"
#include "ae_file.h"
#include "ae_log.h"
#include "ae_ldap.h"
#include "ae_pki.h"
#include "ae_x509.h"
#include "ae_crl.h"
#include "ae_crl_cache.h"
#include "ae_fetch.h"
#include "ae_store.h"

#define AE_CRL_FETCH_TIMEOUT_MS 5000

/* ldap:///<DN>?certificateRevocationList?base?... as AD CS writes it */
static ae_err fetch_ldap_crl(struct ae_cycle_ctx *c, const char *url, uint8_t **_d, size_t *_n)
{
	static const char *const attrs[] = { "certificateRevocationList", NULL };
	struct ae_ldap_entry **e = NULL;
	const char *p = url + strlen("ldap://");
	char *dn = NULL, *q;
	size_t num = 0, i, o = 0;

	p = strchr(p, '/');
	if (p == NULL) {
		return AE_ERR_PARSE;
	}
	if (c->s->ldap == NULL) {
		return AE_ERR_NOT_FOUND;	/* no directory (a workgroup host): unknown */
	}
	dn = talloc_strdup(c->mem, p + 1);
	if (dn == NULL) {
		return AE_ERR_NOMEM;
	}
	q = strchr(dn, '?');
	if (q != NULL) {
		*q = '\0';
	}
	for (i = 0; dn[i] != '\0'; i++) {	/* %XX unescaping */
		if (dn[i] == '%' && dn[i + 1] && dn[i + 2]) {
			char hex[3] = { dn[i + 1], dn[i + 2], 0 };
			dn[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			dn[o++] = dn[i];
		}
	}
	dn[o] = '\0';
	if (ae_ldap_search(c->s->ldap, c->mem, dn, AE_LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
			   &e, &num) != AE_OK || num != 1 || e[0]->num_attrs == 0 ||
	    e[0]->attrs[0].num_values == 0) {
		return AE_ERR_NOT_FOUND;
	}
	*_d = e[0]->attrs[0].values[0].data;
	*_n = e[0]->attrs[0].values[0].len;
	return AE_OK;
}

/* ae_crl_fetch_fn: the network behind the cycle's CRL source */
static ae_err fetch_crl(void *priv, TALLOC_CTX *mem, const char *url, uint8_t **_d, size_t *_n)
{
	struct ae_cycle_ctx *c = priv;
	uint8_t *d = NULL;
	size_t n = 0;
	ae_err err;

	if (strncasecmp(url, "ldap://", 7) != 0) {
		return ae_fetch_url(mem, url, AE_CRL_DER_MAX, AE_CRL_FETCH_TIMEOUT_MS, _d, _n);
	}
	err = fetch_ldap_crl(c, url, &d, &n);
	if (err == AE_OK) {
		*_d = talloc_memdup(mem, d, n);
		*_n = n;
		err = *_d != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	return err;
}

static enum ae_revocation_status check_one(struct ae_cycle_ctx *c, struct ae_crl_source *src,
					   const struct ae_store_cert *sc,
					   const struct ae_cert_list *issuers, time_t now)
{
	struct ae_cert *cert = NULL;
	uint8_t *data = NULL;
	size_t len = 0, i;

	if (sc->cert_path == NULL ||
	    ae_file_read(c->mem, sc->cert_path, AE_STORE_PEM_MAX, &data, &len) != AE_OK ||
	    ae_cert_parse_pem(c->mem, data, len, &cert) != AE_OK) {
		return AE_REVSTAT_UNKNOWN;
	}
	for (i = 0; i < sc->num_cdp_urls; i++) {
		const char *url = sc->cdp_urls[i];
		enum ae_revocation rev = AE_REVOCATION_UNKNOWN;
		char why[256] = "";
		ae_err err;

		err = ae_crl_source_check(src, url, cert, issuers, sc->installed, now, &rev, why,
					  sizeof(why));
		if (err == AE_ERR_NOMEM) {
			break;
		}
		if (err != AE_OK && err != AE_ERR_MISMATCH && err != AE_ERR_UNTRUSTED) {
			AE_INFO("template %s: CRL at %s: not available", sc->template_name, url);
			continue;
		}
		if (err == AE_OK && rev != AE_REVOCATION_UNKNOWN) {
			AE_INFO("template %s: serial %s is %s per %s", sc->template_name,
				sc->serial_hex ? sc->serial_hex : "?", ae_revocation_name(rev), url);
			return rev == AE_REVOCATION_REVOKED ? AE_REVSTAT_REVOKED : AE_REVSTAT_GOOD;
		}
	}
	if (sc->num_cdp_urls > 0) {
		/* unreachable CRL: warn, do not re-enroll */
		AE_WARN("template %s: no usable CRL for serial %s (%zu distribution points); "
			"revocation unknown", sc->template_name, sc->serial_hex ? sc->serial_hex : "?",
			sc->num_cdp_urls);
	}
	return AE_REVSTAT_UNKNOWN;
}

/* The context's CRL cache (<run dir>/crl), or NULL: then every CRL is fetched. */
static struct ae_crl_cache *open_cache(struct ae_cycle_ctx *c)
{
	struct ae_crl_cache *cache = NULL;
	char *dir = NULL;

	if (c->s->run_dir == NULL) {
		return NULL;
	}
	dir = talloc_asprintf(c->mem, "%s/crl", c->s->run_dir);
	if (dir == NULL || ae_crl_cache_open(c->mem, dir, &cache) != AE_OK) {
		return NULL;	/* warned; the CRLs are fetched */
	}
	return cache;
}

ae_err ae_cycle_revocations(struct ae_cycle_ctx *c, const struct ae_store_snapshot *snap,
			    struct ae_revocation_entry **_rev, size_t *_n)
{
	struct ae_revocation_entry *rev = talloc_zero_array(c->mem, struct ae_revocation_entry,
						      snap->num_certs + 1);
	struct ae_cert_list *issuers = NULL;
	struct ae_crl_source *src = NULL;
	size_t i, j, n = 0;

	if (rev == NULL || ae_cert_list_new(c->mem, &issuers) != AE_OK) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < c->r->policy->num_cas; i++) {
		struct ae_cert_list *l = NULL;
		if (ae_enroll_anchors(c->mem, c->r->policy->cas[i], &l) != AE_OK) {
			continue;
		}
		for (j = 0; j < l->count; j++) {
			(void)ae_cert_list_add(issuers, l->certs[j]);
		}
	}
	for (i = 0; i < snap->num_certs; i++) {
		const struct ae_store_cert *sc = &snap->certs[i];
		if (sc->state != AE_CERT_ISSUED || sc->serial_hex == NULL) {
			continue;
		}
		if (src == NULL) {
			src = ae_crl_source_new(c->mem, open_cache(c), fetch_crl, c);
			if (src == NULL) {
				return AE_ERR_NOMEM;
			}
		}
		rev[n].serial_hex = sc->serial_hex;
		rev[n].status = check_one(c, src, sc, issuers, ae_now());
		n++;
	}
	if (src != NULL) {
		AE_DEBUG("revocation: %u CRL fetch(es), %u from the cache",
			 ae_crl_source_fetches(src), ae_crl_source_hits(src));
	}
	*_rev = rev;
	*_n = n;
	return AE_OK;
}
