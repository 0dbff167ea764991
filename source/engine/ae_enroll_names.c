/*
 * ae_enroll_names.c: the names an administrator chooses on `autoenroll
 * request` (--subject, --dns, --ip, --upn, --email) and the names a
 * renewal copies from the certificate it replaces.
 *
 *   values    checked before anything is contacted (ae_enroll_names_check;
 *             the request layer's ae_names.h: RFC 4514 subject, LDH DNS
 *             names, inet_pton addresses, one '@' in a UPN or e-mail)
 *   template  checked once it is read, before any CA is asked: a subject
 *             needs CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT (0x1), SANs need it or
 *             CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME (0x10000)
 *             ([MS-CRTD] 2.28; an enterprise CA builds the names from AD
 *             otherwise, [MS-WCCE] 3.2.2.6.2.1.4.5.*)
 *   request   the subject in the PKCS#10 subject, the SANs in the
 *             extensionRequest's subjectAltName ([MS-WCCE] 3.1.2.4.2.2.2.10);
 *             with any name option, exactly those names: no default subject
 *             CN or DNS name is added
 *   renewal   CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME (0x8, [MS-CRTD]
 *             2.28): the subject and SAN of the certificate being renewed
 */
#include <string.h>
#include <talloc.h>
#include "ae_csr.h"
#include "ae_enroll_private.h"
#include "ae_names.h"
#include "ae_template.h"

static bool have_san(const struct ae_enroll_opts *o)
{
	return (o->dns != NULL && o->dns[0] != NULL) || (o->ip != NULL && o->ip[0] != NULL) ||
	       o->upn != NULL || o->email != NULL;
}

bool ae_enroll_names_given(const struct ae_enroll_opts *o)
{
	return o->subject != NULL || have_san(o);
}

static void input_of(const struct ae_enroll_opts *o, struct ae_names_input *in)
{
	*in = (struct ae_names_input){ .subject = o->subject, .dns = o->dns, .ip = o->ip,
				       .upn = o->upn, .email = o->email };
}

ae_err ae_enroll_names_check(TALLOC_CTX *mem, const struct ae_enroll_opts *o, char **_why)
{
	struct ae_names_input in;
	struct ae_names *n = NULL;
	ae_err err;

	if (!ae_enroll_names_given(o)) {
		return AE_OK;
	}
	input_of(o, &in);
	err = ae_names_build(mem, &in, &n, _why);
	talloc_free(n);
	return err;
}

ae_err ae_enroll_names_allowed(struct ae_enroll_result *r, const struct ae_template *t,
			       const struct ae_enroll_opts *o)
{
	uint32_t f = t->name_flag;

	if (o->subject != NULL && (f & CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT) == 0) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s: --subject refused: the "
			       "template does not let the enrollee supply the subject "
			       "(msPKI-Certificate-Name-Flag 0x%08x lacks "
			       "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT 0x1; the CA builds the names "
			       "from AD); nothing was sent", t->cn, f);
		return AE_ERR_INVALID;
	}
	if (have_san(o) && (f & (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT |
				 CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME)) == 0) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s: --dns/--ip/--upn/--email "
			       "refused: the template does not let the enrollee supply subject "
			       "alternative names (msPKI-Certificate-Name-Flag 0x%08x lacks "
			       "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME 0x10000 and "
			       "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT 0x1); nothing was sent", t->cn, f);
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

static void apply(const struct ae_names *n, struct ae_csr_params *p)
{
	p->subject_cn = NULL;
	p->dns_names = NULL;
	p->subject_der = n->subject_der;
	p->subject_len = n->subject_len;
	p->san_der = n->san_der;
	p->san_len = n->san_len;
}

ae_err ae_enroll_names_apply(TALLOC_CTX *mem, const struct ae_enroll_opts *o,
			     struct ae_csr_params *p)
{
	struct ae_names_input in;
	struct ae_names *n = NULL;
	char *why = NULL;
	ae_err err;

	if (!ae_enroll_names_given(o)) {
		return AE_OK;
	}
	input_of(o, &in);
	err = ae_names_build(mem, &in, &n, &why);
	talloc_free(why);
	if (err == AE_OK) {
		apply(n, p);
	}
	return err;
}

bool ae_enroll_names_from_old(const struct ae_template *t)
{
	return (t->name_flag & CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT) != 0;
}

ae_err ae_enroll_names_copy(TALLOC_CTX *mem, const struct ae_cert *old, struct ae_csr_params *p)
{
	struct ae_names *n = NULL;
	ae_err err = ae_names_of_cert(mem, old, &n);

	if (err == AE_OK) {
		apply(n, p);
	}
	return err;
}
