/*
 * ae_name_req.c: the name flags of a template against the principal's
 * attributes (ae_name_req.h). Flag values and meanings: [MS-CRTD] 2.28
 * ("This flag instructs the CA to add the value of the email attribute
 * from the requestor's user object in Active Directory ..."); the CA fails
 * the request when the attribute is missing ([MS-WCCE] 3.2.2.6.2.1.4.5.9).
 */
#include <stddef.h>
#include <string.h>
#include "ae_name_req.h"

static const struct {
	uint32_t flag;
	const char *name;
	const char *attribute;
	const char *what;	/* "the user's <what>" */
} reqs[] = {
	{ CT_FLAG_SUBJECT_REQUIRE_EMAIL, "CT_FLAG_SUBJECT_REQUIRE_EMAIL", "mail",
	  "e-mail address" },
	{ CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, "CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL", "mail",
	  "e-mail address" },
	{ CT_FLAG_SUBJECT_ALT_REQUIRE_UPN, "CT_FLAG_SUBJECT_ALT_REQUIRE_UPN",
	  "userPrincipalName", "user principal name" },
	{ CT_FLAG_SUBJECT_ALT_REQUIRE_DNS, "CT_FLAG_SUBJECT_ALT_REQUIRE_DNS", "dNSHostName",
	  "DNS name" },
	{ CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN, "CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN", "dNSHostName",
	  "DNS name" },
};

#define NUM_REQS (sizeof(reqs) / sizeof(reqs[0]))

static const char *value_of(const struct ae_subject_attrs *a, const char *attribute)
{
	if (strcmp(attribute, "mail") == 0) {
		return a->mail;
	}
	if (strcmp(attribute, "userPrincipalName") == 0) {
		return a->upn;
	}
	return a->dns_host_name;
}

const char *ae_name_flag_attribute(uint32_t flag)
{
	size_t i;

	for (i = 0; i < NUM_REQS; i++) {
		if (reqs[i].flag == flag) {
			return reqs[i].attribute;
		}
	}
	return NULL;
}

/* Index into reqs of the first unmet requirement, or NUM_REQS. */
static size_t first_missing(uint32_t name_flag, const struct ae_subject_attrs *a)
{
	size_t i;

	for (i = 0; i < NUM_REQS; i++) {
		const char *v = NULL;

		if ((name_flag & reqs[i].flag) == 0) {
			continue;
		}
		v = value_of(a, reqs[i].attribute);
		if (v == NULL || v[0] == '\0') {
			return i;
		}
	}
	return NUM_REQS;
}

const char *ae_name_req_missing(uint32_t name_flag, const struct ae_subject_attrs *a,
				uint32_t *_flag)
{
	size_t i;

	if (a == NULL) {
		return NULL;
	}
	i = first_missing(name_flag, a);
	if (i == NUM_REQS) {
		return NULL;
	}
	if (_flag != NULL) {
		*_flag = reqs[i].flag;
	}
	return reqs[i].attribute;
}

ae_err ae_name_req_check(TALLOC_CTX *mem, const struct ae_template *t, enum ae_context ctx,
			 const struct ae_subject_attrs *a, char **_why)
{
	const char *account = NULL;
	char *why = NULL;
	size_t i;

	if (t == NULL || a == NULL || _why == NULL ||
	    (ctx != AE_CONTEXT_MACHINE && ctx != AE_CONTEXT_USER)) {
		return AE_ERR_INVALID;
	}
	i = first_missing(t->name_flag, a);
	if (i == NUM_REQS) {
		*_why = NULL;
		return AE_OK;
	}
	account = a->account != NULL && a->account[0] != '\0' ? a->account : "the principal";
	why = talloc_asprintf(mem, "the template needs the %s's %s (%s) for %s (0x%08x), which "
			      "%s's account does not have",
			      ctx == AE_CONTEXT_USER ? "user" : "computer", reqs[i].what,
			      reqs[i].attribute, reqs[i].name, reqs[i].flag, account);
	if (why == NULL) {
		return AE_ERR_NOMEM;
	}
	*_why = why;
	return AE_OK;
}
