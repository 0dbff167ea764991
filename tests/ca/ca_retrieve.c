/*
 * ca_retrieve.c: status of a stored request (MS-WCCE 3.2.1.4.2.1.3: same
 * call, *pdwRequestId set, both blobs empty). Called with the db lock held.
 */
#include <inttypes.h>
#include <string.h>
#include "ae_hresult.h"
#include "ae_log.h"
#include "ca_cert.h"
#include "ca_certdb.h"
#include "ca_db.h"
#include "ca_policy.h"

/* First retrieval of an approved request: build from what was stored. */
static ae_err build_stored(const struct ca_ctx *ca, const struct ca_directory *dir,
			   struct ca_record *r, time_t now, struct ca_answer *a)
{
	struct ca_template *t = NULL;
	struct ca_account *acct = NULL;
	struct ca_csr *csr = NULL;
	uint32_t hr;
	ae_err err;

	err = ca_csr_parse(a, r->request.p, r->request.len, &csr);
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		return ca_answer_error(a, CA_ERROR_INVALID_DATA, "(stored request is corrupt)");
	}
	err = dir->find_template(dir->priv, a, r->template_name, false, &t);
	if (err == AE_ERR_NOT_FOUND) {
		return ca_answer_error(a, AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE, NULL);
	}
	if (err == AE_OK) {
		err = dir->find_account(dir->priv, a, &r->sid, &acct);
		if (err == AE_ERR_NOT_FOUND) {
			return ca_answer_error(a, CA_E_NO_SUCH_USER, NULL);
		}
	}
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		return ca_answer_error(a, CA_E_DS_UNAVAILABLE, NULL);
	}
	a->template_name = t->cn;
	hr = ca_subject_check(t, acct);
	if (hr != 0) {
		return ca_answer_error(a, hr, NULL);
	}
	err = ca_issue(ca, t, acct, csr, now, a);
	if (err != AE_OK || a->disposition != AE_CR_DISP_ISSUED) {
		return err;
	}
	r->cert = a->cert;	/* later retrievals return this same certificate */
	err = ca_certdb_add_issued(ca->db_dir, a->cert.p, a->cert.len, r->id, t->cn, &acct->sid,
				   r->renews);
	if (err == AE_OK) {
		err = ca_db_store(ca->db_dir, r);
	}
	if (err != AE_OK) {
		AE_ERROR("icpr_ca: cannot store request %" PRIu32 ": %s", r->id, ae_strerror(err));
		a->cert.len = 0;
		a->chain.len = 0;
		return ca_answer_error(a, CA_E_UNEXPECTED, "(request database unavailable)");
	}
	(void)ca_publish_issued(dir, t, acct, a);
	return AE_OK;
}

ae_err ca_retrieve(const struct ca_ctx *ca, const struct ca_directory *dir,
		   const struct ca_caller *caller, uint32_t id, time_t now, struct ca_answer *a)
{
	struct ca_record *r = NULL;
	ae_err err;

	err = ca_db_load(a, ca->db_dir, id, &r);
	if (err == AE_ERR_NOT_FOUND) {
		return ca_answer_error(a, AE_CERTSRV_E_NO_REQUEST, NULL);
	}
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		AE_ERROR("icpr_ca: request record %" PRIu32 " is unreadable: %s", id,
			 ae_strerror(err));
		return ca_answer_error(a, CA_ERROR_INVALID_DATA,
				       "(the request's database record is corrupt)");
	}
	a->template_name = r->template_name;
	if (!ca_sid_equal(&r->sid, &caller->sids[0])) {
		return ca_answer_error(a, AE_E_ACCESSDENIED,
				       "(the request was submitted by another account)");
	}
	switch (r->state) {
	case CA_REQ_PENDING:
		a->disposition = AE_CR_DISP_UNDER_SUBMISSION;
		a->message = talloc_strdup(a, "Taken Under Submission");
		return a->message == NULL ? AE_ERR_NOMEM : AE_OK;
	case CA_REQ_DENIED:
	case CA_REQ_FAILED:
		a->disposition = AE_CR_DISP_DENIED;
		a->message = talloc_strdup(a, r->message[0] ? r->message : "Denied");
		return a->message == NULL ? AE_ERR_NOMEM : AE_OK;
	case CA_REQ_ISSUED:
		break;
	}
	if (r->cert.len == 0) {
		return build_stored(ca, dir, r, now, a);
	}
	a->cert = r->cert;
	err = ca_cert_chain_p7(a, ca, &a->cert, &a->chain);
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		a->cert.len = 0;
		return ca_answer_error(a, CA_ERROR_INVALID_DATA, "(stored certificate is corrupt)");
	}
	a->disposition = AE_CR_DISP_ISSUED;
	a->message = talloc_strdup(a, "Issued");
	return a->message == NULL ? AE_ERR_NOMEM : AE_OK;
}
