/*
 * bench_wstep: an enrollment over MS-WSTEP against its physical floor, one
 * run, against the lab's CES (Kerberos with TLS channel bindings).
 *
 * For N rounds, alternating (so that the machine's load falls on both alike),
 * it times:
 *   keygen  - generating the key alone (reported; in neither figure below)
 *   floor   - one ae_https_post of a prebuilt RequestSecurityToken: TLS
 *             handshake, SPNEGO with channel bindings, the request, the CA
 *             signs; nothing parsed
 *   full    - with a fresh key: PKCS#10 and the per-template step the cycle
 *             uses (ae_step_submit over ae_wstep_ca_call: store begin, the
 *             message, the same exchange, the answer parsed, RelatesTo, key
 *             match and chain to the CA certificate, atomic install)
 * and prints the medians and full / floor.
 * No pass/fail: figures only (run it with bench/wstep).
 *
 *   usage: bench_wstep SMB_CONF TEMPLATE KEY_TYPE CES_URL CA_NAME CA_PEM OUT_DIR [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_creds.h"
#include "ae_csr.h"
#include "ae_enroll.h"
#include "ae_file.h"
#include "ae_https.h"
#include "ae_key.h"
#include "ae_log.h"
#include "ae_pki.h"
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_session.h"
#include "ae_step.h"
#include "ae_store.h"
#include "ae_wstep.h"
#include "ae_wstep_ca.h"
#include "ae_x509.h"
#include "ae_xcep.h"
#include "icpr.h"
#include "bench_time.h"

#define MAX_ROUNDS 200

struct bench {
	struct ae_session *s;
	const char *tmpl, *url;
	struct ae_key_spec spec;
	struct ae_store *store;
	struct ae_polsrv ps;
	struct ae_xcep_uri uri;
	struct ae_xcep_ca xca;
	struct ae_der_blob ca_der;
	struct ae_enrollment_service svc;
};

/* full: (a fresh key, untimed) PKCS#10, the step over MS-WSTEP into the store */
static int full_once(struct bench *b, double *ms)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_wstep_ca *w = talloc_zero(mem, struct ae_wstep_ca);	/* outputs below it */
	struct ae_step_ca sca = { .svc = &b->svc, .call = ae_wstep_ca_call, .priv = w };
	struct ae_enroll_result *r = talloc_zero(mem, struct ae_enroll_result);
	struct ae_step st = { .store = b->store, .template_name = b->tmpl,
			      .kind = AE_CERT_ENROLLING };
	struct ae_csr_params p10 = { .template_name = b->tmpl, .schema_version = 1 };
	struct ae_key *key = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	double t0 = 0;
	int rc = -1;

	if (w != NULL && r != NULL && ae_key_generate(mem, &b->spec, &key) == AE_OK &&
	    (t0 = now_ms()) > 0 && ae_csr_build(mem, key, &p10, &der, &len) == AE_OK) {
		w->s = b->s;
		w->svc = &b->svc;
		w->ps = &b->ps;
		st.key = key;
		st.csr = der;
		st.csr_len = len;
		(void)ae_step_submit(mem, &st, &sca, r);
		*ms = now_ms() - t0;
		rc = r->outcome == AE_OUTCOME_ISSUED ? 0 : -1;
		if (rc != 0) {
			fprintf(stderr, "bench: enrollment over %s failed: %s\n", b->url,
				r->error ? r->error : r->outcome_name);
		}
	}
	talloc_free(mem);
	return rc;
}

/* floor: (keygen, timed apart; the message, untimed) one POST, nothing parsed */
static int floor_once(struct bench *b, double *keygen_ms, double *post_ms)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_wstep_req q = { .to = b->url, .token_type = AE_WSTEP_PKCS10,
				  .template_name = b->tmpl };
	struct ae_csr_params p10 = { .template_name = b->tmpl, .schema_version = 1 };
	struct ae_https_opts o;
	struct ae_https_response *hr = NULL;
	struct ae_key *key = NULL;
	char *user = NULL, *pw = NULL, why[512] = "";
	uint8_t *der = NULL, *body = NULL;
	size_t len = 0, body_len = 0;
	double t0 = now_ms();
	int rc = -1;

	if (ae_key_generate(mem, &b->spec, &key) != AE_OK) {
		goto out;
	}
	*keygen_ms = now_ms() - t0;
	if (ae_csr_build(mem, key, &p10, &der, &len) != AE_OK) {
		goto out;
	}
	q.token = der;
	q.token_len = len;
	if (ae_wstep_build_issue(mem, &q, &body, &body_len) != AE_OK ||
	    ae_polsrv_https_opts_why(mem, b->s, &b->ps, AE_XCEP_AUTH_KERBEROS, &o, &user, &pw,
				     why, sizeof(why)) != AE_OK) {
		fprintf(stderr, "bench: %s\n", why[0] ? why : "cannot build the floor's request");
		goto out;
	}
	o.soap_action = AE_WSTEP_ACTION_RST;
	t0 = now_ms();
	if (ae_https_post(mem, b->s->ev, b->url, &o, body, body_len, &hr, why, sizeof(why)) !=
	    AE_OK || hr->status != 200) {
		fprintf(stderr, "bench: floor POST to %s failed: %s\n", b->url,
			why[0] ? why : "HTTP status not 200");
		goto out;
	}
	*post_ms = now_ms() - t0;
	rc = 0;
out:
	talloc_free(mem);
	return rc;
}

static int setup(struct bench *b, TALLOC_CTX *mem, char **argv)
{
	struct ae_store_lock *lock = NULL;
	struct ae_cert_list *l = NULL;
	uint8_t *pem = NULL;
	size_t len = 0;

	b->tmpl = argv[2];
	b->url = argv[4];
	if (ae_key_spec_parse(argv[3], &b->spec) != AE_OK ||
	    ae_file_read(mem, argv[6], 1 << 20, &pem, &len) != AE_OK ||
	    ae_cert_list_parse_pem(mem, pem, len, &l) != AE_OK || l->count == 0 ||
	    ae_cert_to_der(mem, l->certs[0], &b->ca_der.der, &b->ca_der.len) != AE_OK) {
		fprintf(stderr, "bench: bad key type %s or CA file %s\n", argv[3], argv[6]);
		return -1;
	}
	if (ae_store_open(mem, argv[7], 0, AE_STORE_OPEN_CREATE, &b->store, NULL, 0) != AE_OK ||
	    ae_store_lock(b->store, true, &lock) != AE_OK) {
		fprintf(stderr, "bench: cannot open the store %s\n", argv[7]);
		return -1;
	}
	/* the CA as an MS-XCEP policy server would describe it: one Kerberos CES */
	b->ps.kind = AE_POLSRV_XCEP;
	b->ps.url = (char *)b->url;
	b->ps.auth = AE_XCEP_AUTH_KERBEROS;
	b->ps.pinned_ca_file = argv[6];
	b->uri.uri = (char *)b->url;
	b->uri.client_auth = AE_XCEP_AUTH_KERBEROS;
	b->xca.uris = &b->uri;
	b->xca.num_uris = 1;
	b->svc.cn = argv[5];
	b->svc.dns_host = (char *)"ces";
	b->svc.ca_certs = &b->ca_der;
	b->svc.num_ca_certs = 1;
	b->svc.xcep_ca = &b->xca;
	return 0;
}

int main(int argc, char **argv)
{
	static double keygen[MAX_ROUNDS], post[MAX_ROUNDS], full[MAX_ROUNDS];
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_session_opts so = { 0 };
	struct bench b = { 0 };
	struct rusage ru;
	int rounds = argc > 8 ? atoi(argv[8]) : 10, i, rc = 0;
	double k, p, f;

	if (argc < 8 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bench_wstep SMB_CONF TEMPLATE KEY_TYPE CES_URL CA_NAME CA_PEM "
			"OUT_DIR [ROUNDS 1..%d]\n", MAX_ROUNDS);
		return 2;
	}
	so.configfile = argv[1];
	if (ae_session_open(mem, &so, &b.s) != AE_OK) {
		fprintf(stderr, "bench: %s\n", b.s ? b.s->error : "session failed");
		return 1;
	}
	if (setup(&b, mem, argv) != 0) {
		talloc_free(mem);
		return 1;
	}
	/* one unmeasured round each: the CES's first request, caches */
	rc = full_once(&b, &f) == 0 && floor_once(&b, &k, &p) == 0 ? 0 : 1;
	for (i = 0; i < rounds && rc == 0; i++) {
		rc = full_once(&b, &full[i]);
		if (rc == 0) {
			rc = floor_once(&b, &keygen[i], &post[i]);
		}
	}
	if (rc == 0) {
		k = median(keygen, rounds);
		p = median(post, rounds);
		f = median(full, rounds);
		printf("%s %s, rounds %d (alternating): floor = one HTTPS POST (TLS handshake + "
		       "SPNEGO with channel bindings + RequestSecurityToken; the CA signs) %.2f ms; "
		       "full enrollment over MS-WSTEP without keygen (PKCS#10, store, message, "
		       "exchange, parse, verify, install) %.2f ms; ratio full/floor %.2f; "
		       "(keygen alone %.2f ms)\n", b.tmpl, argv[3], rounds, p, f, f / p, k);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld KiB\n", ru.ru_maxrss);
	talloc_free(mem);
	return rc == 0 ? 0 : 1;
}
