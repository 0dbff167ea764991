/*
 * test_step.c: the per-template step (source/engine/ae_step.h) against a
 * fake CA behind its call interface (ae_step_call_fn), in scratch stores
 * under /tmp. The fake answers CertServerRequest ([MS-ICPR] 3.2.4.1.1) as a
 * CA does: disposition 3 (issued) with the leaf (pctbEncodedCert) and a
 * PKCS#7 chain (pctbCert), 5 (under submission) with a request id, or an
 * HRESULT (denied); it issues real certificates with a CA key made here,
 * for the public key of the PKCS#10 it received (or, on a retrieval, of the
 * one it holds under that request id). Every test counts the calls the step
 * makes to the CA.
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
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

enum fake_answer { FAKE_ISSUE, FAKE_PENDING, FAKE_DENY, FAKE_UNREACHABLE };

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

struct env {
	TALLOC_CTX *mem;
	char *dir;
	struct ae_store *store;
	struct fake_ca ca;
	struct ae_step_ca step_ca;
};

/* ---- the fake CA ------------------------------------------------------- */

static struct ae_cert *issue(struct fake_ca *f, TALLOC_CTX *mem, const uint8_t *csr, size_t len)
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

static void answer_issued(struct fake_ca *f, TALLOC_CTX *mem, struct icpr_response *resp,
			  const uint8_t *csr, size_t len)
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

static ae_err fake_call(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
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
	if (f->answer == FAKE_UNREACHABLE) {
		r->nt_status = 0xC0000236u;	/* NT_STATUS_CONNECTION_REFUSED */
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: cannot reach the "
			       "MS-ICPR endpoint (fake)", r->template_name, r->ca_name);
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

static struct env *env_new(TALLOC_CTX *mem)
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

static void env_free(struct env *e)
{
	rm_rf(e->dir);
	talloc_free(e);
}

/* a fresh key and its PKCS#10 (minimal: the v1 template name extension) */
static void new_request(TALLOC_CTX *mem, struct ae_key **_key, uint8_t **_csr, size_t *_len)
{
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_csr_params p = { 0 };

	p.template_name = TPL;
	assert_int_equal(ae_key_generate(mem, &spec, _key), AE_OK);
	assert_int_equal(ae_csr_build(mem, *_key, &p, _csr, _len), AE_OK);
}

/* one submission with a fresh key; *_key (may be NULL) gets the key */
static ae_err submit(struct env *e, enum ae_cert_state kind, const struct ae_template *t,
		     struct ae_enroll_result **_r, struct ae_key **_key)
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

static ae_err retrieve(struct env *e, struct ae_enroll_result **_r)
{
	struct ae_step st = { 0 };

	*_r = talloc_zero(e->mem, struct ae_enroll_result);
	assert_non_null(*_r);
	st.store = e->store;
	st.template_name = TPL;
	return ae_step_retrieve(e->mem, &st, &e->step_ca, *_r);
}

static struct ae_store_state *record(struct env *e)
{
	struct ae_store_state *rec = NULL;

	assert_int_equal(ae_store_state_load(e->mem, e->store, TPL, &rec), AE_OK);
	return rec;
}

/* the installed certificate is for key */
static void assert_installed_for(struct env *e, const struct ae_key *key)
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

static struct pair first_pair(struct env *e)
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
static void assert_pair_intact(struct env *e, const struct pair *p)
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

/* ---- tests -------------------------------------------------------------- */

static void submit_issued_installs_the_pair_and_archives_the_old_one(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *k1 = NULL, *k2 = NULL;
	char *crt1 = NULL, *serial1 = NULL, *ca_pem = NULL;
	struct ae_store_state *rec = NULL;
	size_t len = 0;

	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &k1), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(e->ca.got_id, 0);
	assert_true(e->ca.got_request_cb > 0);
	assert_true(e->ca.got_attribs_cb > 0);		/* CertificateTemplate:<name> */
	assert_string_equal(e->ca.got_authority, CA_CN);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(r->disposition, AE_CR_DISP_ISSUED);
	assert_int_equal(r->request_id, 41);
	assert_string_equal(r->serial_hex, "1A01");
	assert_non_null(r->cert_path);
	assert_installed_for(e, k1);
	/* the chain file is the CA certificate the answer was verified against */
	assert_int_equal(ae_cert_to_pem(e->mem, e->ca.ca_cert, &ca_pem, &len), AE_OK);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".chain.pem"), ca_pem);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, "1A01");
	assert_string_equal(rec->cert.ca, CA_CN);
	assert_int_equal(rec->cert.request_id, 41);
	assert_false(tpresent(e->mem, e->store, TPL, ".key.new"));
	crt1 = tfile(e->mem, e->store, TPL, ".crt");
	serial1 = rec->cert.serial_hex;

	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, &k2), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_string_equal(r->serial_hex, "1A02");
	assert_installed_for(e, k2);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, "1A02");
	assert_int_equal(rec->cert.request_id, 42);
	/* the first pair went to archive/ under its serial */
	assert_string_equal(slurp(e->mem, talloc_asprintf(e->mem, "%s/archive/%s.%s.crt", e->dir,
							  TPL, serial1)), crt1);
	assert_true(ae_file_exists(talloc_asprintf(e->mem, "%s/archive/%s.%s.key", e->dir, TPL,
						   serial1)));
	env_free(e);
}

static void submit_pending_records_the_request_id_before_anything_else(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL;
	struct ae_store_state *rec = NULL;
	char *key_pem = NULL;
	size_t len = 0;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	assert_int_equal(r->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	assert_int_equal(r->request_id, 41);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_string_equal(rec->request_ca, CA_CN);
	assert_true(rec->has_request_id);
	assert_int_equal(rec->request_id, 41);
	/* the key is kept for the certificate to come; nothing is installed */
	assert_int_equal(ae_key_to_pem(e->mem, key, &key_pem, &len), AE_OK);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".key.new"), key_pem);
	assert_false(tpresent(e->mem, e->store, TPL, ".key"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt.new"));
	assert_null(r->cert_path);
	env_free(e);
}

/* an answer "issued" that cannot be installed still leaves its request id recorded */
static void submit_issued_records_the_request_id_before_installing(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_store_state *rec = NULL;

	e->ca.answer = FAKE_ISSUE;
	e->ca.sabotage = TPL ".crt.new";	/* the commit's first staged file cannot be written */
	assert_int_not_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_STORE);
	assert_int_equal(r->request_id, 41);
	assert_non_null(strstr(r->error, "request 41 was issued"));
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_string_equal(rec->request_ca, CA_CN);
	assert_int_equal(rec->request_id, 41);
	assert_true(tpresent(e->mem, e->store, TPL, ".key.new"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt"));
	env_free(e);
}

static void retrieve_pending_then_issued_installs(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL;
	struct ae_store_state *rec = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	assert_int_equal(e->ca.calls, 1);

	/* still pending: nothing changes */
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	assert_int_equal(record(e)->status, AE_CERT_PENDING);
	assert_true(tpresent(e->mem, e->store, TPL, ".key.new"));

	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 3);
	/* [MS-ICPR] 3.2.4.1.1 retrieval: the request id, both blobs empty */
	assert_int_equal(e->ca.got_id, 41);
	assert_int_equal(e->ca.got_request_cb, 0);
	assert_int_equal(e->ca.got_attribs_cb, 0);
	assert_string_equal(e->ca.got_authority, CA_CN);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(r->request_id, 41);
	assert_installed_for(e, key);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, r->serial_hex);
	assert_int_equal(rec->cert.request_id, 41);
	assert_false(tpresent(e->mem, e->store, TPL, ".key.new"));
	env_free(e);
}

static void retrieve_unreachable_leaves_the_request_pending(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_store_state *rec = NULL;
	char *key_new = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, NULL), AE_OK);
	key_new = tfile(e->mem, e->store, TPL, ".key.new");
	assert_non_null(key_new);

	e->ca.answer = FAKE_UNREACHABLE;
	assert_int_equal(retrieve(e, &r), AE_ERR_TRANSPORT);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(e->ca.got_id, 41);
	assert_int_equal(r->outcome, AE_OUTCOME_UNREACHABLE);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_int_equal(rec->request_id, 41);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".key.new"), key_new);
	env_free(e);
}

static void retrieve_denied_drops_the_pending_request(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_OK);
	assert_int_equal(record(e)->status, AE_CERT_PENDING);

	e->ca.answer = FAKE_DENY;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_REJECTED);
	assert_int_equal(r->hresult, DENIED);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void submit_denied_aborts_and_keeps_the_installed_pair(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_DENY;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_REJECTED);
	assert_int_equal(r->disposition, DENIED);
	assert_int_equal(r->hresult, DENIED);
	assert_non_null(r->error);
	assert_null(r->cert_path);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void transport_failure_keeps_the_installed_pair_and_reports_unreachable(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_UNREACHABLE;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_ERR_TRANSPORT);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_UNREACHABLE);
	assert_int_equal(r->disposition, 0);
	assert_non_null(strstr(r->error, CA_CN));
	assert_null(r->cert_path);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void answer_for_another_key_is_unverified_and_not_installed(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;
	struct ae_key *other = NULL;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };

	assert_int_equal(ae_key_generate(e, &spec, &other), AE_OK);
	e->ca.answer = FAKE_ISSUE;
	e->ca.issue_for = other;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_UNVERIFIED);
	assert_non_null(strstr(r->error, "does not match our key"));
	assert_null(r->cert_path);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void staged_answer_is_installed_without_calling_the_ca(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL;
	struct ae_store_state *rec = NULL;
	char *state_new = NULL, *staged = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);

	/* the answer arrives, but the commit stops after staging it (as a kill or a full disk) */
	state_new = ae_store_path(e->mem, e->store, TPL, ".state.new");
	assert_int_equal(mkdir(state_new, 0700), 0);
	e->ca.answer = FAKE_ISSUE;
	assert_int_not_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_STORE);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_int_equal(rec->request_id, 41);
	staged = tfile(e->mem, e->store, TPL, ".crt.new");
	assert_non_null(staged);
	assert_string_equal(staged, e->ca.issued_pem);
	assert_true(tpresent(e->mem, e->store, TPL, ".chain.pem.new"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt"));
	assert_int_equal(rmdir(state_new), 0);

	/* the next run installs what was received; the CA is not asked again */
	e->ca.calls = 0;
	e->ca.answer = FAKE_UNREACHABLE;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 0);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(r->request_id, 41);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".crt"), staged);
	assert_installed_for(e, key);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_int_equal(rec->cert.request_id, 41);
	assert_false(tpresent(e->mem, e->store, TPL, ".crt.new"));
	assert_false(tpresent(e->mem, e->store, TPL, ".key.new"));
	env_free(e);
}

/* a staged certificate that fails the checks is not installed: the request is retrieved again */
static void staged_answer_for_another_key_is_retrieved_again(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL, *other = NULL;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_cert *wrong = NULL;
	char *wrong_pem = NULL, *ca_pem = NULL;
	size_t wrong_len = 0, ca_len = 0;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	/* staged next to the PENDING record: a certificate of this CA, for another key */
	assert_int_equal(ae_key_generate(e, &spec, &other), AE_OK);
	wrong = pki_cert(e, "host.lab.example", other, e->ca.ca_cert, e->ca.ca_key, 0x77, 365,
			 NULL);
	assert_int_equal(ae_cert_to_pem(e, wrong, &wrong_pem, &wrong_len), AE_OK);
	assert_int_equal(ae_cert_to_pem(e, e->ca.ca_cert, &ca_pem, &ca_len), AE_OK);
	assert_int_equal(ae_file_write_atomic_at(e->store->fd, TPL ".crt.new", wrong_pem,
						 wrong_len, 0644), AE_OK);
	assert_int_equal(ae_file_write_atomic_at(e->store->fd, TPL ".chain.pem.new", ca_pem,
						 ca_len, 0644), AE_OK);

	e->ca.calls = 0;
	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(e->ca.got_id, 41);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_installed_for(e, key);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".crt"), e->ca.issued_pem);
	assert_int_equal(record(e)->status, AE_CERT_ISSUED);
	env_free(e);
}

static void issued_without_template_extension_is_bound_by_the_record(void **state)
{
	struct env *e = env_new(*state);
	struct ae_template *t = talloc_zero(e, struct ae_template);
	struct ae_enroll_result *r = NULL;
	struct ae_store_state *rec = NULL;

	assert_non_null(t);
	t->cn = talloc_strdup(t, TPL);
	t->oid = talloc_strdup(t, "1.3.6.1.4.1.311.21.8.1.2.3");
	t->major_revision = 100;
	t->minor_revision = 4;
	t->overlap_s = 6 * 7 * 86400;
	e->ca.answer = FAKE_ISSUE;	/* pki_cert adds no template extension */
	assert_int_equal(submit(e, AE_CERT_ENROLLING, t, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_non_null(r->note);
	assert_non_null(strstr(r->note, CA_CN));
	rec = record(e);
	assert_true(rec->cert.ca_omits_template_ext);
	assert_true(rec->cert.has_major);
	assert_int_equal(rec->cert.major, 100);
	assert_int_equal(rec->cert.minor, 4);
	assert_true(rec->cert.renew_at > 0 && rec->cert.renew_at < rec->cert.not_after);

	/* the same CA again: bound the same way, not warned again */
	assert_int_equal(submit(e, AE_CERT_RENEWING, t, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_null(r->note);
	rec = record(e);
	assert_true(rec->cert.ca_omits_template_ext);
	assert_int_equal(rec->cert.major, 100);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			submit_issued_installs_the_pair_and_archives_the_old_one,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			submit_pending_records_the_request_id_before_anything_else,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			submit_issued_records_the_request_id_before_installing,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(retrieve_pending_then_issued_installs,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(retrieve_unreachable_leaves_the_request_pending,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(retrieve_denied_drops_the_pending_request,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(submit_denied_aborts_and_keeps_the_installed_pair,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			transport_failure_keeps_the_installed_pair_and_reports_unreachable,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			answer_for_another_key_is_unverified_and_not_installed,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(staged_answer_is_installed_without_calling_the_ca,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(staged_answer_for_another_key_is_retrieved_again,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			issued_without_template_extension_is_bound_by_the_record,
			leak_setup, leak_teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
