/*
 * ae_extca.c: submit and poll for a key holder outside the store
 * (ae_extca.h), over the pieces `autoenroll request` uses (ae_enroll.c):
 * the Enrollment Service from AD, ae_enroll_call, ae_enroll_classify and
 * ae_enroll_verify_issued. Nothing here touches the store.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_extca.h"
#include "ae_enroll_private.h"
#include "ae_csr_read.h"
#include "ae_ldap.h"
#include "ae_log.h"
#include "ae_ms_ext.h"
#include "ae_pki.h"
#include "ae_template.h"
#include "ae_x509.h"
#include "icpr.h"

ae_err ae_extca_csr_read(TALLOC_CTX *mem, const uint8_t *pem, size_t len,
			 struct ae_extca_csr **_c, char *why, size_t why_len)
{
	struct ae_extca_csr *c = talloc_zero(mem, struct ae_extca_csr);
	ae_err err;

	snprintf(why, why_len, "out of memory");
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	err = len > AE_EXTCA_CSR_MAX ? AE_ERR_TOO_LARGE :
	      ae_csr_pem_to_der(c, pem, len, &c->der, &c->der_len);
	if (err != AE_OK) {
		snprintf(why, why_len, "the request is not one PEM CERTIFICATE REQUEST of at most "
			 "%d bytes: %s", AE_EXTCA_CSR_MAX, ae_strerror(err));
		talloc_free(c);
		return err;
	}
	err = ae_csr_parse(c, c->der, c->der_len, &c->info);
	if (err != AE_OK) {
		snprintf(why, why_len, "the PKCS#10 request (%zu bytes) is not valid: %s%s",
			 c->der_len, ae_strerror(err), err == AE_ERR_PARSE ?
			 " (malformed, a bad self-signature or a malformed template extension)" :
			 err == AE_ERR_UNSUPPORTED ? " (the key is neither RSA nor EC)" : "");
		talloc_free(c);
		return err;
	}
	c->template_name = c->info->template_name;
	c->template_oid = c->info->template_oid;
	memcpy(c->spki_sha256, c->info->spki_sha256, sizeof(c->spki_sha256));
	*_c = c;
	return AE_OK;
}

static struct ae_extca_answer *new_answer(TALLOC_CTX *mem, const char *template_name)
{
	struct ae_extca_answer *a = talloc_zero(mem, struct ae_extca_answer);

	if (a != NULL) {
		a->r = ae_enroll_result_new(a, template_name);
		if (a->r == NULL) {
			TALLOC_FREE(a);
		}
	}
	return a;
}

/* A template name that can go into the request attributes: no control character. */
static bool name_ok(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n > AE_TEMPLATE_NAME_MAX) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

/* The template cn whose msPKI-Cert-Template-OID is oid. */
static ae_err template_by_oid(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			      const char *oid, const char **_name)
{
	struct ae_template **t = NULL;
	size_t n = 0, i;
	ae_err err = ae_policy_read_templates(s->ldap, mem, s->rootdse->configuration_nc, false,
					      &t, &n, NULL, NULL);

	if (err != AE_OK) {
		ae_enroll_fail(r, ae_outcome_from_err(err), "cannot read the templates from %s: %s",
			       s->dc, ae_strerror(err));
		return err;
	}
	for (i = 0; i < n; i++) {
		if (t[i]->oid != NULL && strcmp(t[i]->oid, oid) == 0) {
			*_name = t[i]->cn;
			return AE_OK;
		}
	}
	ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "the request's template extension names %s, "
		       "which no template in AD has as msPKI-Cert-Template-OID", oid);
	return AE_ERR_NOT_FOUND;
}

/* The template to ask for: the caller's, else the request's own. */
static ae_err which_template(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			     const char *asked, const struct ae_extca_csr *c, const char **_name)
{
	const char *name = asked != NULL ? asked : c->template_name;
	ae_err err = AE_OK;

	if (asked != NULL && c->template_name != NULL && strcasecmp(asked, c->template_name) != 0) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s was asked for, but the "
			       "request's template name extension says %s", asked, c->template_name);
		return AE_ERR_MISMATCH;
	}
	if (name == NULL && c->template_oid != NULL) {
		err = template_by_oid(s, mem, r, c->template_oid, &name);
	} else if (name == NULL) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "no template: none was asked for and the "
			       "request has no template extension");
		err = AE_ERR_CONFIG;
	}
	if (err == AE_OK && !name_ok(name)) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "invalid template name (empty, longer "
			       "than %d bytes or with a control character)", AE_TEMPLATE_NAME_MAX);
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		talloc_free(r->template_name);
		r->template_name = talloc_strdup(r, name);
		*_name = name;
	}
	return err;
}

/* The CA's answer: classified; an issued certificate verified (c's key, chain to AD's CA). */
static ae_err conclude(TALLOC_CTX *mem, struct ae_extca_answer *a, const struct ae_extca_csr *c,
		       const struct ae_enrollment_service *svc, const struct icpr_response *resp)
{
	struct ae_enroll_result *r = a->r;
	struct ae_cert_list *anchors = NULL;
	struct ae_issued is = { 0 };
	ae_err err;

	ae_enroll_classify(r, resp);
	if (r->outcome != AE_OUTCOME_ISSUED) {
		return AE_OK;
	}
	err = ae_enroll_anchors(mem, svc, &anchors);
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "template %s: no cACertificate of the CA %s "
			       "in AD parses", r->template_name, svc->cn);
		return AE_OK;
	}
	if (ae_enroll_verify_issued(mem, r, c->info->key, resp, anchors, &is) != AE_OK) {
		if (r->outcome == AE_OUTCOME_ISSUED) {
			ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: the issued "
				       "certificate fails the checks", r->template_name, svc->cn);
		}
		return AE_OK;
	}
	a->cert_pem = talloc_steal(a, is.cert_pem);
	a->chain_pem = talloc_steal(a, is.chain_pem);
	return AE_OK;
}

/* The session's LDAP connection, or r filled. */
static ae_err need_ldap(struct ae_session *s, struct ae_enroll_result *r)
{
	ae_err err = ae_session_ldap(s);

	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "%s", s->error);
	}
	return err;
}

ae_err ae_extca_submit(TALLOC_CTX *mem, struct ae_session *s, const char *template_name,
		       const char *ca_name, const struct ae_extca_csr *c,
		       struct ae_extca_answer **_a)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_extca_answer *a = new_answer(mem, template_name);
	const struct ae_enrollment_service *svc = NULL;
	struct icpr_request in = { 0 };
	struct icpr_response *resp = NULL;
	const char *name = NULL;
	char *attribs = NULL;
	ae_err err;

	if (tmp == NULL || a == NULL) {
		talloc_free(tmp);
		talloc_free(a);
		return AE_ERR_NOMEM;
	}
	*_a = a;
	err = need_ldap(s, a->r);
	if (err == AE_OK) {
		err = which_template(s, tmp, a->r, template_name, c, &name);
	}
	if (err == AE_OK) {
		err = ae_enroll_lookup_svc(s, tmp, a->r, name, ca_name, &svc);
	}
	if (err == AE_OK) {
		attribs = talloc_asprintf(tmp, "CertificateTemplate:%s", name);
		err = attribs ? icpr_attribs_blob(tmp, attribs, &in.attribs) : AE_ERR_NOMEM;
		if (err != AE_OK) {
			ae_enroll_fail(a->r, AE_OUTCOME_INTERNAL, "template %s: cannot encode the "
				       "request attributes", name);
		}
	}
	if (err == AE_OK) {
		in.authority = svc->cn;
		in.request.pb = c->der;
		in.request.cb = (uint32_t)c->der_len;
		AE_INFO("template %s: submitting an external request to CA %s on %s", name,
			svc->cn, svc->dns_host);
		err = ae_enroll_call(s, tmp, a->r, AE_TRANSPORT_AUTO, &in, &resp);
	}
	if (err == AE_OK) {
		err = conclude(tmp, a, c, svc, resp);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_extca_poll(TALLOC_CTX *mem, struct ae_session *s, const char *template_name,
		     const char *ca_name, uint32_t request_id, const struct ae_extca_csr *c,
		     struct ae_extca_answer **_a)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_extca_answer *a = new_answer(mem, template_name ? template_name : "?");
	const struct ae_enrollment_service *svc = NULL;
	struct icpr_request in = { 0 };
	struct icpr_response *resp = NULL;
	ae_err err;

	if (tmp == NULL || a == NULL) {
		talloc_free(tmp);
		talloc_free(a);
		return AE_ERR_NOMEM;
	}
	*_a = a;
	a->r->request_id = request_id;
	err = need_ldap(s, a->r);
	if (err == AE_OK) {
		/* by name only: the id means something only at the CA that gave it */
		err = ae_enroll_lookup_svc(s, tmp, a->r, a->r->template_name, ca_name, &svc);
	}
	if (err == AE_OK) {
		in.authority = svc->cn;
		in.request_id = request_id;
		err = ae_enroll_call(s, tmp, a->r, AE_TRANSPORT_AUTO, &in, &resp);
	}
	if (err == AE_OK) {
		err = conclude(tmp, a, c, svc, resp);
	}
	talloc_free(tmp);
	return err;
}
