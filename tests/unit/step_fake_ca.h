/*
 * step_fake_ca.h: a fake CA behind the step's call interface
 * (ae_step_call_fn, source/engine/ae_step.h) and a scratch store for the
 * step tests (test_step.c). The fake answers CertServerRequest ([MS-ICPR]
 * 3.2.4.1.1) as a CA does: disposition 3 (issued) with the DER leaf
 * (pctbEncodedCert) and a PKCS#7 certs-only chain (pctbCert), 5 (under
 * submission) with a request id, or an HRESULT (denied); or the call fails
 * as a transport failure does. It issues real certificates with a CA key
 * made here, for the public key of the PKCS#10 it received (on a
 * retrieval: of the one it holds under that request id), and counts its
 * calls and records what each got. Static functions only; include after
 * <cmocka.h>, leak_check.h, pki_helpers.h and test_store_helpers.h.
 */
#ifndef STEP_FAKE_CA_H
#define STEP_FAKE_CA_H

#include <sys/stat.h>
#include <openssl/x509.h>
#include "ae_csr.h"
#include "ae_hresult.h"
#include "ae_pki.h"
#include "ae_step.h"
#include "ae_enroll_private.h"
#include "ae_template.h"
#include "icpr.h"

#define TPL "LabMachine"
#define CA_CN "LAB-CA"
#define DENIED 0x80094012u	/* CERTSRV_E_TEMPLATE_DENIED */

/* FAKE_SILENT: fails without saying how (against the interface's contract);
 * FAKE_GARBLED: a reply that does not decode, reported as the cycle's call
 * function does (unreachable, NT_STATUS_RPC_BAD_STUB_DATA) */
enum fake_answer { FAKE_ISSUE, FAKE_PENDING, FAKE_DENY, FAKE_UNREACHABLE, FAKE_SILENT,
		   FAKE_GARBLED };

struct fake_ca {
	struct ae_key *ca_key;
	struct ae_cert *ca_cert;
	struct ae_der_blob ca_der;
	struct ae_enrollment_service svc;
	enum fake_answer answer;
	const struct ae_key *issue_for;	/* set: issue for this key, not the request's */
	const char *sabotage;		/* set: mkdir <store>/<this> before answering */
	const struct ae_store *store;
	uint32_t next_id;
	long next_serial;
	uint8_t *held_csr;		/* the request under submission (its id: held_id) */
	size_t held_len;
	uint32_t held_id;
	/* what the calls got and gave */
	unsigned calls;
	uint32_t got_id, got_request_cb, got_attribs_cb;
	char *got_authority;
	char *issued_pem;		/* the last certificate issued */
};

/* a locked scratch store and the fake CA as the step sees it */
struct env {
	TALLOC_CTX *mem;
	char *dir;
	struct ae_store *store;
	struct fake_ca ca;
	struct ae_step_ca step_ca;
};

/* ---- the fake CA ------------------------------------------------------- */

static inline struct ae_cert *issue(struct fake_ca *f, TALLOC_CTX *mem, const uint8_t *csr,
				    size_t len)
{
	const unsigned char *q = csr;
	X509_REQ *req = d2i_X509_REQ(NULL, &q, (long)len);
	struct ae_key pub = { 0 };
	struct ae_cert *c = NULL;

	assert_non_null(req);
	pub.pkey = X509_REQ_get0_pubkey(req);
	assert_non_null(pub.pkey);
	c = pki_cert(mem, "host.lab.example", f->issue_for ? f->issue_for : &pub, f->ca_cert,
		     f->ca_key, f->next_serial++, 365, NULL);
	X509_REQ_free(req);
	return c;
}

static inline void answer_issued(struct fake_ca *f, TALLOC_CTX *mem,
				 struct icpr_response *resp, const uint8_t *csr, size_t len)
{
	struct ae_cert *leaf = issue(f, mem, csr, len);
	struct ae_cert_list *chain = NULL;
	uint8_t *der = NULL, *p7 = NULL;
	size_t der_len = 0, p7_len = 0, pem_len = 0;

	assert_int_equal(ae_cert_to_der(mem, leaf, &der, &der_len), AE_OK);
	assert_int_equal(ae_cert_list_new(mem, &chain), AE_OK);
	assert_int_equal(ae_cert_list_add(chain, f->ca_cert), AE_OK);
	assert_int_equal(ae_pkcs7_certs_build(mem, chain, &p7, &p7_len), AE_OK);
	TALLOC_FREE(f->issued_pem);
	assert_int_equal(ae_cert_to_pem(f->ca_key, leaf, &f->issued_pem, &pem_len), AE_OK);
	resp->disposition = AE_CR_DISP_ISSUED;
	resp->encoded_cert.pb = der;
	resp->encoded_cert.cb = (uint32_t)der_len;
	resp->cert.pb = p7;
	resp->cert.cb = (uint32_t)p7_len;
}

static inline ae_err fake_call(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
			       const struct icpr_request *in, struct icpr_response **_resp)
{
	struct fake_ca *f = priv;
	struct icpr_response *resp = NULL;
	const uint8_t *csr = in->request.pb;
	size_t csr_len = in->request.cb;

	f->calls++;
	f->got_id = in->request_id;
	f->got_request_cb = in->request.cb;
	f->got_attribs_cb = in->attribs.cb;
	TALLOC_FREE(f->got_authority);
	f->got_authority = talloc_strdup(f->ca_key, in->authority ? in->authority : "(null)");
	if (f->sabotage != NULL) {
		char *p = talloc_asprintf(mem, "%s/%s", f->store->dir, f->sabotage);

		assert_int_equal(mkdir(p, 0700), 0);
	}
	if (f->answer == FAKE_SILENT) {
		return AE_ERR_TRANSPORT;
	}
	if (f->answer == FAKE_UNREACHABLE) {
		r->nt_status = 0xC0000236u;	/* NT_STATUS_CONNECTION_REFUSED */
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: cannot reach the "
			       "MS-ICPR endpoint (fake)", r->template_name, r->ca_name);
		return AE_ERR_TRANSPORT;
	}
	if (f->answer == FAKE_GARBLED) {
		r->nt_status = 0xC003000Cu;	/* NT_STATUS_RPC_BAD_STUB_DATA */
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: CertServerRequest "
			       "on host failed: NT_STATUS_RPC_BAD_STUB_DATA", r->template_name,
			       r->ca_name);
		return AE_ERR_TRANSPORT;
	}
	resp = talloc_zero(mem, struct icpr_response);
	assert_non_null(resp);
	if (in->request_id == 0) {
		/* a new request: it gets an id, and is held while under submission */
		resp->request_id = f->next_id++;
		TALLOC_FREE(f->held_csr);
		f->held_csr = talloc_memdup(f->ca_key, csr, csr_len);
		f->held_len = csr_len;
		f->held_id = resp->request_id;
	} else {
		/* a retrieval ([MS-ICPR] 3.2.4.1.1): the request held under that id */
		assert_int_equal(in->request_id, f->held_id);
		resp->request_id = in->request_id;
		csr = f->held_csr;
		csr_len = f->held_len;
	}
	switch (f->answer) {
	case FAKE_ISSUE:
		answer_issued(f, mem, resp, csr, csr_len);
		break;
	case FAKE_PENDING:
		resp->disposition = AE_CR_DISP_UNDER_SUBMISSION;
		break;
	default:
		resp->disposition = DENIED;
		break;
	}
	*_resp = resp;
	return AE_OK;
}

/* ---- the environment --------------------------------------------------- */

static inline struct env *env_new(TALLOC_CTX *mem)
{
	struct env *e = talloc_zero(mem, struct env);
	struct pki_cert_opts ca = { .ca = true };
	uint8_t *der = NULL;
	size_t len = 0;

	assert_non_null(e);
	e->mem = mem;
	e->dir = scratch_dir(e, "step");
	e->store = open_locked(e, e->dir);
	e->ca.ca_key = pki_key(false);
	talloc_steal(e, e->ca.ca_key);
	e->ca.ca_cert = pki_cert(e->ca.ca_key, "Lab Issuing CA", e->ca.ca_key, NULL, NULL, 1, 3650,
				 &ca);
	assert_int_equal(ae_cert_to_der(e->ca.ca_key, e->ca.ca_cert, &der, &len), AE_OK);
	e->ca.ca_der.der = der;
	e->ca.ca_der.len = len;
	e->ca.svc.cn = talloc_strdup(e, CA_CN);
	e->ca.svc.dns_host = talloc_strdup(e, "ca.lab.example");
	e->ca.svc.ca_certs = &e->ca.ca_der;
	e->ca.svc.num_ca_certs = 1;
	e->ca.store = e->store;
	e->ca.next_id = 41;
	e->ca.next_serial = 0x1A01;
	e->step_ca.svc = &e->ca.svc;
	e->step_ca.call = fake_call;
	e->step_ca.priv = &e->ca;
	return e;
}

static inline void env_free(struct env *e)
{
	rm_rf(e->dir);
	talloc_free(e);
}

/* a fresh key and its PKCS#10 (minimal: the v1 template name extension) */
static inline void new_request(TALLOC_CTX *mem, struct ae_key **_key, uint8_t **_csr,
			       size_t *_len)
{
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_csr_params p = { 0 };

	p.template_name = TPL;
	assert_int_equal(ae_key_generate(mem, &spec, _key), AE_OK);
	assert_int_equal(ae_csr_build(mem, *_key, &p, _csr, _len), AE_OK);
}

/* one submission with a fresh key; *_key (may be NULL) gets the key */
static inline ae_err submit(struct env *e, enum ae_cert_state kind,
			    const struct ae_template *t, struct ae_enroll_result **_r,
			    struct ae_key **_key)
{
	struct ae_step st = { 0 };
	struct ae_key *key = NULL;
	uint8_t *csr = NULL;
	size_t len = 0;

	*_r = talloc_zero(e->mem, struct ae_enroll_result);
	assert_non_null(*_r);
	new_request(e->mem, &key, &csr, &len);
	st.store = e->store;
	st.template_name = TPL;
	st.t = t;
	st.kind = kind;
	st.key = key;
	st.csr = csr;
	st.csr_len = len;
	if (_key != NULL) {
		*_key = key;
	}
	return ae_step_submit(e->mem, &st, &e->step_ca, *_r);
}

static inline ae_err retrieve(struct env *e, struct ae_enroll_result **_r)
{
	struct ae_step st = { 0 };

	*_r = talloc_zero(e->mem, struct ae_enroll_result);
	assert_non_null(*_r);
	st.store = e->store;
	st.template_name = TPL;
	return ae_step_retrieve(e->mem, &st, &e->step_ca, *_r);
}

static inline struct ae_store_state *record(struct env *e)
{
	struct ae_store_state *rec = NULL;

	assert_int_equal(ae_store_state_load(e->mem, e->store, TPL, &rec), AE_OK);
	return rec;
}

/* the installed certificate is for key */
static inline void assert_installed_for(struct env *e, const struct ae_key *key)
{
	char *pem = tfile(e->mem, e->store, TPL, ".crt");
	struct ae_cert *c = NULL;

	assert_non_null(pem);
	assert_non_null(tfile(e->mem, e->store, TPL, ".key"));
	assert_int_equal(ae_cert_parse_pem(e->mem, (const uint8_t *)pem, strlen(pem), &c), AE_OK);
	assert_int_equal(ae_cert_matches_key(c, key), AE_OK);
}

/* a first pair, issued through the step: its key, serial and files' text */
struct pair {
	struct ae_key *key;
	char *serial, *crt, *keypem, *chain;
};

static inline struct pair first_pair(struct env *e)
{
	struct ae_enroll_result *r = NULL;
	struct pair p = { 0 };

	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &p.key), AE_OK);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	p.serial = r->serial_hex;
	p.crt = tfile(e->mem, e->store, TPL, ".crt");
	p.keypem = tfile(e->mem, e->store, TPL, ".key");
	p.chain = tfile(e->mem, e->store, TPL, ".chain.pem");
	assert_non_null(p.crt);
	assert_non_null(p.keypem);
	assert_non_null(p.chain);
	e->ca.calls = 0;
	return p;
}

/* the pair p is still the one installed, with its record, and no request is left */
static inline void assert_pair_intact(struct env *e, const struct pair *p)
{
	struct ae_store_state *rec = record(e);

	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, p->serial);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".crt"), p->crt);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".key"), p->keypem);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".chain.pem"), p->chain);
	assert_false(tpresent(e->mem, e->store, TPL, ".key.new"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt.new"));
}

#endif
