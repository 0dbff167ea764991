/*
 * ae_step.c: the per-template network step (ae_step.h) shared by
 * `request`, `retrieve` and the cycle.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_step.h"
#include "ae_enroll_private.h"
#include "ae_decide.h"
#include "ae_file.h"
#include "ae_hresult.h"
#include "ae_log.h"
#include "icpr.h"
#include "ae_pki.h"
#include "ae_template.h"
#include "ae_key.h"
#include "ae_x509.h"
#include "ae_crl.h"
#include "ae_store.h"

static ae_err certinfo_of(TALLOC_CTX *mem, const struct ae_cert *leaf, const char *ca,
			  uint32_t request_id, struct ae_store_certinfo *info)
{
	struct ae_cert_template ti = { 0 };

	memset(info, 0, sizeof(*info));
	info->ca = talloc_strdup(mem, ca);
	info->request_id = request_id;
	if (ae_cert_template_info(mem, leaf, &ti) == AE_OK) {
		info->template_oid = ti.oid;
		info->template_v1_name = ti.v1_name;
		info->major = ti.major;
		info->minor = ti.minor;
		info->has_major = ti.has_major;
	}
	if (ae_cert_serial_hex(mem, leaf, &info->serial_hex) != AE_OK ||
	    ae_cert_thumbprint_hex(mem, leaf, &info->thumbprint_hex) != AE_OK ||
	    ae_cert_issuer(mem, leaf, &info->issuer) != AE_OK ||
	    ae_cert_not_before(leaf, &info->not_before) != AE_OK ||
	    ae_cert_not_after(leaf, &info->not_after) != AE_OK) {
		return AE_ERR_CRYPTO;
	}
	if (ae_cert_cdp_urls(mem, leaf, &info->cdp_urls, &info->num_cdp_urls) != AE_OK) {
		info->cdp_urls = NULL;
		info->num_cdp_urls = 0;
	}
	return AE_OK;
}

/*
 * Why the store failed: for a file system error, also the file and errno
 * the file layer saw (a full disk, a read-only store), e.g. "file system
 * error (cannot create LabMachine.key.new.tmp.42: No space left on device)".
 */
static const char *store_cause(TALLOC_CTX *mem, ae_err err)
{
	const char *last = ae_file_last_error();
	char *s = NULL;

	if (err == AE_ERR_IO && last[0] != '\0') {
		s = talloc_asprintf(mem, "%s (%s)", ae_strerror(err), last);
	}
	return s != NULL ? s : ae_strerror(err);
}

static void set_outcome(struct ae_enroll_result *r, enum ae_outcome o, const char *name)
{
	r->outcome = o;
	r->outcome_name = name;
}

/* A call function that failed without saying how (the interface asks it to) is not "issued". */
static void call_failed_outcome(struct ae_enroll_result *r, ae_err err)
{
	if (err != AE_OK && r->outcome == AE_OUTCOME_ISSUED) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s, CA %s: the CA call failed: %s",
			       r->template_name ? r->template_name : "?",
			       r->ca_name ? r->ca_name : "?", ae_strerror(err));
	}
}

/*
 * A reply that arrived but does not decode as a CertServerRequest answer
 * (the transport's NT_STATUS_RPC_BAD_STUB_DATA: truncated, garbage, a blob
 * over ICPR_BLOB_MAX) is the CA's answer failing our checks (exit 7), not
 * an unreachable CA (exit 5), whichever call function reported it; `request`
 * and the cycle say the same.
 */
static void garbled_answer(struct ae_enroll_result *r)
{
	const char *why = " (the reply is not a valid CertServerRequest answer)";
	char *was = NULL;

	if (r->outcome != AE_OUTCOME_UNREACHABLE ||
	    r->nt_status != NT_STATUS_V(NT_STATUS_RPC_BAD_STUB_DATA)) {
		return;
	}
	was = talloc_steal(r, r->error);
	ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "%s%s", was ? was : "the CA's reply",
		       was != NULL && strstr(was, why) != NULL ? "" : why);
	talloc_free(was);
}

/*
 * An answer "issued", verified: commit it. The record is PENDING already
 * (the request id is durable); a failure here leaves it so, with the
 * staged files the commit wrote, for the next run to finish. unrecorded
 * (why, or NULL): the PENDING save failed (EIO); the commit's staged record
 * then carries the request id (ae_store_staged_request), if it got that far.
 */
static ae_err install(TALLOC_CTX *mem, const struct ae_step *st, const struct ae_step_ca *ca,
		      const struct ae_issued *is, const char *unrecorded,
		      struct ae_enroll_result *r)
{
	struct ae_store_certinfo info;
	char *staged_ca = NULL;
	uint32_t staged_id = 0;
	ae_err err = certinfo_of(mem, is->leaf, ca->svc->cn, r->request_id, &info);

	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s, CA %s: cannot read the issued "
			       "certificate's fields", st->template_name, ca->svc->cn);
		return err;
	}
	if (st->t != NULL) {
		ae_bind_template(mem, st->store, st->template_name, ca->svc, st->t, &info, &r->note);
		if (r->note != NULL) {
			talloc_steal(r, r->note);
		}
		info.renew_at = ae_decide_renew_at(info.not_before, info.not_after, st->t->overlap_s);
		/* names from the request ([MS-CRTD] 2.28): renewed only with 0x8 */
		info.enrollee_names = (st->t->name_flag & CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT) != 0;
		info.manual_renewal = info.enrollee_names &&
			(st->t->name_flag & CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME) == 0;
	}
	ae_file_clear_error();
	err = ae_store_commit(st->store, st->template_name, is->cert_pem, is->cert_len,
			      is->chain_pem, strlen(is->chain_pem), &info);
	if (err != AE_OK && unrecorded != NULL &&
	    !ae_store_staged_request(mem, st->store, st->template_name, &staged_ca, &staged_id)) {
		ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s, CA %s: request %u was issued but "
			       "can be neither recorded nor installed in %s: %s; the next run "
			       "requests again (request %u stays unused at the CA)",
			       st->template_name, ca->svc->cn, r->request_id, st->store->dir,
			       store_cause(mem, err), r->request_id);
		return err;
	}
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s, CA %s: request %u was issued but "
			       "cannot be installed into %s: %s; the request id is recorded and the "
			       "next run installs it", st->template_name, ca->svc->cn, r->request_id,
			       st->store->dir, store_cause(mem, err));
		return err;
	}
	if (unrecorded != NULL) {
		r->note = talloc_asprintf(r, "%s%snot recorded as pending first (%s): installed "
					  "directly", r->note ? r->note : "", r->note ? "; " : "",
					  unrecorded);
	}
	r->serial_hex = talloc_steal(r, info.serial_hex);
	r->not_after = info.not_after;
	r->key_path = ae_store_path(r, st->store, st->template_name, ".key");
	r->cert_path = ae_store_path(r, st->store, st->template_name, ".crt");
	r->chain_path = ae_store_path(r, st->store, st->template_name, ".chain.pem");
	set_outcome(r, AE_OUTCOME_ISSUED, "issued");
	return AE_OK;
}

/* The CA's answer to a submission or a retrieval (the record is ENROLLING/RENEWING or PENDING). */
static ae_err conclude(TALLOC_CTX *mem, const struct ae_step *st, const struct ae_step_ca *ca,
		       const struct ae_key *key, const struct icpr_response *resp, bool retrieving,
		       struct ae_enroll_result *r)
{
	struct ae_cert_list *anchors = NULL;
	struct ae_issued is = { 0 };
	const char *unrecorded = NULL;
	ae_err err = AE_OK;

	ae_enroll_classify(r, resp);
	if (r->outcome == AE_OUTCOME_PENDING || r->outcome == AE_OUTCOME_ISSUED) {
		/* the answer's one durable fact first: the request id */
		if (!retrieving) {
			ae_file_clear_error();
			err = ae_store_pending(st->store, st->template_name, ca->svc->cn,
					       r->request_id);
		}
		if (err != AE_OK && r->outcome == AE_OUTCOME_ISSUED) {
			/* the certificate is here: install it rather than lose it (a commit
			 * stages the request id in its next record, which recovery takes) */
			unrecorded = store_cause(mem, err);
			AE_WARN("template %s, CA %s: request %u was issued but cannot be recorded "
				"as pending in %s: %s; installing it directly", st->template_name,
				ca->svc->cn, r->request_id, st->store->dir, unrecorded);
			err = AE_OK;
		}
		if (err != AE_OK) {
			ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s, CA %s: request %u was "
				       "answered but cannot be recorded in %s: %s; the next run "
				       "requests again (request %u stays pending at the CA)",
				       st->template_name, ca->svc->cn, r->request_id, st->store->dir,
				       store_cause(mem, err), r->request_id);
			return err;
		}
		if (r->outcome == AE_OUTCOME_PENDING) {
			return AE_OK;
		}
		err = ae_enroll_anchors(mem, ca->svc, &anchors);
		if (err == AE_OK) {
			err = ae_enroll_verify_issued(mem, r, key, resp, anchors, &is);
		} else {
			ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "template %s: no cACertificate of the "
				       "CA %s in AD parses", st->template_name, ca->svc->cn);
		}
		if (err == AE_OK) {
			return install(mem, st, ca, &is, unrecorded, r);
		}
		if (r->outcome == AE_OUTCOME_ISSUED) {
			set_outcome(r, AE_OUTCOME_UNVERIFIED, "error");
		}
	}
	/* refused, or an answer that failed our checks: the new key goes */
	err = ae_store_abort(st->store, st->template_name, r->error ? r->error : "refused");
	if (err != AE_OK) {
		AE_WARN("template %s: cannot drop the refused request from the store: %s",
			st->template_name, ae_strerror(err));
	}
	return AE_OK;
}

ae_err ae_step_submit(TALLOC_CTX *mem, const struct ae_step *st, const struct ae_step_ca *ca,
		      struct ae_enroll_result *r)
{
	struct icpr_request in = { 0 };
	struct icpr_response *resp = NULL;
	struct ae_cert_list *anchors = NULL;
	char *key_pem = NULL, *attribs = NULL;
	size_t key_len = 0;
	ae_err err;

	r->template_name = talloc_strdup(r, st->template_name);
	r->ca_name = talloc_strdup(r, ca->svc->cn);
	r->ca_host = talloc_strdup(r, ca->svc->dns_host);
	if (st->csr_len > ICPR_BLOB_MAX) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s: the request is too large (%zu "
			       "bytes)", st->template_name, st->csr_len);
		return AE_ERR_TOO_LARGE;
	}
	attribs = talloc_asprintf(mem, "CertificateTemplate:%s", st->t ? st->t->cn
								       : st->template_name);
	err = attribs ? icpr_attribs_blob(mem, attribs, &in.attribs) : AE_ERR_NOMEM;
	if (err == AE_OK) {
		err = ae_key_to_pem(mem, st->key, &key_pem, &key_len);
	}
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s: cannot encode the request",
			       st->template_name);
		return err;
	}
	/* an answer could not be checked without the CA's certificate: ask nothing then */
	if (ae_enroll_anchors(mem, ca->svc, &anchors) != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s: no cACertificate of the CA "
			       "%s in AD parses", st->template_name, ca->svc->cn);
		return AE_ERR_PARSE;
	}
	/* nothing goes to the CA before the store holds the key */
	ae_file_clear_error();
	err = ae_store_begin(st->store, st->template_name, st->kind, key_pem, key_len);
	if (err != AE_OK) {
		ae_enroll_fail(r, err == AE_ERR_INVALID ? AE_OUTCOME_MISCONFIGURED : AE_OUTCOME_STORE,
			       "template %s: cannot record the new request in %s: %s",
			       st->template_name, st->store->dir, store_cause(mem, err));
		return err;
	}
	in.authority = ca->svc->cn;
	in.request.pb = (uint8_t *)st->csr;
	in.request.cb = (uint32_t)st->csr_len;
	err = ca->call(ca->priv, mem, r, &in, &resp);
	call_failed_outcome(r, err);
	garbled_answer(r);
	if (err != AE_OK) {
		/* no answer: no request id to wait for */
		(void)ae_store_abort(st->store, st->template_name, r->error ? r->error
									  : "the CA call failed");
		return err;
	}
	return conclude(mem, st, ca, st->key, resp, false, r);
}

/* A received answer staged next to the PENDING record, as a response to verify again. */
static bool staged_answer(TALLOC_CTX *mem, const struct ae_step *st, struct icpr_response *out)
{
	struct ae_cert *leaf = NULL;
	struct ae_cert_list *chain = NULL;
	char *crt = NULL, *chn = NULL;
	size_t crt_len = 0, chn_len = 0;
	uint8_t *der = NULL, *p7 = NULL;
	size_t der_len = 0, p7_len = 0;

	if (ae_store_read_new(mem, st->store, st->template_name, AE_STORE_NEW_CRT, &crt,
			      &crt_len) != AE_OK ||
	    ae_store_read_new(mem, st->store, st->template_name, AE_STORE_NEW_CHAIN, &chn,
			      &chn_len) != AE_OK) {
		return false;
	}
	if (ae_cert_parse_pem(mem, (const uint8_t *)crt, crt_len, &leaf) != AE_OK ||
	    ae_cert_to_der(mem, leaf, &der, &der_len) != AE_OK) {
		AE_WARN("template %s: the received certificate %s.crt.new does not parse; "
			"retrieving it again", st->template_name, st->template_name);
		return false;
	}
	if (chn_len > 0 && (ae_cert_list_parse_pem(mem, (const uint8_t *)chn, chn_len,
						   &chain) != AE_OK ||
			    ae_pkcs7_certs_build(mem, chain, &p7, &p7_len) != AE_OK)) {
		return false;
	}
	memset(out, 0, sizeof(*out));
	out->disposition = AE_CR_DISP_ISSUED;
	out->encoded_cert.pb = der;
	out->encoded_cert.cb = (uint32_t)der_len;
	out->cert.pb = p7;
	out->cert.cb = (uint32_t)p7_len;
	return true;
}

ae_err ae_step_retrieve(TALLOC_CTX *mem, const struct ae_step *st, const struct ae_step_ca *ca,
			struct ae_enroll_result *r)
{
	struct ae_store_state *rec = NULL;
	struct icpr_request in = { 0 };
	struct icpr_response *resp = NULL, staged;
	struct ae_key *key = NULL;
	char *key_pem = NULL;
	size_t key_len = 0;
	ae_err err;

	r->template_name = talloc_strdup(r, st->template_name);
	r->ca_name = talloc_strdup(r, ca->svc->cn);
	r->ca_host = talloc_strdup(r, ca->svc->dns_host);
	err = ae_store_state_load(mem, st->store, st->template_name, &rec);
	if (err != AE_OK || rec->status != AE_CERT_PENDING) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s: no pending request in %s",
			       st->template_name, st->store->dir);
		return err != AE_OK ? err : AE_ERR_INVALID;
	}
	if (st->request_id != 0 && st->request_id != rec->request_id) {
		ae_enroll_fail(r, AE_OUTCOME_PENDING, "template %s: request %u at CA %s is left in "
			       "pending/: the template has request %u in flight; retrieve or deny "
			       "that one first", st->template_name, st->request_id, ca->svc->cn,
			       rec->request_id);
		r->request_id = st->request_id;
		return AE_ERR_INVALID;
	}
	if (rec->request_ca != NULL && strcasecmp(rec->request_ca, ca->svc->cn) != 0) {
		/* the id means something else at another CA: never ask it */
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s: request %u is pending at "
			       "CA %s, not at %s", st->template_name, rec->request_id,
			       rec->request_ca, ca->svc->cn);
		return AE_ERR_INVALID;
	}
	r->request_id = rec->request_id;
	err = ae_store_read_new(mem, st->store, st->template_name, AE_STORE_NEW_KEY, &key_pem,
				&key_len);
	if (err == AE_OK) {
		err = ae_key_from_pem(mem, (const uint8_t *)key_pem, key_len, &key);
	}
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s, CA %s: the key of pending request "
			       "%u (%s.key.new) is missing or does not load: %s", st->template_name,
			       ca->svc->cn, rec->request_id, st->template_name, ae_strerror(err));
		return err;
	}
	if (staged_answer(mem, st, &staged)) {
		/* checked as the CA's answer was; a staged file that fails is fetched again */
		struct ae_enroll_result *scratch = talloc_zero(mem, struct ae_enroll_result);
		struct ae_cert_list *anchors = NULL;
		struct ae_issued is = { 0 };

		if (scratch != NULL && ae_enroll_anchors(mem, ca->svc, &anchors) == AE_OK &&
		    ae_enroll_verify_issued(mem, scratch, key, &staged, anchors, &is) == AE_OK) {
			AE_INFO("template %s: installing request %u's certificate received earlier",
				st->template_name, rec->request_id);
			set_outcome(r, AE_OUTCOME_ISSUED, "issued");
			r->disposition = AE_CR_DISP_ISSUED;
			return install(mem, st, ca, &is, NULL, r);
		}
		AE_WARN("template %s: the certificate received earlier for request %u fails the "
			"checks (%s); retrieving it again", st->template_name, rec->request_id,
			scratch && scratch->error ? scratch->error : "no CA certificate");
	}
	/* MS-ICPR retrieval: the request id, both blobs empty */
	in.authority = ca->svc->cn;
	in.request_id = rec->request_id;
	err = ca->call(ca->priv, mem, r, &in, &resp);
	call_failed_outcome(r, err);
	garbled_answer(r);
	if (err != AE_OK) {
		return err;	/* still pending; the next run tries again */
	}
	return conclude(mem, st, ca, key, resp, true, r);
}
