/*
 * ae_ds_cert.c: valid certificates of templates in the principal's
 * userCertificate (ae_ds_cert.h), through the request layer's parsers.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "ae_ds_cert.h"
#include "ae_x509.h"

/* The parsed values: certificate, template extension, validity. */
struct parsed {
	struct ae_cert *cert;
	struct ae_cert_template tpl;
	bool has_tpl;
	time_t not_before, not_after;
};

/* The cACertificate values of every CA that parse (others are skipped). */
static ae_err anchors_of(TALLOC_CTX *mem, struct ae_enrollment_service *const *cas,
			 size_t num_cas, struct ae_cert_list **_l)
{
	struct ae_cert_list *l = NULL;
	size_t i, j;
	ae_err err = ae_cert_list_new(mem, &l);

	for (i = 0; err == AE_OK && i < num_cas; i++) {
		for (j = 0; err == AE_OK && cas[i] != NULL && j < cas[i]->num_ca_certs; j++) {
			struct ae_cert *c = NULL;

			if (ae_cert_parse_der(mem, cas[i]->ca_certs[j].der, cas[i]->ca_certs[j].len,
					      &c) != AE_OK) {
				continue;
			}
			err = ae_cert_list_add(l, c);
			talloc_free(c);
		}
	}
	if (err == AE_OK) {
		*_l = l;
	}
	return err;
}

/* Parse value v; false when it is no certificate usable at now. */
static bool parse_value(TALLOC_CTX *mem, const struct ae_principal_blob *v, time_t now,
			struct parsed *p, size_t *rejected)
{
	memset(p, 0, sizeof(*p));
	if (ae_cert_parse_der(mem, v->data, v->len, &p->cert) != AE_OK) {
		(*rejected)++;
		return false;
	}
	if (ae_cert_not_before(p->cert, &p->not_before) != AE_OK ||
	    ae_cert_not_after(p->cert, &p->not_after) != AE_OK ||
	    now < p->not_before || now >= p->not_after) {
		return false;
	}
	p->has_tpl = ae_cert_template_info(mem, p->cert, &p->tpl) == AE_OK;
	return p->has_tpl;
}

static bool is_of(const struct parsed *p, const struct ae_template *t)
{
	if (p->tpl.oid != NULL) {
		return t->oid != NULL && strcmp(p->tpl.oid, t->oid) == 0;
	}
	return p->tpl.v1_name != NULL && strcasecmp(p->tpl.v1_name, t->cn) == 0;
}

/* The facts of p for decide, on mem. */
static ae_err fill(TALLOC_CTX *mem, const struct parsed *p, const struct ae_template *t,
		   struct ae_ds_cert *out)
{
	char *serial = NULL, *issuer = NULL;

	if (ae_cert_serial_hex(mem, p->cert, &serial) != AE_OK ||
	    ae_cert_issuer(mem, p->cert, &issuer) != AE_OK) {
		return AE_ERR_NOMEM;
	}
	out->template_cn = t->cn;
	out->serial_hex = serial;
	out->issuer = issuer;
	out->not_after = p->not_after;
	return AE_OK;
}

ae_err ae_ds_certs_find(TALLOC_CTX *mem, const struct ae_principal_blob *values,
			size_t num_values, struct ae_template *const *templates, size_t n,
			struct ae_enrollment_service *const *cas, size_t num_cas, time_t now,
			struct ae_ds_cert **_out, size_t *_num, size_t *_rejected)
{
	TALLOC_CTX *tmp = NULL;
	struct parsed *p = NULL;
	struct ae_cert_list *anchors = NULL;
	struct ae_ds_cert *out = NULL;
	size_t rejected = 0, num = 0, i, k;
	ae_err err = AE_OK;

	if (_out == NULL || _num == NULL || (num_values > 0 && values == NULL) ||
	    (n > 0 && templates == NULL) || (num_cas > 0 && cas == NULL)) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	p = tmp != NULL ? talloc_zero_array(tmp, struct parsed, num_values + 1) : NULL;
	out = tmp != NULL ? talloc_zero_array(tmp, struct ae_ds_cert, n + 1) : NULL;
	if (p == NULL || out == NULL || anchors_of(tmp, cas, num_cas, &anchors) != AE_OK) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	for (k = 0; k < num_values; k++) {
		if (!parse_value(tmp, &values[k], now, &p[k], &rejected)) {
			p[k].cert = NULL;
		}
	}
	for (i = 0; err == AE_OK && i < n; i++) {
		const struct ae_template *t = templates[i];

		if (t == NULL || t->cn == NULL ||
		    (t->enrollment_flag & CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE) == 0) {
			continue;
		}
		for (k = 0; k < num_values; k++) {
			if (p[k].cert == NULL || !is_of(&p[k], t) ||
			    ae_cert_verify_chain(p[k].cert, NULL, anchors, now, NULL, 0) != AE_OK) {
				continue;
			}
			err = fill(out, &p[k], t, &out[num++]);
			break;
		}
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	*_out = num > 0 ? talloc_steal(mem, out) : NULL;
	*_num = num;
	if (_rejected != NULL) {
		*_rejected = rejected;
	}
	talloc_free(tmp);
	return AE_OK;
}
