/*
 * ae_xcep.c: the MS-XCEP GetPoliciesResponse ([MS-XCEP] 3.1.4.1.1.2):
 * Response (3.1.4.1.3.23), the CA collection (3.1.4.1.3.2-4), the OID
 * collection (3.1.4.1.3.16) and each policy (CertificateEnrollmentPolicy,
 * 3.1.4.1.3.5) onto the template model (ae_xcep_attrs.c).
 */
#include <string.h>
#include <strings.h>
#include "ae_soap.h"
#include "ae_xcep_private.h"

static ae_err too_many(struct xcep_ctx *c, const char *what, unsigned cap)
{
	ae_why(c->why, c->why_len, "%s: more than %u %s", c->what, cap, what);
	return AE_ERR_TOO_LARGE;
}

static ae_err read_oid(struct xcep_ctx *c, TALLOC_CTX *mem, const xmlNode *n, struct ae_xcep_oid *o)
{
	ae_err err;

	c->what = "oID";
	err = xcep_text(c, mem, n, "value", true, 256, &o->value);
	if (err == AE_OK) {
		size_t i;

		for (i = 0; o->value[i] != '\0'; i++) {
			if ((o->value[i] < '0' || o->value[i] > '9') && o->value[i] != '.') {
				ae_why(c->why, c->why_len, "oID: '%s' is not a dotted OID", o->value);
				return AE_ERR_PARSE;
			}
		}
		err = xcep_u32(c, n, "group", true, &o->group);
	}
	if (err == AE_OK) {
		err = xcep_i32(c, n, "oIDReferenceID", true, &o->ref_id);
	}
	if (err == AE_OK) {
		err = xcep_text(c, mem, n, "defaultName", false, AE_TEMPLATE_TEXT_MAX,
				&o->default_name);
		err = err == AE_ERR_NOT_FOUND ? AE_OK : err;
	}
	return err;
}

static ae_err read_oids(struct xcep_ctx *c, struct ae_xcep_response *r, const xmlNode *list)
{
	size_t n = ae_xml_count(list, AE_XCEP_NS, "oID"), k = 0, i;
	const xmlNode *e;
	ae_err err;

	if (n > AE_XCEP_OIDS_MAX) {
		return too_many(c, "oIDs", AE_XCEP_OIDS_MAX);
	}
	r->oids = talloc_zero_array(r, struct ae_xcep_oid, n);
	if (r->oids == NULL) {
		return AE_ERR_NOMEM;
	}
	for (e = ae_xml_first(list); e != NULL; e = ae_xml_next(e)) {
		if (!ae_xml_is(e, AE_XCEP_NS, "oID")) {
			continue;
		}
		err = read_oid(c, r->oids, e, &r->oids[k]);
		if (err != AE_OK) {
			return err;
		}
		for (i = 0; i < k; i++) {
			if (r->oids[i].ref_id == r->oids[k].ref_id) {
				ae_why(c->why, c->why_len, "oID: reference ID %d given twice",
				       (int)r->oids[k].ref_id);
				return AE_ERR_PARSE;
			}
		}
		k++;
	}
	r->num_oids = n;
	return AE_OK;
}

static ae_err read_uri(struct xcep_ctx *c, TALLOC_CTX *mem, const xmlNode *n, struct ae_xcep_uri *u)
{
	ae_err err = xcep_u32(c, n, "clientAuthentication", true, &u->client_auth);

	if (err == AE_OK) {
		err = xcep_text(c, mem, n, "uri", true, AE_XCEP_URI_MAX, &u->uri);
	}
	if (err == AE_OK && (strncasecmp(u->uri, "https://", 8) != 0 || u->uri[8] == '\0' ||
			     strpbrk(u->uri, " \t\r\n") != NULL)) {
		ae_why(c->why, c->why_len, "%s: URI '%.200s' is not an https URL", c->what, u->uri);
		return AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		err = xcep_u32(c, n, "priority", false, &u->priority);
		err = err == AE_ERR_NOT_FOUND ? AE_OK : err;
	}
	if (err == AE_OK) {
		err = xcep_bool(c, n, "renewalOnly", false, &u->renewal_only);
		err = err == AE_ERR_NOT_FOUND ? AE_OK : err;
	}
	return err;
}

static ae_err read_ca(struct xcep_ctx *c, TALLOC_CTX *mem, const xmlNode *n, struct ae_xcep_ca *ca)
{
	const xmlNode *uris = xcep_opt(n, "uris"), *e, *cert;
	size_t num = ae_xml_count(uris, AE_XCEP_NS, "cAURI"), k = 0;
	ae_err err;

	c->what = "cA";
	err = xcep_i32(c, n, "cAReferenceID", true, &ca->ref_id);
	if (err != AE_OK) {
		return err;
	}
	if (num == 0 || num > AE_XCEP_URIS_MAX) {
		ae_why(c->why, c->why_len, "cA %d: %zu URIs (1 to %d)", (int)ca->ref_id, num,
		       AE_XCEP_URIS_MAX);
		return num == 0 ? AE_ERR_PARSE : AE_ERR_TOO_LARGE;
	}
	ca->uris = talloc_zero_array(mem, struct ae_xcep_uri, num);
	if (ca->uris == NULL) {
		return AE_ERR_NOMEM;
	}
	ca->num_uris = num;
	for (e = ae_xml_first(uris); e != NULL && err == AE_OK; e = ae_xml_next(e)) {
		if (ae_xml_is(e, AE_XCEP_NS, "cAURI")) {
			err = read_uri(c, ca->uris, e, &ca->uris[k++]);
		}
	}
	if (err == AE_OK) {
		err = xcep_bool(c, n, "enrollPermission", false, &ca->enroll_permission);
		err = err == AE_ERR_NOT_FOUND ? AE_OK : err;
	}
	cert = xcep_opt(n, "certificate");
	if (err == AE_OK && cert != NULL) {
		err = ae_xml_base64(mem, cert, AE_XCEP_CERT_MAX, &ca->cert, &ca->cert_len);
		if (err != AE_OK) {
			ae_why(c->why, c->why_len, "cA %d: certificate is not base64 within %d bytes",
			       (int)ca->ref_id, AE_XCEP_CERT_MAX);
		}
	}
	return err;
}

static ae_err read_cas(struct xcep_ctx *c, struct ae_xcep_response *r, const xmlNode *list)
{
	size_t n = ae_xml_count(list, AE_XCEP_NS, "cA"), k = 0;
	const xmlNode *e;
	ae_err err;

	if (n > AE_XCEP_CAS_MAX) {
		return too_many(c, "cAs", AE_XCEP_CAS_MAX);
	}
	r->cas = talloc_zero_array(r, struct ae_xcep_ca, n);
	if (r->cas == NULL) {
		return AE_ERR_NOMEM;
	}
	for (e = ae_xml_first(list); e != NULL; e = ae_xml_next(e)) {
		if (!ae_xml_is(e, AE_XCEP_NS, "cA")) {
			continue;
		}
		err = read_ca(c, r->cas, e, &r->cas[k]);
		if (err != AE_OK) {
			return err;
		}
		r->num_cas = k;
		if (ae_xcep_find_ca(r, r->cas[k].ref_id) != NULL) {
			ae_why(c->why, c->why_len, "cA: reference ID %d given twice",
			       (int)r->cas[k].ref_id);
			return AE_ERR_PARSE;
		}
		k++;
	}
	r->num_cas = n;
	return AE_OK;
}

const struct ae_xcep_ca *ae_xcep_find_ca(const struct ae_xcep_response *r, int32_t id)
{
	size_t i;

	for (i = 0; r != NULL && i < r->num_cas; i++) {
		if (r->cas[i].ref_id == id) {
			return &r->cas[i];
		}
	}
	return NULL;
}

/* A policy's cAReferences: each must name a CA of the response. */
static ae_err ca_refs(struct xcep_ctx *c, const struct ae_xcep_response *r,
		      struct ae_template *t, const xmlNode *list)
{
	size_t n = ae_xml_count(list, AE_XCEP_NS, "cAReference"), k = 0;
	const xmlNode *e;

	if (n > AE_XCEP_LIST_MAX) {
		return too_many(c, "cAReferences", AE_XCEP_LIST_MAX);
	}
	if (n == 0) {
		return AE_OK;
	}
	t->ca_refs = talloc_zero_array(t, int32_t, n);
	if (t->ca_refs == NULL) {
		return AE_ERR_NOMEM;
	}
	for (e = ae_xml_first(list); e != NULL; e = ae_xml_next(e)) {
		int64_t v = 0;

		if (!ae_xml_is(e, AE_XCEP_NS, "cAReference")) {
			continue;
		}
		if (ae_xml_int(e, INT32_MIN, INT32_MAX, &v) != AE_OK ||
		    ae_xcep_find_ca(r, (int32_t)v) == NULL) {
			ae_why(c->why, c->why_len, "%s: cAReference names no CA of the response",
			       t->cn);
			return AE_ERR_PARSE;
		}
		t->ca_refs[k++] = (int32_t)v;
	}
	t->num_ca_refs = n;
	return AE_OK;
}

static ae_err read_policy(struct xcep_ctx *c, struct ae_xcep_response *r, const xmlNode *n,
			  struct ae_template **out)
{
	struct ae_template *t = talloc_zero(r->templates, struct ae_template);
	const xmlNode *attrs = xcep_opt(n, "attributes"), *ref;
	const struct ae_xcep_oid *o = NULL;
	ae_err err;

	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	*out = t;
	c->what = "policy";
	if (attrs == NULL) {
		return xcep_u32(c, n, "attributes", true, NULL);
	}
	err = xcep_attributes(c, t, attrs);
	ref = ae_xml_child(n, AE_XCEP_NS, "policyOIDReference");
	if (err == AE_OK && ref == NULL) {
		ae_why(c->why, c->why_len, "%s: element policyOIDReference missing", t->cn);
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		err = xcep_oid_ref(c, ref, &o);
	}
	if (err == AE_OK) {
		t->oid = talloc_strdup(t, o->value);
		t->display_name = o->default_name != NULL ? talloc_strdup(t, o->default_name) : NULL;
		err = t->oid == NULL || (o->default_name != NULL && t->display_name == NULL) ?
			      AE_ERR_NOMEM : AE_OK;
	}
	if (err == AE_OK) {
		err = ca_refs(c, r, t, xcep_opt(n, "cAs"));
	}
	return err;
}

static ae_err read_policies(struct xcep_ctx *c, struct ae_xcep_response *r, const xmlNode *list)
{
	size_t n = ae_xml_count(list, AE_XCEP_NS, "policy"), k = 0;
	const xmlNode *e;
	ae_err err;

	if (n > AE_XCEP_POLICIES_MAX) {
		return too_many(c, "policies", AE_XCEP_POLICIES_MAX);
	}
	r->templates = talloc_zero_array(r, struct ae_template *, n);
	if (r->templates == NULL) {
		return AE_ERR_NOMEM;
	}
	for (e = ae_xml_first(list); e != NULL; e = ae_xml_next(e)) {
		if (!ae_xml_is(e, AE_XCEP_NS, "policy")) {
			continue;
		}
		err = read_policy(c, r, e, &r->templates[k++]);
		if (err != AE_OK) {
			return err;
		}
	}
	r->num_templates = n;
	return AE_OK;
}

static ae_err read_header(struct xcep_ctx *c, struct ae_xcep_response *r, const xmlNode *resp)
{
	ae_err err;

	c->what = "response";
	err = xcep_text(c, r, resp, "policyID", true, AE_TEMPLATE_TEXT_MAX, &r->policy_id);
	if (err == AE_OK) {
		err = xcep_text(c, r, resp, "policyFriendlyName", false, AE_TEMPLATE_TEXT_MAX,
				&r->friendly_name);
		err = err == AE_ERR_NOT_FOUND ? AE_OK : err;
	}
	if (err == AE_OK) {
		err = xcep_u32(c, resp, "nextUpdateHours", false, &r->next_update_hours);
		r->has_next_update = err == AE_OK;
		err = err == AE_ERR_NOT_FOUND ? AE_OK : err;
	}
	if (err == AE_OK) {
		err = xcep_bool(c, resp, "policiesNotChanged", false, &r->policies_not_changed);
		err = err == AE_ERR_NOT_FOUND ? AE_OK : err;
	}
	return err;
}

/* The GetPoliciesResponse element: the SOAP Body's, or the document's. */
static ae_err find_gpr(const struct ae_xml_doc *d, const xmlNode **out, char *why, size_t why_len)
{
	const xmlNode *n = ae_xml_root(d);

	if (!ae_xml_is(n, AE_XCEP_NS, "GetPoliciesResponse") &&
	    ae_soap_body_first(d, &n) != AE_OK) {
		ae_why(why, why_len, "neither a SOAP 1.2 envelope nor a GetPoliciesResponse");
		return AE_ERR_PARSE;
	}
	if (ae_soap_is_fault(n)) {
		ae_why(why, why_len, "the policy server answered with a SOAP fault");
		return AE_ERR_PARSE;
	}
	if (!ae_xml_is(n, AE_XCEP_NS, "GetPoliciesResponse")) {
		ae_why(why, why_len, "element %s is not an MS-XCEP GetPoliciesResponse",
		       (const char *)n->name);
		return AE_ERR_PARSE;
	}
	*out = n;
	return AE_OK;
}

ae_err ae_xcep_parse_response(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			      struct ae_xcep_response **out, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct xcep_ctx c = { .what = "response", .why = why, .why_len = why_len };
	struct ae_xcep_response *r = NULL;
	struct ae_xml_doc *d = NULL;
	const xmlNode *gpr = NULL, *resp;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_xml_parse_why(tmp, p, len, &d, why, why_len);
	if (err == AE_OK) {
		err = find_gpr(d, &gpr, why, why_len);
	}
	if (err != AE_OK) {
		goto done;
	}
	r = talloc_zero(tmp, struct ae_xcep_response);
	resp = xcep_opt(gpr, "response");
	if (r == NULL) {
		err = AE_ERR_NOMEM;
		goto done;
	}
	err = resp == NULL ? xcep_u32(&c, gpr, "response", true, NULL) : read_header(&c, r, resp);
	if (err == AE_OK) {
		err = read_oids(&c, r, xcep_opt(gpr, "oIDs"));
		c.oids = r->oids;
		c.num_oids = r->num_oids;
	}
	if (err == AE_OK) {
		err = read_cas(&c, r, xcep_opt(gpr, "cAs"));
	}
	if (err == AE_OK) {
		err = read_policies(&c, r, xcep_opt(resp, "policies"));
	}
	if (err == AE_OK) {
		*out = talloc_steal(mem, r);
	}
done:
	talloc_free(tmp);
	return err;
}
