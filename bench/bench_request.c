/*
 * bench_request: first enrollment against its physical floor, one run.
 *
 * For each key type (RSA-2048, EC P-256) and N rounds it times:
 *   keygen   - generating the key alone
 *   connect  - one MS-ICPR connect + bind at packet privacy
 *   request  - one CertServerRequest round trip (CSR prebuilt; the CA signs)
 *   full     - ae_enroll_request: template + CA from AD (LDAP connection of
 *              the session reused), keygen, PKCS#10, connect, request,
 *              verify (key match, chain), atomic install
 * and prints the medians and full / (keygen + connect + request).
 * No pass/fail: figures only (run it with bench/request).
 *
 *   usage: bench_request SMB_CONF RSA_TEMPLATE EC_TEMPLATE OUT_DIR [ROUNDS]
 * (RSA-2048 needs a template with a 2048-bit minimum, EC P-256 one made for
 * ECDSA: the lab has LabMachine and LabMachineEC.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_session.h"
#include "ae_enroll.h"
#include "ae_creds.h"
#include "ae_key.h"
#include "ae_csr.h"
#include "icpr.h"
#include "ae_smbconf.h"
#include "ae_log.h"
#include "bench_time.h"

#define MAX_ROUNDS 200

static int connect_once(struct ae_session *s, TALLOC_CTX *mem, const char *host,
			struct icpr_conn **_c)
{
	struct tevent_req *req;
	char *why = NULL, lwhy[256];
	NTSTATUS st;

	if (ae_smbconf_lp_load(s->conf, lwhy, sizeof(lwhy)) != AE_OK) {
		return -1;
	}
	req = icpr_connect_send(mem, s->ev, host, ICPR_TRANSPORT_TCP, s->creds->creds,
				s->conf->lp);
	if (req == NULL || !tevent_req_poll(req, s->ev)) {
		return -1;
	}
	st = icpr_connect_recv(req, mem, _c, &why);
	talloc_free(req);
	return NT_STATUS_IS_OK(st) ? 0 : -1;
}

static int request_once(struct ae_session *s, TALLOC_CTX *mem, struct icpr_conn *c,
			const struct icpr_request *in, uint32_t *disposition)
{
	struct tevent_req *req = icpr_submit_send(mem, s->ev, c, in);
	struct icpr_response *resp = NULL;
	NTSTATUS st;

	if (req == NULL || !tevent_req_poll(req, s->ev)) {
		return -1;
	}
	st = icpr_submit_recv(req, mem, &resp);
	talloc_free(req);
	if (!NT_STATUS_IS_OK(st)) {
		return -1;
	}
	*disposition = resp->disposition;
	return 0;
}

static int bench_key_type(struct ae_session *s, const char *tmpl, const char *out_dir,
			  const char *kt, int rounds)
{
	static double keygen[MAX_ROUNDS], conn[MAX_ROUNDS], reqt[MAX_ROUNDS], full[MAX_ROUNDS];
	struct ae_key_spec spec;
	struct ae_enroll_opts o = { .template_name = tmpl, .key_type = kt, .out_dir = out_dir,
				    .transport = AE_TRANSPORT_TCP };
	const char *ca_host = NULL, *ca_name = NULL;
	double floor_ms, k, c, r, f;
	int i;

	if (ae_key_spec_parse(kt, &spec) != AE_OK) {
		return -1;
	}
	for (i = 0; i < rounds; i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct ae_enroll_result *res = NULL;
		double t0 = now_ms();
		ae_err err = ae_enroll_request(mem, s, &o, &res);
		full[i] = now_ms() - t0;
		if (err != AE_OK || res->outcome != AE_OUTCOME_ISSUED) {
			fprintf(stderr, "bench: enrollment failed: %s\n",
				res && res->error ? res->error : ae_strerror(err));
			talloc_free(mem);
			return -1;
		}
		if (ca_host == NULL) {
			ca_host = talloc_strdup(s, res->ca_host);
			ca_name = talloc_strdup(s, res->ca_name);
		}
		talloc_free(mem);
	}
	for (i = 0; i < rounds; i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct ae_key *key = NULL;
		struct icpr_conn *cn = NULL;
		struct ae_csr_params p = { .template_name = tmpl, .schema_version = 1 };
		struct icpr_request in = { .authority = ca_name };
		uint8_t *der = NULL;
		size_t der_len = 0;
		uint32_t disp = 0;
		char attribs[300];
		double t0 = now_ms();

		if (ae_key_generate(mem, &spec, &key) != AE_OK) {
			talloc_free(mem);
			return -1;
		}
		keygen[i] = now_ms() - t0;
		t0 = now_ms();
		if (connect_once(s, mem, ca_host, &cn) != 0) {
			fprintf(stderr, "bench: connect to %s failed\n", ca_host);
			talloc_free(mem);
			return -1;
		}
		conn[i] = now_ms() - t0;
		snprintf(attribs, sizeof(attribs), "CertificateTemplate:%s", tmpl);
		if (ae_csr_build(mem, key, &p, &der, &der_len) != AE_OK ||
		    icpr_attribs_blob(mem, attribs, &in.attribs) != AE_OK) {
			talloc_free(mem);
			return -1;
		}
		in.request.pb = der;
		in.request.cb = (uint32_t)der_len;
		t0 = now_ms();
		if (request_once(s, mem, cn, &in, &disp) != 0) {
			talloc_free(mem);
			return -1;
		}
		reqt[i] = now_ms() - t0;
		talloc_free(mem);
	}
	k = median(keygen, rounds);
	c = median(conn, rounds);
	r = median(reqt, rounds);
	f = median(full, rounds);
	floor_ms = k + c + r;
	printf("%-9s rounds %d: keygen %.2f ms, connect+bind %.2f ms, CertServerRequest %.2f ms"
	       " -> floor %.2f ms; full enrollment %.2f ms; ratio full/floor %.2f\n",
	       kt, rounds, k, c, r, floor_ms, f, f / floor_ms);
	return 0;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_session_opts so = { 0 };
	struct ae_session *s = NULL;
	struct rusage ru;
	int rounds = argc > 5 ? atoi(argv[5]) : 10;
	double t0;
	int rc = 0;

	if (argc < 5 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bench_request SMB_CONF RSA_TEMPLATE EC_TEMPLATE OUT_DIR "
			"[ROUNDS 1..%d]\n",
			MAX_ROUNDS);
		return 2;
	}
	so.configfile = argv[1];
	t0 = now_ms();
	if (ae_session_open(mem, &so, &s) != AE_OK || ae_session_ldap(s) != AE_OK) {
		fprintf(stderr, "bench: %s\n", s ? s->error : "session failed");
		return 1;
	}
	printf("session (smb.conf, kinit from secrets.tdb, DC lookup, sealed LDAP bind): %.2f ms\n",
	       now_ms() - t0);
	if (bench_key_type(s, argv[2], argv[4], "rsa:2048", rounds) != 0 ||
	    bench_key_type(s, argv[3], argv[4], "ec:p256", rounds) != 0) {
		rc = 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld KiB\n", ru.ru_maxrss);
	talloc_free(mem);
	return rc;
}
