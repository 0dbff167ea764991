/*
 * ae_polsrv_map.c: an MS-XCEP GetPoliciesResponse onto the report's model
 * (the one the LDAP policy fills), and the one way a policy server's
 * templates, eligibility and CAs enter the report.
 *
 * Each CA of the response ([MS-XCEP] 3.1.4.1.3.2) becomes a synthesized
 * Enrollment Service: cn the sanitized subject CN of its certificate
 * ([MS-WCCE] 3.1.1.4.1.1), dns_host the host of its best URI (lowest
 * priority, not renewal-only first), ca_certs its certificate, templates
 * the cn of every policy whose cAReferences name it, xcep_ca and polsrv
 * set, dn NULL. A template cn offered by an earlier server is kept from
 * that server; the later one is noted in r->errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/x509.h>
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_policy_report.h"
#include "ae_pki.h"
#include "ae_eligibility.h"
#include "ae_x509.h"
#include "ae_xcep.h"

#define CN_MAX 64	/* characters of a CA name we keep */

/* [MS-WCCE] 3.1.1.4.1.1: characters outside the safe set as !xxxx (UTF-16 code unit) */
char *ae_polsrv_sanitize_cn(TALLOC_CTX *mem, const char *cn)
{
	char *out = talloc_strdup(mem, "");
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)cn; out != NULL && *p && n < CN_MAX;
	     p++, n++) {
		if (isalnum(*p) || *p == ' ' || *p == '-' || *p == '.' || *p == '_') {
			out = talloc_asprintf_append(out, "%c", *p);
		} else {
			out = talloc_asprintf_append(out, "!%04x", *p);
		}
	}
	return out;
}

/* the subject CN of a DER certificate, or NULL */
static char *subject_cn(TALLOC_CTX *mem, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = der != NULL ? d2i_X509(NULL, &p, (long)len) : NULL;
	char buf[256];
	char *cn = NULL;

	if (x != NULL && p == der + len &&
	    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf,
				      sizeof(buf)) > 0) {
		cn = ae_polsrv_sanitize_cn(mem, buf);
	}
	X509_free(x);
	return cn;
}

/* the host of https://host[:port]/... ([IPv6] kept without brackets) */
char *ae_polsrv_url_host(TALLOC_CTX *mem, const char *url)
{
	const char *h, *e;

	if (url == NULL || strncasecmp(url, "https://", 8) != 0) {
		return NULL;
	}
	h = url + 8;
	if (*h == '[') {
		e = strchr(h, ']');
		return e != NULL ? talloc_strndup(mem, h + 1, (size_t)(e - h - 1)) : NULL;
	}
	e = h + strcspn(h, ":/?#");
	return e > h ? talloc_strndup(mem, h, (size_t)(e - h)) : NULL;
}

static const struct ae_xcep_uri *best_uri(const struct ae_xcep_ca *ca)
{
	const struct ae_xcep_uri *best = NULL;

	for (size_t i = 0; i < ca->num_uris; i++) {
		const struct ae_xcep_uri *u = &ca->uris[i];
		if (best == NULL || (best->renewal_only && !u->renewal_only) ||
		    (best->renewal_only == u->renewal_only && u->priority < best->priority)) {
			best = u;
		}
	}
	return best;
}

static bool names_ca(const struct ae_template *t, int32_t ref)
{
	for (size_t i = 0; i < t->num_ca_refs; i++) {
		if (t->ca_refs[i] == ref) {
			return true;
		}
	}
	return false;
}

static ae_err one_ca(TALLOC_CTX *mem, const struct ae_xcep_response *resp,
		     const struct ae_xcep_ca *x, size_t server, struct ae_enrollment_service **_c)
{
	struct ae_enrollment_service *c = talloc_zero(mem, struct ae_enrollment_service);
	const struct ae_xcep_uri *u = best_uri(x);

	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	c->xcep_ca = x;
	c->polsrv = server;
	c->cn = subject_cn(c, x->cert, x->cert_len);
	if (c->cn == NULL) {
		c->cn = talloc_asprintf(c, "XCEP CA %d", (int)x->ref_id);
	}
	c->dns_host = u != NULL ? ae_polsrv_url_host(c, u->uri) : NULL;
	if (x->cert != NULL) {
		c->ca_certs = talloc_zero(c, struct ae_der_blob);
		if (c->ca_certs == NULL ||
		    (c->ca_certs->der = talloc_memdup(c->ca_certs, x->cert, x->cert_len)) == NULL) {
			return AE_ERR_NOMEM;
		}
		c->ca_certs->len = x->cert_len;
		c->num_ca_certs = 1;
	}
	c->templates = talloc_zero_array(c, char *, resp->num_templates + 1);
	for (size_t i = 0; c->templates != NULL && i < resp->num_templates; i++) {
		if (names_ca(resp->templates[i], x->ref_id)) {
			c->templates[c->num_templates++] = resp->templates[i]->cn;
		}
	}
	if (c->cn == NULL || c->templates == NULL) {
		return AE_ERR_NOMEM;
	}
	*_c = c;
	return AE_OK;
}

ae_err ae_polsrv_xcep_cas(TALLOC_CTX *mem, const struct ae_xcep_response *resp, size_t server,
			  struct ae_enrollment_service ***_cas, size_t *_num)
{
	struct ae_enrollment_service **v = talloc_zero_array(mem, struct ae_enrollment_service *,
							     resp->num_cas + 1);
	ae_err err = v != NULL ? AE_OK : AE_ERR_NOMEM;

	for (size_t i = 0; err == AE_OK && i < resp->num_cas; i++) {
		err = one_ca(v, resp, &resp->cas[i], server, &v[i]);
	}
	if (err != AE_OK) {
		talloc_free(v);
		return err;
	}
	*_cas = v;
	*_num = resp->num_cas;
	return AE_OK;
}

/* which server offered r->templates[i] */
static const struct ae_polsrv *server_of(const struct ae_policy_report *r, size_t i)
{
	for (size_t k = 0; k < r->num_servers; k++) {
		const struct ae_polsrv *p = &r->servers[k];
		if (i >= p->first_template && i < p->first_template + p->num_templates) {
			return p;
		}
	}
	return NULL;
}

static ae_err grow(struct ae_policy_report *r, size_t add_t, size_t add_c)
{
	struct ae_template **t = talloc_realloc(r, r->templates, struct ae_template *,
						r->num_templates + add_t + 1);
	struct ae_eligibility *e;
	struct ae_enrollment_service **c;

	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	r->templates = t;
	e = talloc_realloc(r, r->eligibility, struct ae_eligibility, r->num_templates + add_t + 1);
	if (e == NULL) {
		return AE_ERR_NOMEM;
	}
	r->eligibility = e;
	c = talloc_realloc(r, r->cas, struct ae_enrollment_service *, r->num_cas + add_c + 1);
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	r->cas = c;
	return AE_OK;
}

ae_err ae_polsrv_report_add(struct ae_policy_report *r, size_t server,
			    struct ae_template *const *templates, size_t n,
			    struct ae_enrollment_service *const *cas, size_t num_cas,
			    const struct ae_eligibility *elig)
{
	struct ae_polsrv *ps = server < r->num_servers ? &r->servers[server] : NULL;
	size_t first = r->num_templates, before = r->num_templates;
	ae_err err = grow(r, n, num_cas);

	for (size_t i = 0; err == AE_OK && i < n; i++) {
		const struct ae_polsrv *other = NULL;
		size_t j;

		for (j = 0; j < before; j++) {
			if (strcasecmp(r->templates[j]->cn, templates[i]->cn) == 0) {
				other = server_of(r, j);
				break;
			}
		}
		if (j < before) {
			ae_policy_report_error(r, templates[i]->cn, ps ? ps->url : "", "also offered by "
					       "the earlier policy server %s: that one is used",
					       other ? other->url : "(AD)");
			continue;
		}
		r->templates[r->num_templates] = templates[i];
		r->eligibility[r->num_templates] = elig[i];
		r->num_templates++;
	}
	for (size_t i = 0; err == AE_OK && i < num_cas; i++) {
		r->cas[r->num_cas++] = cas[i];
	}
	if (err == AE_OK && ps != NULL) {
		ps->first_template = first;
		ps->num_templates = r->num_templates - first;
	}
	return err;
}
