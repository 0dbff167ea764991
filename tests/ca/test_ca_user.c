/*
 * test_ca_user.c: user templates at the test CA (no CT_FLAG_MACHINE_TYPE):
 * names from the requester's directory object per msPKI-Certificate-Name-
 * Flag ([MS-CRTD] 2.28), the SID extension, a missing attribute refused
 * with AD CS's HRESULT, CT_FLAG_PUBLISH_TO_DS ([MS-CRTD] 2.26) and the
 * requester recorded with each request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include "ae_hresult.h"
#include "ca.h"
#include "ca_ctx.h"
#include "ca_db.h"
#include "ca_der.h"
#include "ca_policy.h"
#include "test_ca_fixture.h"

#define ALICE_DN "CN=Alice\\, A.,CN=Users,DC=lab,DC=example,DC=com"

/* The SAN's otherName of type oid as UTF8String text, or NULL. */
static char *san_other_utf8(TALLOC_CTX *t, X509 *x, const char *oid)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);
	char *out = NULL;
	int i;

	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		ASN1_OBJECT *o = NULL;
		ASN1_TYPE *v = NULL;
		if (g->type != GEN_OTHERNAME || !GENERAL_NAME_get0_otherName(g, &o, &v) ||
		    OBJ_cmp(o, want) != 0 || v->type != V_ASN1_UTF8STRING) {
			continue;
		}
		out = talloc_strndup(t, (const char *)ASN1_STRING_get0_data(v->value.utf8string),
				     (size_t)ASN1_STRING_length(v->value.utf8string));
	}
	ASN1_OBJECT_free(want);
	GENERAL_NAMES_free(gens);
	return out;
}

/* The SAN's first entry of an IA5 type (GEN_EMAIL, GEN_DNS), or NULL. */
static char *san_ia5(TALLOC_CTX *t, X509 *x, int type)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	char *out = NULL;
	int i;

	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) && out == NULL; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == type) {
			out = talloc_strndup(t, (const char *)ASN1_STRING_get0_data(g->d.ia5),
					     (size_t)ASN1_STRING_length(g->d.ia5));
		}
	}
	GENERAL_NAMES_free(gens);
	return out;
}

static struct ca_record *record_of(struct fixture *f, uint32_t id)
{
	struct ca_record *r = NULL;

	assert_int_equal(ca_db_load(f->t, f->ca->db_dir, id, &r), AE_OK);
	return r;
}

/* A Windows-like "User" template: DN subject + e-mail, UPN and e-mail SANs, SID, published. */
static void test_user_names_and_publication(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	unsigned before = f->published_count;
	struct ca_answer *a = ask(f, &f->user, "CertificateTemplate:LabUserWin", &o);
	X509 *x = check_issued(f, a);
	X509_NAME *subj = X509_get_subject_name(x);
	const ASN1_OCTET_STRING *sid = ext_value(x, CA_OID_SID_EXT);
	char text[256], *want_sid = ca_sid_string(f->t, &f->acct[2].sid);
	struct ca_record *r;

	/* RFC 4514 order reversed into the certificate: DC=com first, e-mail last */
	assert_int_equal(X509_NAME_entry_count(subj), 6);
	X509_NAME_oneline(subj, text, sizeof(text));
	assert_string_equal(text, "/DC=com/DC=example/DC=lab/CN=Users/CN=Alice, A."
			    "/emailAddress=alice@example.org");
	assert_string_equal(san_other_utf8(f->t, x, CA_OID_UPN), "alice@lab.example.com");
	assert_string_equal(san_ia5(f->t, x, GEN_EMAIL), "alice@example.org");
	assert_null(san_ia5(f->t, x, GEN_DNS));
	assert_non_null(sid);
	assert_non_null(memmem(ASN1_STRING_get0_data(sid), (size_t)ASN1_STRING_length(sid),
			       want_sid, strlen(want_sid)));
	/* CT_FLAG_PUBLISH_TO_DS: the certificate went to alice's object */
	assert_int_equal(f->published_count, before + 1);
	assert_string_equal(f->published_dn, ALICE_DN);
	assert_int_equal(f->published_len, a->cert.len);
	assert_memory_equal(f->published_der, a->cert.p, a->cert.len);
	/* the request names who authenticated it */
	r = record_of(f, a->request_id);
	assert_string_equal(r->requester, "LAB\\alice");
	assert_string_equal(r->template_name, "LabUserWin");
	assert_int_equal(ca_admin(f, "list --requester | grep -qx '[0-9]* issued LabUserWin "
				  "S-1-[-0-9]* LAB\\\\alice'"), 0);
	/* without --requester: the four columns scripts match whole lines of */
	assert_int_equal(ca_admin(f, "list | grep -qx '[0-9]* issued LabUserWin S-1-[-0-9]*'"), 0);
	X509_free(x);
}

static void test_user_missing_mail(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	unsigned before = f->published_count;
	struct ca_answer *a = ask(f, &f->bob, "CertificateTemplate:LabUserWin", &o);
	struct ca_record *r;

	expect(a, CA_CERTSRV_E_SUBJECT_EMAIL_REQUIRED, true);
	assert_int_equal(CA_CERTSRV_E_SUBJECT_EMAIL_REQUIRED, 0x80094812u);
	assert_int_equal(CA_CERTSRV_E_SUBJECT_UPN_REQUIRED, 0x8009480Du);
	assert_int_equal(f->published_count, before);
	r = record_of(f, a->request_id);
	assert_int_equal(r->state, CA_REQ_FAILED);
	assert_int_equal(r->disposition, CA_CERTSRV_E_SUBJECT_EMAIL_REQUIRED);
	assert_string_equal(r->requester, "LAB\\bob");
	/* bob has a UPN: without the e-mail flags his certificate is issued */
	X509_free(check_issued(f, ask(f, &f->bob, "CertificateTemplate:LabUser", &o)));
}

static void test_user_publication_failure_and_flag(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	unsigned before = f->published_count;
	struct ca_answer *a;

	/* no CT_FLAG_PUBLISH_TO_DS (LabUser): nothing published */
	X509_free(check_issued(f, ask(f, &f->user, "CertificateTemplate:LabUser", &o)));
	assert_int_equal(f->published_count, before);
	/* the directory refuses the write: issued all the same (AD CS does) */
	f->publish_fails = true;
	a = ask(f, &f->user, "CertificateTemplate:LabUserWin", &o);
	f->publish_fails = false;
	X509_free(check_issued(f, a));
	assert_int_equal(f->published_count, before);
	/* the machine's requests record the machine */
	a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);
	assert_string_equal(record_of(f, a->request_id)->requester, "LAB\\MEMBER1$");
}

int ca_user_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_names_and_publication),
		cmocka_unit_test(test_user_missing_mail),
		cmocka_unit_test(test_user_publication_failure_and_flag),
	};

	return cmocka_run_group_tests_name("ca_user", tests, setup, teardown);
}
