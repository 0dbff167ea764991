/*
 * ae_enroll_flow.c: `autoenroll request` and `autoenroll retrieve`.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include <tevent.h>
#include <param.h>
#include "ae_enroll.h"
#include "ae_enroll_private.h"
#include "ae_creds.h"
#include "ae_log.h"
#include "icpr.h"
#include "ae_ldap.h"
#include "ae_pki.h"
#include "ae_template.h"
#include "ae_key.h"
#include "ae_config.h"
#include "ae_csr.h"
#include "ae_x509.h"
#include "ae_store.h"
#include "ae_principal.h"

#define AE_CLIENT_ID_CERTREQ 9	/* an explicit request, like certreq (MS-WCCE <11>) */

static struct ae_enroll_result *new_result(TALLOC_CTX *mem_ctx, const char *template_name)
{
	struct ae_enroll_result *r = talloc_zero(mem_ctx, struct ae_enroll_result);

	if (r != NULL) {
		r->outcome = AE_OUTCOME_INTERNAL;
		r->outcome_name = "error";
		r->template_name = talloc_strdup(r, template_name ? template_name : "");
	}
	return r;
}

static ae_err make_key(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
		       const char *key_type, const struct ae_template *t, struct ae_key **_key)
{
	struct ae_key_spec spec;
	char desc[64], why[512];
	ae_err err;

	err = ae_config_key_spec(s->config, key_type, "--key-type", t, &spec, why, sizeof(why));
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "%s", why);
		return err;
	}
	err = ae_key_generate(mem, &spec, _key);
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s: %s key generation failed",
			       r->template_name, ae_key_spec_describe(&spec, desc, sizeof(desc)));
		return err;
	}
	AE_INFO("template %s: new %s key", r->template_name, ae_key_describe(*_key, desc,
									      sizeof(desc)));
	return AE_OK;
}

ae_err ae_enroll_csr_params(struct ae_session *s, TALLOC_CTX *mem, const struct ae_template *t,
			    const struct ae_sid *sid, uint32_t client_id, struct ae_csr_params *p)
{
	const char **dns = talloc_zero_array(mem, const char *, 2);
	char *os = NULL;

	if (dns == NULL) {
		return AE_ERR_NOMEM;
	}
	memset(p, 0, sizeof(*p));
	p->template_name = t->cn;
	p->template_oid = t->oid;
	p->schema_version = t->schema_version;
	p->major = t->major_revision;
	p->minor = t->minor_revision;
	/* MS-WCCE 3.1.2.4.2.2.2.10: empty subject unless the enrollee supplies it */
	if (t->name_flag & (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT |
			    CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME)) {
		dns[0] = s->machine_fqdn;
		p->subject_cn = s->machine_fqdn;
		p->dns_names = dns;
	}
	p->client_id = client_id;
	p->machine_name = s->machine_fqdn;
	p->user_name = s->account;
	p->process_name = "autoenroll";
	if (ae_os_version_string(mem, &os) == AE_OK) {
		p->os_version = os;
	}
	return ae_enroll_template_csr_params(mem, t, sid, p);
}

static ae_err make_csr(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
		       const struct ae_template *t, const struct ae_key *key,
		       uint8_t **_der, size_t *_len)
{
	struct ae_csr_params p;
	struct ae_principal *me = NULL;
	ae_err err;

	if (t->name_flag & CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT) {
		/* the SID extension needs the machine's objectSid (ae_enroll_tpl.c) */
		const char *sam = talloc_asprintf(mem, "%s$", lpcfg_netbios_name(s->lp));

		err = sam == NULL ? AE_ERR_NOMEM :
			ae_principal_read(s->ldap, mem, s->rootdse->default_nc, sam, &me);
		if (err != AE_OK) {
			ae_enroll_fail(r, ae_outcome_from_err(err), "template %s: cannot read the "
				       "machine account %s for the SID extension: %s",
				       r->template_name, sam ? sam : "?", ae_strerror(err));
			return err;
		}
	}
	err = ae_enroll_csr_params(s, mem, t, me != NULL ? &me->sid : NULL, AE_CLIENT_ID_CERTREQ,
				   &p);
	if (err != AE_OK) {
		return err;
	}
	err = ae_csr_build(mem, key, &p, _der, _len);
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s: cannot build the PKCS#10 request: %s",
			       r->template_name, ae_strerror(err));
	}
	return err;
}

static ae_err read_template(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			    struct ae_template **_t)
{
	ae_err err = ae_session_ldap(s);

	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s: %s", r->template_name, s->error);
		return err;
	}
	err = ae_policy_read_template(s->ldap, mem, s->rootdse->configuration_nc,
				      r->template_name, _t);
	if (err == AE_ERR_NOT_FOUND) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s not found in CN=Certificate "
			       "Templates,CN=Public Key Services,CN=Services,%s", r->template_name,
			       s->rootdse->configuration_nc);
	} else if (err != AE_OK) {
		ae_enroll_fail(r, ae_outcome_from_err(err), "template %s: cannot read it from %s: %s",
			       r->template_name, s->dc, ae_strerror(err));
	}
	return err;
}

ae_err ae_enroll_request(TALLOC_CTX *mem_ctx, struct ae_session *s,
			 const struct ae_enroll_opts *o, struct ae_enroll_result **_r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_enroll_result *r = new_result(mem_ctx, o->template_name);
	struct ae_template *t = NULL;
	struct ae_cert_list *anchors = NULL;
	struct ae_store *store = NULL;
	struct ae_key *key = NULL;
	struct icpr_request in = { 0 };
	struct icpr_response *resp = NULL;
	char *attribs = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	ae_err err;

	if (tmp == NULL || r == NULL) {
		talloc_free(tmp);
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	*_r = r;
	if (!ae_store_name_ok(o->template_name)) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "invalid template name '%s'",
			       o->template_name ? o->template_name : "");
		err = AE_ERR_INVALID;
		goto done;
	}
	err = read_template(s, tmp, r, &t);
	if (err == AE_OK) {
		err = ae_enroll_lookup_ca(s, tmp, r, t->cn, o->ca_name, &anchors);
	}
	if (err == AE_OK && !(t->flags & CT_FLAG_MACHINE_TYPE)) {
		AE_WARN("template %s is a user template (no CT_FLAG_MACHINE_TYPE); requesting it "
			"as the machine account anyway", t->cn);
	}
	if (err == AE_OK) {
		err = make_key(s, tmp, r, o->key_type, t, &key);
	}
	if (err == AE_OK) {
		err = make_csr(s, tmp, r, t, key, &der, &der_len);
	}
	if (err == AE_OK && der_len > ICPR_BLOB_MAX) {
		err = AE_ERR_TOO_LARGE;
	}
	if (err != AE_OK) {
		goto done;
	}
	in.request.pb = der;
	in.request.cb = (uint32_t)der_len;
	attribs = talloc_asprintf(tmp, "CertificateTemplate:%s", t->cn);
	err = icpr_attribs_blob(tmp, attribs, &in.attribs);
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s: cannot encode attributes",
			       t->cn);
		goto done;
	}
	in.authority = r->ca_name;
	AE_INFO("template %s: submitting to CA %s on %s", t->cn, r->ca_name, r->ca_host);
	err = ae_enroll_call(s, tmp, r, o->transport, &in, &resp);
	if (err == AE_OK) {
		err = ae_enroll_answer(s, tmp, r, o->out_dir, &store, key, resp, anchors);
	}
	if (err == AE_OK && r->outcome == AE_OUTCOME_PENDING) {
		struct ae_pending pe = { .ca = r->ca_name, .ca_host = r->ca_host,
					 .request_id = r->request_id, .template_name = t->cn,
					 .submitted = time(NULL) };
		char *pem = NULL;
		size_t len = 0;
		err = ae_key_to_pem(tmp, key, &pem, &len);
		if (err == AE_OK) {
			err = ae_store_pending_save(store, &pe, pem, len);
		}
		if (err != AE_OK) {
			ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s, CA %s: request %u is pending "
				       "but cannot be recorded in %s: %s", t->cn, r->ca_name,
				       r->request_id, store->dir, ae_strerror(err));
		}
	}
done:
	talloc_free(tmp);
	return err;
}

ae_err ae_enroll_retrieve(TALLOC_CTX *mem_ctx, struct ae_session *s,
			  const struct ae_enroll_opts *o, struct ae_enroll_result **_r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_enroll_result *r = new_result(mem_ctx, NULL);
	struct ae_cert_list *anchors = NULL;
	struct ae_store *store = NULL;
	struct ae_pending *pe = NULL;
	struct ae_key *key = NULL;
	struct icpr_request in = { 0 };
	struct icpr_response *resp = NULL;
	char *key_pem = NULL;
	size_t key_len = 0;
	ae_err err;

	if (tmp == NULL || r == NULL) {
		talloc_free(tmp);
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	*_r = r;
	r->request_id = o->request_id;
	r->ca_name = talloc_strdup(r, o->ca_name ? o->ca_name : "");
	err = ae_enroll_open_store(s, tmp, r, o->out_dir, &store);
	if (err == AE_OK) {
		err = ae_store_pending_load(tmp, store, o->ca_name, o->request_id, &pe,
					    &key_pem, &key_len);
		if (err != AE_OK) {
			ae_enroll_fail(r, err == AE_ERR_NOT_FOUND ? AE_OUTCOME_MISCONFIGURED
								   : AE_OUTCOME_STORE,
				       "CA %s, request %u: %s in %s/pending", o->ca_name,
				       o->request_id, err == AE_ERR_NOT_FOUND ?
				       "no pending request recorded" : "the pending record is unreadable",
				       store->dir);
		}
	}
	if (err == AE_OK) {
		r->template_name = talloc_strdup(r, pe->template_name);
		err = ae_key_from_pem(tmp, (const uint8_t *)key_pem, key_len, &key);
		if (err != AE_OK) {
			ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s, CA %s, request %u: the pending "
				       "key does not load", pe->template_name, pe->ca, o->request_id);
		}
	}
	if (err == AE_OK) {
		err = ae_session_ldap(s);
		if (err != AE_OK) {
			ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s: %s", r->template_name,
				       s->error);
		}
	}
	if (err == AE_OK) {
		err = ae_enroll_lookup_ca(s, tmp, r, pe->template_name, pe->ca, &anchors);
	}
	if (err != AE_OK) {
		goto done;
	}
	/* MS-ICPR retrieval: the request id, both blobs empty */
	in.authority = r->ca_name;
	in.request_id = o->request_id;
	err = ae_enroll_call(s, tmp, r, o->transport, &in, &resp);
	if (err == AE_OK) {
		err = ae_enroll_answer(s, tmp, r, o->out_dir, &store, key, resp, anchors);
	}
	if (err == AE_OK && (r->outcome == AE_OUTCOME_ISSUED || r->outcome == AE_OUTCOME_REJECTED)) {
		/* resolved either way: the record and its key go */
		ae_err e2 = ae_store_pending_remove(store, pe->ca, o->request_id);
		if (e2 != AE_OK) {
			AE_WARN("CA %s, request %u: cannot remove the pending record", pe->ca,
				o->request_id);
		}
	}
done:
	talloc_free(tmp);
	return err;
}
