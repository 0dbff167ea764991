/*
 * ae_extca_info.c: what a CA helper reports about the forest's CAs
 * (ae_extca.h): the templates the principal may request, and the roots.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include "ae_extca.h"
#include "ae_eligibility.h"
#include "ae_ldap.h"
#include "ae_pki.h"
#include "ae_principal.h"
#include "ae_template.h"
#include "ae_x509.h"

ae_err ae_extca_templates(TALLOC_CTX *mem, struct ae_session *s, char ***_names,
			  size_t *_n, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_principal *me = NULL;
	struct ae_template **t = NULL;
	struct ae_enrollment_service **cas = NULL;
	struct ae_eligibility *e = NULL;
	size_t n = 0, num_cas = 0, i, k = 0;
	char **names = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_session_ldap(s);
	if (err != AE_OK) {
		snprintf(why, why_len, "%s", s->error);
		goto done;
	}
	err = ae_principal_read(s->ldap, tmp, s->rootdse->default_nc, s->sam_account_name, &me);
	if (err == AE_OK) {
		err = ae_policy_read_templates(s->ldap, tmp, s->rootdse->configuration_nc, true,
					       &t, &n, NULL, NULL);
	}
	if (err == AE_OK) {
		err = ae_policy_read_enrollment_services(s->ldap, tmp,
							 s->rootdse->configuration_nc, &cas,
							 &num_cas);
	}
	if (err != AE_OK) {
		snprintf(why, why_len, "cannot read the account %s, the templates or the "
			 "Enrollment Services from %s: %s", s->sam_account_name, s->dc,
			 ae_strerror(err));
		goto done;
	}
	err = ae_eligibility_compute_enroll(tmp, t, n, cas, num_cas, me->token, s->context,
					    NULL, NULL, &e);
	names = err == AE_OK ? talloc_zero_array(mem, char *, n + 1) : NULL;
	if (err == AE_OK && names == NULL) {
		err = AE_ERR_NOMEM;
	}
	for (i = 0; err == AE_OK && i < n; i++) {
		if (e[i].code != AE_ELIGIBLE) {
			continue;
		}
		names[k] = talloc_strdup(names, t[i]->cn);
		err = names[k++] != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	if (err != AE_OK) {
		snprintf(why, why_len, "cannot decide which templates %s may request: %s",
			 s->sam_account_name, ae_strerror(err));
		TALLOC_FREE(names);
		goto done;
	}
	*_names = names;
	*_n = k;
done:
	talloc_free(tmp);
	return err;
}

/* One line: the subject, control characters replaced (certmonger reads lines). */
static char *nickname_of(TALLOC_CTX *mem, const struct ae_cert *c)
{
	char *subject = NULL, *p;

	if (ae_cert_subject(mem, c, &subject) != AE_OK || subject == NULL || subject[0] == '\0') {
		return talloc_strdup(mem, "AD root");
	}
	for (p = subject; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = '?';
		}
	}
	return subject;
}

ae_err ae_extca_roots(TALLOC_CTX *mem, struct ae_session *s, struct ae_extca_root **_roots,
		      size_t *_n, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_der_blob *certs = NULL;
	struct ae_extca_root *roots = NULL;
	size_t n = 0, i, k = 0, len = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_session_ldap(s);
	if (err != AE_OK) {
		snprintf(why, why_len, "%s", s->error);
		goto done;
	}
	err = ae_policy_read_ca_certs(s->ldap, tmp, s->rootdse->configuration_nc,
				      AE_PKI_STORE_ROOTS, &certs, &n);
	if (err != AE_OK) {
		snprintf(why, why_len, "cannot read CN=%s from %s: %s", AE_PKI_STORE_ROOTS, s->dc,
			 ae_strerror(err));
		goto done;
	}
	roots = talloc_zero_array(mem, struct ae_extca_root, n + 1);
	if (roots == NULL) {
		err = AE_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct ae_cert *c = NULL;

		/* only the forest's roots are anchors; an intermediate is not a root */
		if (ae_cert_parse_der(tmp, certs[i].der, certs[i].len, &c) != AE_OK ||
		    !ae_cert_is_self_signed(c)) {
			continue;
		}
		roots[k].nickname = nickname_of(roots, c);
		if (roots[k].nickname == NULL ||
		    ae_cert_to_pem(roots, c, &roots[k].pem, &len) != AE_OK) {
			err = AE_ERR_NOMEM;
			break;
		}
		k++;
	}
	if (err != AE_OK) {
		snprintf(why, why_len, "out of memory");
		TALLOC_FREE(roots);
		goto done;
	}
	*_roots = roots;
	*_n = k;
done:
	talloc_free(tmp);
	return err;
}
