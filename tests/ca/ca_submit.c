/*
 * ca_submit.c: a new request, from the blobs to the disposition (the order
 * of checks is the table in ca_policy.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "ae_hresult.h"
#include "ae_log.h"
#include "ca_cert.h"
#include "ca_certdb.h"
#include "ca_cms.h"
#include "ca_db.h"
#include "ca_policy.h"
#include "ca_renewal.h"
#include "ca_sd.h"

/* dwFlags RequestType (MS-WCCE 3.2.1.4.3.1.1), as the DWORD's second byte */
#define REQUEST_TYPE_MASK	0x0000ff00u
#define REQUEST_TYPE_ANY	0x00000000u
#define REQUEST_TYPE_PKCS10	0x00000100u
#define REQUEST_TYPE_CMS	0x00000300u

/* The decided parts of a submission, kept for the database record. */
struct submission {
	struct ca_answer *a;
	struct ca_record *rec;
	const struct ca_csr *csr;
	const struct ca_template *t;
	const struct ca_account *acct;	/* the subject (the caller's object) once known */
	struct ca_renewal *ren;		/* a renewal's old certificate, else NULL */
};

ae_err ca_issue(const struct ca_ctx *ca, const struct ca_template *t,
		const struct ca_account *acct, const struct ca_csr *csr, time_t now,
		struct ca_answer *a)
{
	ae_err err;

	err = ca_cert_build(a, ca, t, acct, csr, now, &a->cert);
	if (err == AE_OK) {
		err = ca_cert_chain_p7(a, ca, &a->cert, &a->chain);
	}
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		return ca_answer_error(a, CA_E_UNEXPECTED, "(the CA could not sign)");
	}
	talloc_free(a->message);
	a->message = talloc_strdup(a, "Issued");
	a->disposition = AE_CR_DISP_ISSUED;
	return a->message == NULL ? AE_ERR_NOMEM : AE_OK;
}

static bool looks_like_oid(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789.") == strlen(s);
}

/*
 * Resolve one identifier; *_t stays NULL when it names no template. A
 * directory failure is returned as an error.
 */
static ae_err resolve(TALLOC_CTX *mem_ctx, const struct ca_directory *dir, const char *key,
		      bool by_oid, struct ca_template **_t)
{
	ae_err err = dir->find_template(dir->priv, mem_ctx, key, by_oid, _t);

	if (err == AE_ERR_NOT_FOUND) {
		*_t = NULL;
		return AE_OK;
	}
	return err;
}

/* Template from the attributes and the request's extensions (MS-WCCE 3.2.2.6.2.1.4.1). */
static ae_err identify_template(struct submission *s, const struct ca_directory *dir,
				const struct ca_attribs *attrs, uint32_t *_hr)
{
	struct ca_template *found[3] = { NULL, NULL, NULL };
	const struct ca_template *t = NULL;
	const char *names[3] = { attrs->template_name, s->csr->template_oid,
				 s->csr->template_name };
	bool by_oid[3] = { false, true, false };
	size_t i, n = 0;
	ae_err err;

	*_hr = 0;
	if (attrs->template_conflict) {
		*_hr = AE_CERTSRV_E_TEMPLATE_CONFLICT;
		return AE_OK;
	}
	if (names[0] != NULL && looks_like_oid(names[0])) {
		by_oid[0] = true;
	}
	for (i = 0; i < 3; i++) {
		if (names[i] == NULL || names[i][0] == '\0') {
			continue;
		}
		n++;
		err = resolve(s->a, dir, names[i], by_oid[i], &found[i]);
		if (err != AE_OK) {
			return err;
		}
		if (found[i] == NULL) {
			*_hr = AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE;
			s->a->template_name = talloc_strdup(s->a, names[i]);
			return AE_OK;
		}
		if (t != NULL && strcasecmp(t->cn, found[i]->cn) != 0) {
			*_hr = AE_CERTSRV_E_TEMPLATE_CONFLICT;
			return AE_OK;
		}
		t = found[i];
	}
	if (n == 0) {
		*_hr = AE_CERTSRV_E_NO_CERT_TYPE;
		return AE_OK;
	}
	s->t = t;
	s->a->template_name = t->cn;
	return AE_OK;
}

static ae_err is_published(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca,
			   const struct ca_directory *dir, const char *cn, bool *_yes)
{
	const char **names = NULL;
	size_t n = 0, i;
	ae_err err;

	*_yes = false;
	err = dir->service_templates(dir->priv, mem_ctx, ca->name, &names, &n);
	if (err == AE_ERR_NOT_FOUND) {
		return AE_OK;
	}
	if (err != AE_OK) {
		return err;
	}
	for (i = 0; i < n; i++) {
		if (strcasecmp(names[i], cn) == 0) {
			*_yes = true;
		}
	}
	return AE_OK;
}

static bool may_enroll(const struct ca_template *t, const struct ca_caller *caller)
{
	struct ca_sd *sd = NULL;
	bool ok;

	if (t->sd == NULL || ca_sd_parse(NULL, t->sd, t->sd_len, &sd) != AE_OK) {
		AE_WARN("icpr_ca: template %s: no usable nTSecurityDescriptor", t->cn);
		return false;
	}
	ok = ca_sd_allows_right(sd, caller, ca_guid_enroll);
	talloc_free(sd);
	return ok;
}

/*
 * The officer's switch <dir>/CA_DENY_TEMPLATES_FILE (`ca-admin
 * deny-template NAME`): one template cn per line; requests for those are
 * denied as if the caller lacked Enroll. Read per request, at most 4 KiB,
 * not followed when it is a symbolic link.
 */
static bool denied_by_switch(const struct ca_ctx *ca, const char *cn)
{
	char path[4096], buf[4097], *line = NULL, *save = NULL;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", ca->dir, CA_DENY_TEMPLATES_FILE) >=
	    (int)sizeof(path)) {
		return false;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return false;
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strcasecmp(line, cn) == 0) {
			AE_INFO("icpr_ca: %s lists %s: denied", CA_DENY_TEMPLATES_FILE, cn);
			return true;
		}
	}
	return false;
}

/* Policy checks after the template is known; *_hr = 0 when all pass. */
static ae_err check_policy(struct submission *s, const struct ca_ctx *ca,
			   const struct ca_directory *dir, const struct ca_caller *caller,
			   struct ca_account **_acct, uint32_t *_hr)
{
	const struct ca_template *t = s->t;
	const struct ca_csr *csr = s->csr;
	bool published = false;
	ae_err err;

	err = is_published(s->a, ca, dir, t->cn, &published);
	if (err != AE_OK) {
		return err;
	}
	if (!published) {
		*_hr = AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE;
		return AE_OK;
	}
	if (csr->has_template_ext &&
	    (csr->template_major > t->revision ||
	     (csr->template_major == t->revision && csr->template_minor > t->minor_revision))) {
		*_hr = AE_CERTSRV_E_BAD_TEMPLATE_VERSION;
		return AE_OK;
	}
	if (!may_enroll(t, caller) || denied_by_switch(ca, t->cn)) {
		*_hr = AE_CERTSRV_E_TEMPLATE_DENIED;
		return AE_OK;
	}
	if (t->min_key_size > 0 && (csr->key_bits <= 0 ||
				    (uint32_t)csr->key_bits < t->min_key_size)) {
		*_hr = AE_CERTSRV_E_KEY_LENGTH;
		return AE_OK;
	}
	err = dir->find_account(dir->priv, s->a, &caller->sids[0], _acct);
	if (err == AE_ERR_NOT_FOUND) {
		*_hr = CA_E_NO_SUCH_USER;
		return AE_OK;
	}
	if (err != AE_OK) {
		return err;
	}
	*_hr = ca_subject_check(t, *_acct);
	return AE_OK;
}

/* A PKCS#10 request blob. */
static ae_err take_pkcs10(struct submission *s, const struct icpr_request *req)
{
	struct ca_csr *csr = NULL;
	ae_err err = ca_csr_parse(s->a, req->request.pb, req->request.cb, &csr);

	if (err == AE_ERR_MISMATCH) {
		return ca_answer_error(s->a, AE_NTE_BAD_SIGNATURE, NULL);
	}
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		return ca_answer_error(s->a, AE_CRYPT_E_ASN1_BADTAG, NULL);
	}
	s->csr = csr;
	return AE_OK;
}

/* A "CMS with PKCS #10" blob: a new request or a renewal (ca_renewal.h). */
static ae_err take_cms(struct submission *s, const struct ca_ctx *ca,
		       const struct icpr_request *req, time_t now)
{
	struct ca_cms *cms = NULL;
	const char *detail = NULL;
	uint32_t hr = 0;
	ae_err err = ca_cms_parse(s->a, req->request.pb, req->request.cb, &cms);

	if (err == AE_ERR_UNSUPPORTED) {
		return ca_answer_error(s->a, AE_CRYPT_E_INVALID_MSG_TYPE,
				       "(this CA takes PKCS #10 and CMS(id-data, PKCS #10) requests)");
	}
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		return ca_answer_error(s->a, AE_CRYPT_E_ASN1_BADTAG, NULL);
	}
	err = ca_cms_verdict(s->a, ca, cms, now, &s->ren, &hr, &detail);
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		return ca_answer_error(s->a, CA_E_UNEXPECTED, "(request database unavailable)");
	}
	if (hr != 0) {
		return ca_answer_error(s->a, hr, detail);
	}
	s->csr = cms->csr;
	return AE_OK;
}

/*
 * The request blob by dwFlags' RequestType: PKCS#10, CMS, or (0) either,
 * told apart by the outer ContentInfo. A blob of the other kind than
 * declared is CRYPT_E_INVALID_MSG_TYPE (MS-WCCE 3.2.1.4.2.1.4).
 */
static ae_err take_request(struct submission *s, const struct ca_ctx *ca,
			   const struct icpr_request *req, uint32_t type, time_t now)
{
	bool cms = ca_cms_sniff(req->request.pb, req->request.cb);

	if ((type == REQUEST_TYPE_PKCS10 && cms) || (type == REQUEST_TYPE_CMS && !cms)) {
		return ca_answer_error(s->a, AE_CRYPT_E_INVALID_MSG_TYPE,
				       type == REQUEST_TYPE_CMS ? "(declared CMS, but it is not)" :
				       "(declared PKCS #10, but it is a CMS)");
	}
	return cms ? take_cms(s, ca, req, now) : take_pkcs10(s, req);
}

/* A renewal skips PEND_ALL_REQUESTS when the template says so (MS-WCCE 3.2.2.6.2.1.4.5.6). */
#define CA_ENROLL_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT 0x00000040u

static bool pends(const struct submission *s)
{
	if ((s->t->enrollment_flags & CA_ENROLL_PEND_ALL_REQUESTS) == 0) {
		return false;
	}
	return s->ren == NULL ||
	       (s->t->enrollment_flags & CA_ENROLL_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT) == 0;
}

/* Decide a request; the answer is complete on AE_OK. */
static ae_err decide(struct submission *s, const struct ca_ctx *ca,
		     const struct ca_directory *dir, const struct ca_caller *caller,
		     const struct icpr_request *req, const struct ca_attribs *attrs,
		     uint32_t type, time_t now)
{
	struct ca_account *acct = NULL;
	const char *detail = NULL;
	uint32_t hr = 0;
	ae_err err;

	err = take_request(s, ca, req, type, now);
	if (err != AE_OK || s->csr == NULL) {
		return err;	/* refused: the answer says why */
	}
	err = identify_template(s, dir, attrs, &hr);
	if (err == AE_OK && hr == 0 && s->ren != NULL) {
		hr = ca_renewal_match(s->ren, s->t, caller, &detail);
	}
	if (err == AE_OK && hr == 0) {
		err = check_policy(s, ca, dir, caller, &acct, &hr);
	}
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		return ca_answer_error(s->a, CA_E_DS_UNAVAILABLE, NULL);
	}
	if (hr != 0) {
		return ca_answer_error(s->a, hr, detail);
	}
	s->acct = acct;
	if (pends(s)) {
		s->a->disposition = AE_CR_DISP_UNDER_SUBMISSION;
		s->a->message = talloc_strdup(s->a, "Taken Under Submission");
		return s->a->message == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	return ca_issue(ca, s->t, acct, s->csr, now, s->a);
}

/* Record the outcome (every request that got an id has a record). */
static ae_err record(struct submission *s, const struct ca_ctx *ca,
		     const struct ca_caller *caller, time_t now)
{
	struct ca_record *r = talloc_zero(s->a, struct ca_record);
	ae_err err;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->id = s->a->request_id;
	r->sid = caller->sids[0];
	r->requester = (char *)caller->name;
	r->submitted = (int64_t)now;
	r->template_name = (char *)(s->t ? s->t->cn : (s->a->template_name ? s->a->template_name : ""));
	r->message = s->a->message;
	if (s->csr != NULL) {
		r->request.p = s->csr->der;
		r->request.len = s->csr->der_len;
	}
	r->renews = s->ren != NULL ? s->ren->old_serial : NULL;
	if (s->a->disposition == AE_CR_DISP_ISSUED) {
		r->state = CA_REQ_ISSUED;
		r->cert = s->a->cert;
		err = ca_certdb_add_issued(ca->db_dir, r->cert.p, r->cert.len, r->id,
					   r->template_name, &s->acct->sid, r->renews);
		if (err != AE_OK) {
			talloc_free(r);
			return err;
		}
	} else if (s->a->disposition == AE_CR_DISP_UNDER_SUBMISSION) {
		r->state = CA_REQ_PENDING;
	} else {
		r->state = CA_REQ_FAILED;
		r->disposition = s->a->disposition;
	}
	err = ca_db_store(ca->db_dir, r);
	talloc_free(r);
	return err;
}

static ae_err submit(struct ca_answer *a, const struct ca_ctx *ca, const struct ca_directory *dir,
		     const struct ca_caller *caller, const struct icpr_request *req, time_t now)
{
	struct submission s = { .a = a };
	struct ca_attribs *attrs = NULL;
	uint32_t type = req->flags & REQUEST_TYPE_MASK;
	ae_err err;

	if (req->request.pb == NULL || req->request.cb == 0) {
		return ca_answer_error(a, AE_E_INVALIDARG, "(no request and no request id)");
	}
	if (type != REQUEST_TYPE_ANY && type != REQUEST_TYPE_PKCS10 && type != REQUEST_TYPE_CMS) {
		return ca_answer_error(a, AE_CRYPT_E_INVALID_MSG_TYPE,
				       "(this CA takes PKCS #10 and CMS(id-data, PKCS #10) requests)");
	}
	err = ca_attribs_parse(a, req->attribs.pb, req->attribs.cb, &attrs);
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {	/* argument errors get no id and no record */
		return ca_answer_error(a, AE_E_INVALIDARG, "(malformed pctbAttribs)");
	}
	err = ca_db_next_id(ca->db_dir, &a->request_id);
	if (err != AE_OK) {
		AE_ERROR("icpr_ca: cannot allocate a request id: %s", ae_strerror(err));
		return ca_answer_error(a, CA_E_UNEXPECTED, "(request database unavailable)");
	}
	err = decide(&s, ca, dir, caller, req, attrs, type, now);
	if (err != AE_OK) {
		return err;
	}
	err = record(&s, ca, caller, now);
	if (err == AE_OK) {
		if (s.t != NULL) {
			(void)ca_publish_issued(dir, s.t, s.acct, a);
		}
		return AE_OK;
	}
	AE_ERROR("icpr_ca: cannot store request %u: %s", a->request_id, ae_strerror(err));
	a->cert.len = 0;
	a->chain.len = 0;
	return ca_answer_error(a, CA_E_UNEXPECTED, "(request database unavailable)");
}

ae_err ca_process(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_directory *dir,
		  const struct ca_caller *caller, const struct icpr_request *req, time_t now,
		  struct ca_answer **_a)
{
	struct ca_answer *a = talloc_zero(mem_ctx, struct ca_answer);
	int lock = -1;
	ae_err err;

	if (a == NULL) {
		return AE_ERR_NOMEM;
	}
	if (ca == NULL) {
		err = ca_answer_error(a, CA_E_UNEXPECTED, "(the CA is not configured)");
	} else if (req->authority == NULL || strcasecmp(req->authority, ca->name) != 0) {
		char *d = talloc_asprintf(a, "(unknown authority \"%s\"; this CA is \"%s\")",
					  req->authority ? req->authority : "(null)", ca->name);
		err = d == NULL ? AE_ERR_NOMEM : ca_answer_error(a, AE_E_INVALIDARG, d);
	} else if (caller->num_sids == 0) {
		err = ca_answer_error(a, AE_E_ACCESSDENIED, "(no caller identity)");
	} else if (ca_db_lock(ca->db_dir, &lock) != AE_OK) {
		err = ca_answer_error(a, CA_E_UNEXPECTED, "(request database unavailable)");
	} else {
		if (req->request_id != 0 && req->request.pb == NULL) {
			a->request_id = req->request_id;
			err = ca_retrieve(ca, dir, caller, req->request_id, now, a);
		} else {
			err = submit(a, ca, dir, caller, req, now);
		}
		ca_db_unlock(lock);
	}
	if (err != AE_OK) {
		talloc_free(a);
		return err;
	}
	*_a = a;
	return AE_OK;
}
