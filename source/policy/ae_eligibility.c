/*
 * Template eligibility for autoenrollment (ae_eligibility.h): the candidate
 * checks below, one template at a time, then supersession
 * over the survivors (ae_eligibility_supersede.c).
 *
 * Where each check comes from:
 *   auto-enrollment flag   [MS-CRTD] 2.26: msPKI-Enrollment-Flag 0x20 "instructs
 *                          clients to perform autoenrollment"; [MS-CRTD] 2.4:
 *                          flags 0x20 "is the same as" it. That a v1 template
 *                          carries it in flags and a v2+ one in
 *                          msPKI-Enrollment-Flag is our reading.
 *   context                [MS-CRTD] 2.4: CT_FLAG_MACHINE_TYPE "for an end entity
 *                          that represents a machine"; [MS-WCCE] 3.1.2.4.2.2.1.1:
 *                          "MUST NOT send ... unless the certificate and its
 *                          associated key are to be used by the hosting machine".
 *                          That the machine context skips the others is ours.
 *   schema version         [MS-WCCE] 3.1.2.4.2.1: 1 (or not set), 2, 3, 4; "some
 *                          other value ... SHOULD NOT submit".
 *   client version         [MS-WCCE] 3.1.2.4.2.2.2.8, 3.1.2.1.
 *   CA / cross-CA          [MS-CRTD] 2.4; not enrolling for them automatically is
 *                          our choice: an end-entity client has no use for a
 *                          CA certificate and must not ask for one unattended.
 *   Enroll, AutoEnroll     [MS-CRTD] 2.5.1, 2.5.2, evaluated over the token's
 *                          SIDs in DACL order (ae_access.h; the spec's test of
 *                          "Requester_SID" alone would ignore group grants).
 *   published              ours: some Enrollment Service lists the cn in
 *                          certificateTemplates ([MS-WCCE] 2.2.2.11.2.3); the
 *                          CA refuses a template it is
 *                          not configured to issue with CERTSRV_E_UNSUPPORTED_CERT_TYPE
 *                          ([MS-WCCE] 3.2.2.6.2.1.4.1).
 *   user interaction       [MS-CRTD] 2.26: 0x100 "obtain user consent"; we run
 *                          unattended.
 *   RA signatures          [MS-CRTD] 2.18; Windows autoenrollment supports at
 *                          most one, for the self-RA renewal ("Certificate
 *                          Autoenrollment in Windows Server 2003", Advanced
 *                          Features); no RA certificate is offered yet. The self-RA renewal case is eligible:
 *                          with CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT
 *                          (0x40, [MS-CRTD] 2.26) the renewal is signed with the
 *                          existing certificate and the CA does not enforce the
 *                          RA signatures ([MS-WCCE] 3.2.2.6.2.1.4.5.6, 3.2.2.6.2.1.4.8);
 *                          such a template is renewal only (ae_template_renewal_only),
 *                          which decide() enforces, since it needs the store.
 *   key archival           [MS-CRTD] 2.27, [MS-WCCE] 3.1.2.4.2.2.2.8: needs a
 *                          CMC request carrying the key encrypted to the KRA
 *                          (MS-WCCE 3.1.1.4.3.6.1; 3.1.2.4.2.2.2.8 still points to
 *                          the old number 3.1.1.4.3.5.1), not implemented. Its
 *                          exception for same-key renewal is a renewal matter,
 *                          not eligibility.
 *   name attributes        [MS-CRTD] 2.28 (ae_name_req.c): the CA takes mail,
 *                          the UPN or the DNS name from the requester's object
 *                          and fails the request without it; not asking is ours.
 * Samba's own client (python/samba/gp/gp_cert_auto_enroll_ext.py) checks
 * none of these.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ae_access.h"
#include "ae_eligibility.h"
#include "ae_name_req.h"
#include "ae_secdesc.h"

#define AE_ELIG_WHY_MAX		256	/* bytes of a secdesc parse reason */
#define AE_ELIG_CAS_SHOWN	8	/* CA names listed in "not published" */

#define CONDITIONAL_NOTE " (a conditional ACE was not evaluated)"

static const char *const inelig_names[] = {
	[AE_ELIGIBLE] = "eligible",
	[AE_INELIG_NO_AUTOENROLL_FLAG] = "no-autoenroll-flag",
	[AE_INELIG_CONTEXT] = "wrong-context",
	[AE_INELIG_SCHEMA] = "unsupported-schema",
	[AE_INELIG_CLIENT_VERSION] = "client-version",
	[AE_INELIG_CA_TEMPLATE] = "ca-template",
	[AE_INELIG_ENROLL_DENIED] = "denied-enroll",
	[AE_INELIG_NO_ENROLL] = "no-enroll",
	[AE_INELIG_AUTOENROLL_DENIED] = "denied-autoenroll",
	[AE_INELIG_NO_AUTOENROLL] = "no-autoenroll",
	[AE_INELIG_NOT_PUBLISHED] = "not-published",
	[AE_INELIG_USER_INTERACTION] = "user-interaction",
	[AE_INELIG_RA_SIGNATURES] = "ra-signatures",
	[AE_INELIG_KEY_ARCHIVAL] = "key-archival",
	[AE_INELIG_NO_SD] = "no-security-descriptor",
	[AE_INELIG_SUPERSEDED] = "superseded",
	[AE_INELIG_NAME_ATTRIBUTE] = "missing-name-attribute",
};

const char *ae_inelig_name(enum ae_inelig code)
{
	if ((size_t)code >= sizeof(inelig_names) / sizeof(inelig_names[0])) {
		return "unknown";
	}
	return inelig_names[code];
}

/* What the per-template checks share. */
struct elig_ctx {
	TALLOC_CTX *owner;		/* the output array: strings go below it */
	struct ae_enrollment_service *const *cas;
	size_t num_cas;
	const struct ae_token *token;
	enum ae_context ctx;
	ae_sid_namer namer;
	void *namer_data;
	const struct ae_subject_attrs *subject;	/* NULL: step 14b not made */
	bool enroll_only;		/* ae_eligibility_compute_enroll: no autoenrollment steps */
};

/* e->code and "not eligible: <fmt>". */
static ae_err refuse(const struct elig_ctx *c, struct ae_eligibility *e, enum ae_inelig code,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static ae_err refuse(const struct elig_ctx *c, struct ae_eligibility *e, enum ae_inelig code,
		     const char *fmt, ...)
{
	char *reason = talloc_strdup(c->owner, "not eligible: ");
	va_list ap;

	if (reason == NULL) {
		return AE_ERR_NOMEM;
	}
	va_start(ap, fmt);
	reason = talloc_vasprintf_append(reason, fmt, ap);
	va_end(ap);
	if (reason == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_free(e->reason);
	e->reason = reason;
	e->code = code;
	e->code_name = ae_inelig_name(code);
	return AE_OK;
}

/* "LAB\Deny Group (S-1-5-21-...)" or the SID alone, on mem. */
static char *who(TALLOC_CTX *mem, const struct elig_ctx *c, const struct ae_sid *sid)
{
	char buf[AE_SID_STR_MAX];
	const char *name = NULL;

	ae_sid_format(sid, buf);
	if (c->namer != NULL) {
		name = c->namer(c->namer_data, sid);
	}
	if (name == NULL) {
		return talloc_strdup(mem, buf);
	}
	return talloc_asprintf(mem, "%s (%s)", name, buf);
}

/* The cns of the CAs that publish t, into e->cas. */
static ae_err fill_cas(const struct elig_ctx *c, const struct ae_template *t,
		       struct ae_eligibility *e)
{
	size_t i, num = 0;

	for (i = 0; i < c->num_cas; i++) {
		if (ae_enrollment_service_publishes(c->cas[i], t->cn)) {
			num++;
		}
	}
	if (num == 0) {
		return AE_OK;
	}
	e->cas = talloc_array(c->owner, char *, num);
	if (e->cas == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < c->num_cas; i++) {
		if (!ae_enrollment_service_publishes(c->cas[i], t->cn)) {
			continue;
		}
		e->cas[e->num_cas] = talloc_strdup(e->cas, c->cas[i]->cn);
		if (e->cas[e->num_cas] == NULL) {
			return AE_ERR_NOMEM;
		}
		e->num_cas++;
	}
	return AE_OK;
}

/* "A, B, C" (at most AE_ELIG_CAS_SHOWN, then ", ...") of every CA, on mem. */
static char *ca_list(TALLOC_CTX *mem, const struct elig_ctx *c)
{
	char *s = talloc_strdup(mem, "");
	size_t i;

	for (i = 0; s != NULL && i < c->num_cas && i < AE_ELIG_CAS_SHOWN; i++) {
		s = talloc_asprintf_append(s, "%s%s", i > 0 ? ", " : "", c->cas[i]->cn);
	}
	if (s != NULL && c->num_cas > AE_ELIG_CAS_SHOWN) {
		s = talloc_strdup_append(s, ", ...");
	}
	return s;
}

/*
 * One right: *_ok true when granted. Otherwise e says who denied it or
 * that nothing grants it, with the conditional note when it applies.
 */
static ae_err check_right(const struct elig_ctx *c, const struct ae_secdesc *sd,
			  enum ae_right r, enum ae_inelig denied, enum ae_inelig none,
			  struct ae_eligibility *e, bool *_ok)
{
	struct ae_access_result res;
	const char *note = NULL;
	char *name = NULL;
	ae_err err;

	*_ok = false;
	err = ae_access_check(sd, c->token, r, &res);
	if (err != AE_OK) {
		return err;
	}
	if (res.granted) {
		*_ok = true;
		return AE_OK;
	}
	note = res.conditional ? CONDITIONAL_NOTE : "";
	if (res.denied) {
		name = who(c->owner, c, &res.deciding_sid);
		if (name == NULL) {
			return AE_ERR_NOMEM;
		}
		err = refuse(c, e, denied, "denied %s by %s%s", ae_right_name(r), name, note);
		talloc_free(name);
		return err;
	}
	if (sd->dacl != NULL && sd->dacl->num_aces == 0) {
		return refuse(c, e, none, "the DACL is empty: nothing grants %s%s",
			      ae_right_name(r), note);
	}
	name = who(c->owner, c, &c->token->user);
	if (name == NULL) {
		return AE_ERR_NOMEM;
	}
	err = refuse(c, e, none, "nothing grants %s to %s or its groups%s",
		     ae_right_name(r), name, note);
	talloc_free(name);
	return err;
}

/*
 * Steps 6-10 for a policy from an MS-XCEP server: the server evaluated the
 * rights for the requester and sends its verdict (EnrollmentPermission,
 * [MS-XCEP] 3.1.4.1.3.7) in place of the security descriptor.
 */
static ae_err check_xcep_permission(const struct elig_ctx *c, const struct ae_template *t,
				    struct ae_eligibility *e, bool *_ok)
{
	*_ok = false;
	if (!t->xcep_permission.enroll) {
		return refuse(c, e, AE_INELIG_NO_ENROLL,
			      "the policy server does not grant Enroll (permission/enroll false)");
	}
	if (!t->xcep_permission.auto_enroll && !c->enroll_only) {
		return refuse(c, e, AE_INELIG_NO_AUTOENROLL, "the policy server does not grant "
			      "AutoEnroll (permission/autoEnroll false)");
	}
	*_ok = true;
	return AE_OK;
}

/*
 * Steps 6-10: the security descriptor and the two rights. *_ok true when
 * both are granted; the parsed descriptor lives on a temporary context.
 * A template from an MS-XCEP policy carries the server's verdict instead.
 */
static ae_err check_rights(const struct elig_ctx *c, const struct ae_template *t,
			   struct ae_eligibility *e, bool *_ok)
{
	TALLOC_CTX *tmp = NULL;
	struct ae_secdesc *sd = NULL;
	char why[AE_ELIG_WHY_MAX];
	ae_err err;

	*_ok = false;
	if (t->present & AE_TPL_HAS_XCEP_PERMISSION) {
		return check_xcep_permission(c, t, e, _ok);
	}
	if (t->sd == NULL || t->sd_len == 0) {
		return refuse(c, e, AE_INELIG_NO_SD, "no nTSecurityDescriptor was read "
			      "(not returned: the SD_FLAGS control or the Read right is missing)");
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_secdesc_parse_why(tmp, t->sd, t->sd_len, &sd, why, sizeof(why));
	if (err == AE_ERR_NOMEM) {
		talloc_free(tmp);
		return err;
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return refuse(c, e, AE_INELIG_NO_SD, "nTSecurityDescriptor does not parse: %s",
			      why[0] != '\0' ? why : ae_strerror(err));
	}
	err = check_right(c, sd, AE_RIGHT_ENROLL, AE_INELIG_ENROLL_DENIED,
			  AE_INELIG_NO_ENROLL, e, _ok);
	if (err == AE_OK && *_ok && !c->enroll_only) {
		err = check_right(c, sd, AE_RIGHT_AUTOENROLL, AE_INELIG_AUTOENROLL_DENIED,
				  AE_INELIG_NO_AUTOENROLL, e, _ok);
	}
	talloc_free(tmp);
	return err;
}

/* Steps 1-5 (see ae_eligibility.h): *_ok true when all pass. */
static ae_err check_static(const struct elig_ctx *c, const struct ae_template *t,
			   struct ae_eligibility *e, bool *_ok)
{
	bool v1 = t->schema_version <= 1;
	uint32_t ae_bits = v1 ? t->flags : t->enrollment_flag;
	bool machine = (t->flags & CT_FLAG_MACHINE_TYPE) != 0;
	uint32_t client = (t->private_key_flag & CTPRIVATEKEY_FLAG_CLIENTVERSION_MASK) >>
			  CTPRIVATEKEY_FLAG_CLIENTVERSION_SHIFT;

	*_ok = false;
	if ((ae_bits & CT_FLAG_AUTO_ENROLLMENT) == 0 && !c->enroll_only) {
		return refuse(c, e, AE_INELIG_NO_AUTOENROLL_FLAG,
			      "%s 0x%08x lacks CT_FLAG_AUTO_ENROLLMENT (0x20) "
			      "(schema version %u)", v1 ? "flags" : "msPKI-Enrollment-Flag",
			      ae_bits, t->schema_version);
	}
	if (machine != (c->ctx == AE_CONTEXT_MACHINE)) {
		return refuse(c, e, AE_INELIG_CONTEXT,
			      machine ? "a machine template (CT_FLAG_MACHINE_TYPE set) "
					"in the user context"
				      : "a user template (CT_FLAG_MACHINE_TYPE clear) "
					"in the machine context");
	}
	if (t->schema_version < 1 || t->schema_version > 4) {
		return refuse(c, e, AE_INELIG_SCHEMA,
			      "msPKI-Template-Schema-Version %u is not 1 to 4",
			      t->schema_version);
	}
	if (client > AE_CLIENT_CURRENT_VERSION) {
		return refuse(c, e, AE_INELIG_CLIENT_VERSION,
			      "msPKI-Private-Key-Flag 0x%08x asks for client version %u, "
			      "this client is version %u", t->private_key_flag, client,
			      AE_CLIENT_CURRENT_VERSION);
	}
	if ((t->flags & (CT_FLAG_IS_CA | CT_FLAG_IS_CROSS_CA)) != 0) {
		return refuse(c, e, AE_INELIG_CA_TEMPLATE, "a %s template (%s in flags)",
			      (t->flags & CT_FLAG_IS_CA) ? "CA certificate" : "cross-certificate",
			      (t->flags & CT_FLAG_IS_CA) ? "CT_FLAG_IS_CA" : "CT_FLAG_IS_CROSS_CA");
	}
	*_ok = true;
	return AE_OK;
}

/* Steps 11-14, then the eligible verdict. */
static ae_err check_rest(const struct elig_ctx *c, const struct ae_template *t,
			 struct ae_eligibility *e, bool *_ok)
{
	char *list = NULL;
	size_t i;
	ae_err err;

	*_ok = false;
	if (e->num_cas == 0) {
		if (c->num_cas == 0) {
			return refuse(c, e, AE_INELIG_NOT_PUBLISHED, "no Enrollment Service was read");
		}
		list = ca_list(c->owner, c);
		if (list == NULL) {
			return AE_ERR_NOMEM;
		}
		err = refuse(c, e, AE_INELIG_NOT_PUBLISHED,
			     "no Enrollment Service lists it in certificateTemplates (%zu checked: %s)",
			     c->num_cas, list);
		talloc_free(list);
		return err;
	}
	if ((t->enrollment_flag & CT_FLAG_USER_INTERACTION_REQUIRED) && !c->enroll_only) {
		return refuse(c, e, AE_INELIG_USER_INTERACTION,
			      "CT_FLAG_USER_INTERACTION_REQUIRED (0x100) asks for user consent; "
			      "autoenrollment runs unattended");
	}
	if (t->ra_signatures > 0 && !ae_template_renewal_only(t)) {
		return refuse(c, e, AE_INELIG_RA_SIGNATURES,
			      "msPKI-RA-Signature %u: the request needs RA signatures and "
			      "no RA certificate is available", t->ra_signatures);
	}
	if (t->private_key_flag & CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL) {
		return refuse(c, e, AE_INELIG_KEY_ARCHIVAL,
			      "CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL (0x1): key archival "
			      "is not supported yet");
	}
	if (c->subject != NULL) {
		char *why = NULL;

		err = ae_name_req_check(c->owner, t, c->ctx, c->subject, &why);
		if (err != AE_OK || why != NULL) {
			err = err != AE_OK ? err : refuse(c, e, AE_INELIG_NAME_ATTRIBUTE, "%s", why);
			talloc_free(why);
			return err;
		}
	}
	list = talloc_strdup(c->owner, "eligible: published by ");
	for (i = 0; list != NULL && i < e->num_cas; i++) {
		list = talloc_asprintf_append(list, "%s%s", i > 0 ? ", " : "", e->cas[i]);
	}
	if (list != NULL && ae_template_renewal_only(t)) {
		list = talloc_asprintf_append(list, "; renewal only: msPKI-RA-Signature %u with "
					      "CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT "
					      "(0x40): a renewal signed with a valid certificate "
					      "of the template needs no RA signature",
					      t->ra_signatures);
	}
	if (list == NULL) {
		return AE_ERR_NOMEM;
	}
	e->reason = list;
	*_ok = true;
	return AE_OK;
}

/* Steps 1-14 for one template; *_candidate when it passed them all. */
static ae_err check_one(const struct elig_ctx *c, const struct ae_template *t,
			struct ae_eligibility *e, bool *_candidate)
{
	bool ok = false;
	ae_err err;

	*_candidate = false;
	e->code = AE_ELIGIBLE;
	e->code_name = ae_inelig_name(AE_ELIGIBLE);
	err = fill_cas(c, t, e);
	if (err == AE_OK) {
		err = check_static(c, t, e, &ok);
	}
	if (err == AE_OK && ok) {
		err = check_rights(c, t, e, &ok);
	}
	if (err == AE_OK && ok) {
		err = check_rest(c, t, e, &ok);
	}
	*_candidate = err == AE_OK && ok;
	return err;
}

/* Step 15 on the verdicts: superseded ones, and notes on cycles. */
static ae_err apply_supersession(const struct elig_ctx *c, struct ae_template *const *t,
				 size_t n, const struct ae_supersession *sup,
				 struct ae_eligibility *out)
{
	size_t i, by, steps;
	char *chain = NULL;
	ae_err err;

	for (i = 0; i < n; i++) {
		by = sup[i].superseded_by;
		if (by == AE_SUPERSEDE_NONE) {
			if (sup[i].cycle_with == AE_SUPERSEDE_NONE) {
				continue;
			}
			out[i].reason = talloc_asprintf_append(out[i].reason,
				"; supersession cycle with %s: neither dropped",
				t[sup[i].cycle_with]->cn);
			if (out[i].reason == NULL) {
				return AE_ERR_NOMEM;
			}
			continue;
		}
		out[i].superseded_by = talloc_strdup(c->owner, t[by]->cn);
		chain = talloc_asprintf(c->owner, "superseded by %s", t[by]->cn);
		/* Superseders form no cycle (ae_eligibility.h); n bounds it anyway. */
		for (steps = 0; chain != NULL && steps < n &&
		     sup[by].superseded_by != AE_SUPERSEDE_NONE; steps++) {
			by = sup[by].superseded_by;
			chain = talloc_asprintf_append(chain, ", itself superseded by %s", t[by]->cn);
		}
		if (out[i].superseded_by == NULL || chain == NULL) {
			return AE_ERR_NOMEM;
		}
		err = refuse(c, &out[i], AE_INELIG_SUPERSEDED, "%s", chain);
		talloc_free(chain);
		if (err != AE_OK) {
			return err;
		}
	}
	return AE_OK;
}

static ae_err compute(struct elig_ctx *cx, TALLOC_CTX *mem, struct ae_template *const *templates,
		      size_t n, struct ae_eligibility **_out);

ae_err ae_eligibility_compute(TALLOC_CTX *mem, struct ae_template *const *templates, size_t n,
			      struct ae_enrollment_service *const *cas, size_t num_cas,
			      const struct ae_token *token, enum ae_context ctx,
			      ae_sid_namer namer, void *namer_data,
			      struct ae_eligibility **_out)
{
	return ae_eligibility_compute_subject(mem, templates, n, cas, num_cas, token, ctx, NULL,
					      namer, namer_data, _out);
}

ae_err ae_eligibility_compute_enroll(TALLOC_CTX *mem, struct ae_template *const *templates,
				     size_t n, struct ae_enrollment_service *const *cas,
				     size_t num_cas, const struct ae_token *token,
				     enum ae_context ctx, ae_sid_namer namer, void *namer_data,
				     struct ae_eligibility **_out)
{
	struct elig_ctx c = {
		.cas = cas, .num_cas = num_cas, .token = token, .ctx = ctx,
		.namer = namer, .namer_data = namer_data, .enroll_only = true,
	};

	return compute(&c, mem, templates, n, _out);
}

ae_err ae_eligibility_compute_subject(TALLOC_CTX *mem, struct ae_template *const *templates,
				      size_t n, struct ae_enrollment_service *const *cas,
				      size_t num_cas, const struct ae_token *token,
				      enum ae_context ctx, const struct ae_subject_attrs *subject,
				      ae_sid_namer namer, void *namer_data,
				      struct ae_eligibility **_out)
{
	struct elig_ctx c = {
		.cas = cas, .num_cas = num_cas, .token = token, .ctx = ctx,
		.namer = namer, .namer_data = namer_data, .subject = subject,
	};

	return compute(&c, mem, templates, n, _out);
}

/* Steps 1-15 (enroll_only: without 1, 9-10, 12 and 15) for every template. */
static ae_err compute(struct elig_ctx *cx, TALLOC_CTX *mem, struct ae_template *const *templates,
		      size_t n, struct ae_eligibility **_out)
{
	struct elig_ctx c = *cx;
	struct ae_enrollment_service *const *cas = c.cas;
	size_t num_cas = c.num_cas;
	const struct ae_token *token = c.token;
	enum ae_context ctx = c.ctx;
	TALLOC_CTX *tmp = NULL;
	struct ae_eligibility *out = NULL;
	struct ae_supersession *sup = NULL;
	bool *candidate = NULL;
	size_t i;
	ae_err err = AE_OK;

	if (_out == NULL || token == NULL || (n > 0 && templates == NULL) ||
	    (num_cas > 0 && cas == NULL) ||
	    (ctx != AE_CONTEXT_MACHINE && ctx != AE_CONTEXT_USER)) {
		return AE_ERR_INVALID;
	}
	if (n > AE_ELIGIBILITY_TEMPLATES_MAX || num_cas > AE_ELIGIBILITY_CAS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	for (i = 0; i < n; i++) {
		if (templates[i] == NULL || templates[i]->cn == NULL) {
			return AE_ERR_INVALID;
		}
	}
	for (i = 0; i < num_cas; i++) {
		if (cas[i] == NULL || cas[i]->cn == NULL) {
			return AE_ERR_INVALID;
		}
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	out = talloc_zero_array(tmp, struct ae_eligibility, n);
	candidate = talloc_zero_array(tmp, bool, n > 0 ? n : 1);
	sup = talloc_array(tmp, struct ae_supersession, n > 0 ? n : 1);
	if (out == NULL || candidate == NULL || sup == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	c.owner = out;
	for (i = 0; err == AE_OK && i < n; i++) {
		err = check_one(&c, templates[i], &out[i], &candidate[i]);
	}
	/* supersession decides among automatic requests; an explicit one names its template */
	if (err == AE_OK && !c.enroll_only) {
		err = ae_supersession_compute(templates, n, candidate, sup);
	}
	if (err == AE_OK && !c.enroll_only) {
		err = apply_supersession(&c, templates, n, sup, out);
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	*_out = talloc_steal(mem, out);
	talloc_free(tmp);
	return AE_OK;
}
