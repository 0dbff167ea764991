/*
 * ae_enroll_flow.c: `autoenroll request` and `autoenroll retrieve`: open and
 * lock the store (and recover it) before anything goes to the CA, then the
 * per-template step (ae_step.c) the cycle uses too.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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
#include "ae_key_choice.h"
#include "ae_config.h"
#include "ae_csr.h"
#include "ae_x509.h"
#include "ae_store.h"
#include "ae_principal.h"
#include "ae_step.h"

#define AE_CLIENT_ID_CERTREQ 9	/* an explicit request, like certreq (MS-WCCE <11>) */

static ae_err make_key(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
		       const char *key_type, const struct ae_template *t, struct ae_key **_key)
{
	struct ae_key_spec spec;
	struct ae_key_choice ch;
	char desc[64], why[512];
	ae_err err;

	err = ae_config_key_spec(s->config, key_type, "--key-type", t, &spec, why, sizeof(why));
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "%s", why);
		return err;
	}
	ae_key_choose(s->config, t, &ch);
	if (ch.skip) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "%s", ch.why);
		return AE_ERR_UNAVAILABLE;
	}
	err = ae_key_choice_make(mem, &ch, &spec, _key);
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s: %s key generation failed",
			       r->template_name, ae_key_spec_describe(&spec, desc, sizeof(desc)));
		return err;
	}
	AE_INFO("template %s: new %s key (%s: %s)", r->template_name,
		ae_key_describe(*_key, desc, sizeof(desc)), ae_key_source_name(ch.source), ch.why);
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
	/*
	 * MS-WCCE 3.1.2.4.2.2.2.10: empty subject unless the enrollee supplies
	 * it; then the machine's DNS name, or for a user the account name and
	 * no DNS name (the CA builds the rest from the user's object).
	 */
	if ((t->name_flag & (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT |
			     CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME)) != 0 &&
	    s->context == AE_CONTEXT_USER) {
		p->subject_cn = s->sam_account_name;
	} else if (t->name_flag & (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT |
				   CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME)) {
		dns[0] = s->machine_fqdn;
		p->subject_cn = s->machine_fqdn;
		p->dns_names = dns;
	}
	/* request client info ([MS-WCCE] 2.2.2.7.4): this host, and DOMAIN\NAME of the principal */
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
		       const struct ae_template *t, const struct ae_enroll_opts *o,
		       const struct ae_key *key, uint8_t **_der, size_t *_len)
{
	struct ae_csr_params p;
	struct ae_principal *me = NULL;
	ae_err err;

	if (t->name_flag & CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT) {
		/* the SID extension needs the principal's objectSid (ae_enroll_tpl.c) */
		const char *sam = s->sam_account_name;

		err = sam == NULL ? AE_ERR_NOMEM :
			ae_principal_read(s->ldap, mem, s->rootdse->default_nc, sam, &me);
		if (err != AE_OK) {
			ae_enroll_fail(r, ae_outcome_from_err(err), "template %s: cannot read the "
				       "account %s for the SID extension: %s",
				       r->template_name, sam ? sam : "?", ae_strerror(err));
			return err;
		}
	}
	err = ae_enroll_csr_params(s, mem, t, me != NULL ? &me->sid : NULL, AE_CLIENT_ID_CERTREQ,
				   &p);
	if (err == AE_OK) {
		err = ae_enroll_names_apply(mem, o, &p);	/* the administrator's names */
	}
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

/* The template's record: a request already in flight is refused (never overwritten). */
static ae_err check_not_busy(TALLOC_CTX *mem, const struct ae_store *store,
			     struct ae_enroll_result *r, const char *t)
{
	struct ae_store_state *st = NULL;
	ae_err err = ae_store_state_load(mem, store, t, &st);

	if (err == AE_ERR_NOT_FOUND) {
		return AE_OK;
	}
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s: the state record in %s is "
			       "unreadable: %s", t, store->dir, ae_strerror(err));
		return err;
	}
	if (ae_cert_state_in_flight(st->status)) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s: request %u at CA %s is "
			       "already in flight in %s (status %s); retrieve it (autoenroll "
			       "retrieve --ca %s --request-id %u) or have the CA deny it before "
			       "requesting again", t, st->request_id,
			       st->request_ca ? st->request_ca : "?", store->dir,
			       ae_cert_state_name(st->status), st->request_ca ? st->request_ca : "?",
			       st->request_id);
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

ae_err ae_enroll_request(TALLOC_CTX *mem_ctx, struct ae_session *s,
			 const struct ae_enroll_opts *o, struct ae_enroll_result **_r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_enroll_result *r = ae_enroll_result_new(mem_ctx, o->template_name);
	struct ae_enroll_caller caller = { .s = s, .transport = o->transport };
	struct ae_step_ca ca = { .call = ae_enroll_call_fn, .priv = &caller };
	struct ae_step step = { .kind = AE_CERT_ENROLLING };
	struct ae_template *t = NULL;
	struct ae_store *store = NULL;
	struct ae_key *key = NULL;
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
	/* the store first: one that cannot be used fails before the CA is asked */
	err = ae_enroll_open_store(s, tmp, r, o->out_dir, &store);
	if (err == AE_OK) {
		err = read_template(s, tmp, r, &t);
	}
	if (err == AE_OK) {
		err = ae_enroll_names_allowed(r, t, o);	/* before any CA is asked */
	}
	if (err == AE_OK) {
		err = check_not_busy(tmp, store, r, t->cn);
	}
	if (err == AE_OK) {
		err = ae_enroll_lookup_svc(s, tmp, r, t->cn, o->ca_name, &ca.svc);
	}
	if (err == AE_OK && !(t->flags & CT_FLAG_MACHINE_TYPE)) {
		AE_WARN("template %s is a user template (no CT_FLAG_MACHINE_TYPE); requesting it "
			"as the machine account anyway", t->cn);
	}
	if (err == AE_OK) {
		err = make_key(s, tmp, r, o->key_type, t, &key);
	}
	if (err == AE_OK) {
		err = make_csr(s, tmp, r, t, o, key, &der, &der_len);
	}
	if (err != AE_OK) {
		goto done;
	}
	step.store = store;
	step.template_name = t->cn;
	step.t = t;
	step.key = key;
	step.csr = der;
	step.csr_len = der_len;
	AE_INFO("template %s: submitting to CA %s on %s", t->cn, ca.svc->cn, ca.svc->dns_host);
	err = ae_step_submit(tmp, &step, &ca, r);
done:
	talloc_free(tmp);
	return err;
}

/* The template whose PENDING record names (ca, id); recovery adopted old pending/ ones. */
static ae_err find_pending(TALLOC_CTX *mem, const struct ae_store *store,
			   struct ae_enroll_result *r, const char *ca, uint32_t id, char **_t)
{
	struct ae_store_snapshot *snap = NULL;
	ae_err err = ae_store_snapshot(mem, store, &snap);
	size_t i;

	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_STORE, "CA %s, request %u: cannot read the store %s: %s",
			       ca, id, store->dir, ae_strerror(err));
		return err;
	}
	for (i = 0; i < snap->num_certs; i++) {
		const struct ae_store_cert *c = &snap->certs[i];
		if (c->state == AE_CERT_PENDING && c->pending_request_id == id &&
		    c->pending_ca != NULL && strcasecmp(c->pending_ca, ca) == 0) {
			*_t = talloc_strdup(mem, c->template_name);
			return *_t != NULL ? AE_OK : AE_ERR_NOMEM;
		}
	}
	ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "CA %s, request %u: no template in %s has "
		       "this request pending", ca, id, store->dir);
	return AE_ERR_NOT_FOUND;
}

ae_err ae_enroll_retrieve(TALLOC_CTX *mem_ctx, struct ae_session *s,
			  const struct ae_enroll_opts *o, struct ae_enroll_result **_r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_enroll_result *r = ae_enroll_result_new(mem_ctx, NULL);
	struct ae_enroll_caller caller = { .s = s, .transport = o->transport };
	struct ae_step_ca ca = { .call = ae_enroll_call_fn, .priv = &caller };
	struct ae_step step = { 0 };
	struct ae_template *t = NULL;
	struct ae_store *store = NULL;
	char *name = NULL;
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
		err = find_pending(tmp, store, r, o->ca_name, o->request_id, &name);
	}
	if (err == AE_OK) {
		r->template_name = talloc_strdup(r, name);
		err = ae_session_ldap(s);
		if (err != AE_OK) {
			ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s: %s", name, s->error);
		}
	}
	if (err == AE_OK) {
		/* the template gives the renewal time; a template gone from AD does not stop it */
		if (ae_policy_read_template(s->ldap, tmp, s->rootdse->configuration_nc, name,
					    &t) != AE_OK) {
			AE_WARN("template %s: not readable from AD; its renewal time stays unknown",
				name);
			t = NULL;
		}
		err = ae_enroll_lookup_svc(s, tmp, r, name, o->ca_name, &ca.svc);
	}
	if (err != AE_OK) {
		goto done;
	}
	step.store = store;
	step.template_name = name;
	step.t = t;
	err = ae_step_retrieve(tmp, &step, &ca, r);
done:
	talloc_free(tmp);
	return err;
}
