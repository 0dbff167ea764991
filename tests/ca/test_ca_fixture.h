/*
 * test_ca_fixture.h: the fixture of the test CA's decision-path tests
 * (test_ca.c, test_ca_renewal.c): a throw-away CA in a temporary directory,
 * a fake directory (templates, accounts, the CA's published list) and
 * request builders.
 */
#ifndef TEST_CA_FIXTURE_H
#define TEST_CA_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ca.h"
#include "ca_ctx.h"
#include "ca_der.h"
#include "ca_policy.h"

#define DOM "S-1-5-21-2367808153-3155904917-1618797726"
#define TOID "1.3.6.1.4.1.311.21.8.1000001.2000002.1000.1"
#define NOW ((time_t)1767225600)	/* 2026-01-01 */
#define DC DOM "-515"			/* Domain Computers */
#define CONFIG_DN "CN=Configuration,DC=lab,DC=example,DC=com"

struct fixture {
	TALLOC_CTX *t;
	char dir[64];
	struct ca_ctx *ca;
	EVP_PKEY *key;		/* requester RSA-2048 */
	EVP_PKEY *small;	/* RSA-1024 */
	struct ca_template tmpl[10];
	size_t ntmpl;
	struct ca_account acct[4];	/* MEMBER1$, MEMBER2$ (no dNSHostName), alice, bob (no mail) */
	struct ca_caller machine, machine2, user, bob;
	bool dir_down;
	bool publish_fails;		/* the fake directory refuses userCertificate writes */
	char *published_dn;		/* last CT_FLAG_PUBLISH_TO_DS publication */
	uint8_t *published_der;
	size_t published_len;
	unsigned published_count;
	time_t clock;		/* added to NOW */
	uint32_t flags;		/* dwFlags of submit() */
};

struct csr_opts {
	EVP_PKEY *key;
	const char *cn;
	const char *oid;
	uint32_t major, minor;
	const char *v1name;
	const char *san_dns;
	bool bad_sig;
	const struct ca_bytes *renewal;	/* szOID_RENEWAL_CERTIFICATE value (DER) */
	int renewal_copies;		/* 2: that attribute twice */
	bool renewal_two_values;	/* ... with the value twice */
};

int setup(void **state);
int teardown(void **state);
struct ca_template *tmpl(struct fixture *f, const char *cn, const char *oid, uint32_t schema,
			 uint32_t name_flags, uint32_t enroll_flags, const char *enroll_sid);
/* A DER PKCS#10 as o says, on t. */
struct ca_bytes make_csr(TALLOC_CTX *t, const struct csr_opts *o);
/* ca_process() for a submission (csr != NULL) or a retrieval (id), at NOW + f->clock. */
struct ca_answer *submit(struct fixture *f, const struct ca_caller *c, const char *authority,
			 const char *attrs, const struct ca_bytes *csr, uint32_t id);
/* submit() of make_csr(o) to "test-ca" */
struct ca_answer *ask(struct fixture *f, const struct ca_caller *c, const char *attrs,
		      const struct csr_opts *o);
/* The issued certificate, checked (CA signature, chain, "Issued"); the caller frees it. */
X509 *check_issued(struct fixture *f, const struct ca_answer *a);
const ASN1_OCTET_STRING *ext_value(X509 *x, const char *oid);
/* A refusal: disposition hr, nothing issued, an id or not. */
void expect(struct ca_answer *a, uint32_t hr, bool with_id);
/* ca-admin CMD ID, expecting exit status want. */
void set_record_state(struct fixture *f, uint32_t id, const char *cmd, int want);
/* ca-admin with arguments args (a shell fragment); its exit status. */
int ca_admin(struct fixture *f, const char *args);

/* test_ca_renewal.c */
int ca_renewal_tests(void);
/* test_ca_user.c */
int ca_user_tests(void);
/* test_ca_fault.c */
int ca_fault_tests(void);

#endif
