/*
 * Pure parts of ae_pki.h: enrollment services and CA certificates from
 * entries, and the choice of a CA.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_attrval.h"
#include "ae_log.h"
#include "ae_pki.h"

#define AE_PKI_SERVER_TEXT_MAX 4096	/* bytes of one msPKI-Enrollment-Servers value */

char *ae_pki_dn(TALLOC_CTX *mem_ctx, const char *config_nc, const char *container)
{
	if (config_nc == NULL) {
		return NULL;
	}
	if (container == NULL) {
		return talloc_asprintf(mem_ctx, "CN=Public Key Services,CN=Services,%s", config_nc);
	}
	return talloc_asprintf(mem_ctx, "CN=%s,CN=Public Key Services,CN=Services,%s",
			       container, config_nc);
}

bool ae_der_is_sequence(const uint8_t *p, size_t len)
{
	size_t hdr = 2;
	size_t body = 0;
	size_t n;
	size_t i;

	if (p == NULL || len < 2 || p[0] != 0x30) {
		return false;
	}
	if (p[1] < 0x80) {
		body = p[1];
	} else {
		n = p[1] & 0x7f;
		/* Definite, minimal long form of at most 4 length bytes. */
		if (n == 0 || n > 4 || len - 2 < n || p[2] == 0) {
			return false;
		}
		for (i = 0; i < n; i++) {
			body = (body << 8) | p[2 + i];
		}
		if (body < 0x80) {
			return false;
		}
		hdr = 2 + n;
	}
	return body == len - hdr;
}

static ae_err read_certs(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a,
			 struct ae_der_blob **_certs, size_t *_num, char *why, size_t why_len)
{
	struct ae_der_blob *certs = NULL;
	size_t i;

	if (a == NULL) {
		*_certs = NULL;
		*_num = 0;
		return AE_OK;
	}
	if (a->num_values > AE_PKI_CERTS_MAX) {
		ae_why(why, why_len, "cACertificate: %zu values, at most %d accepted",
		       a->num_values, AE_PKI_CERTS_MAX);
		return AE_ERR_PARSE;
	}
	certs = talloc_zero_array(mem_ctx, struct ae_der_blob, a->num_values);
	if (certs == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < a->num_values; i++) {
		const struct ae_ldap_value *v = &a->values[i];

		if (v->len > AE_PKI_CERT_MAX || !ae_der_is_sequence(v->data, v->len)) {
			ae_why(why, why_len, "cACertificate: value %zu (%zu bytes) is not one "
			       "DER SEQUENCE of at most %u bytes", i, v->len, AE_PKI_CERT_MAX);
			talloc_free(certs);
			return AE_ERR_PARSE;
		}
		certs[i].der = talloc_memdup(certs, v->data, v->len);
		if (certs[i].der == NULL) {
			talloc_free(certs);
			return AE_ERR_NOMEM;
		}
		certs[i].len = v->len;
	}
	*_certs = certs;
	*_num = a->num_values;
	return AE_OK;
}

static ae_err read_service(struct ae_enrollment_service *s, const struct ae_ldap_entry *e,
			   char *why, size_t why_len)
{
	const struct ae_ldap_attr *a = NULL;
	int32_t flags = 0;
	ae_err err;

	err = ae_attr_text(s, ae_entry_attr(e, "cn"), "cn", AE_PKI_NAME_MAX, &s->cn, why, why_len);
	if (err == AE_OK && s->cn[0] == '\0') {
		ae_why(why, why_len, "cn: empty");
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK && (a = ae_entry_attr(e, "displayName")) != NULL) {
		err = ae_attr_text(s, a, "displayName", AE_PKI_NAME_MAX, &s->display_name,
				   why, why_len);
	}
	if (err == AE_OK && (a = ae_entry_attr(e, "dNSHostName")) != NULL) {
		err = ae_attr_text(s, a, "dNSHostName", AE_PKI_NAME_MAX, &s->dns_host,
				   why, why_len);
		if (err == AE_OK && !ae_ldap_host_valid(s->dns_host)) {
			char shown[AE_WHY_SHOWN_BUF];

			ae_value_show((const uint8_t *)s->dns_host, strlen(s->dns_host),
				      shown, sizeof(shown));
			ae_why(why, why_len, "dNSHostName: '%s' is not a host name", shown);
			err = AE_ERR_PARSE;
		}
	}
	if (err == AE_OK) {
		err = read_certs(s, ae_entry_attr(e, "cACertificate"), &s->ca_certs,
				 &s->num_ca_certs, why, why_len);
	}
	if (err == AE_OK) {
		err = ae_attr_text_list(s, ae_entry_attr(e, "certificateTemplates"),
					"certificateTemplates", AE_PKI_TEMPLATES_MAX,
					AE_TEMPLATE_NAME_MAX, &s->templates, &s->num_templates,
					why, why_len);
	}
	if (err == AE_OK && (a = ae_entry_attr(e, "flags")) != NULL) {
		err = ae_attr_int32(a, "flags", &flags, why, why_len);
		s->flags = (uint32_t)flags;
	}
	if (err == AE_OK) {
		err = ae_attr_text_list(s, ae_entry_attr(e, "msPKI-Enrollment-Servers"),
					"msPKI-Enrollment-Servers", AE_PKI_SERVERS_MAX,
					AE_PKI_SERVER_TEXT_MAX, &s->enrollment_servers,
					&s->num_enrollment_servers, why, why_len);
	}
	if (err == AE_OK && (a = ae_entry_attr(e, "uSNChanged")) != NULL) {
		err = ae_attr_uint63(a, "uSNChanged", &s->usn_changed, why, why_len);
	}
	return err;
}

ae_err ae_enrollment_service_from_attrs(TALLOC_CTX *mem_ctx, const struct ae_ldap_entry *e,
					struct ae_enrollment_service **_s,
					char *why, size_t why_len)
{
	struct ae_enrollment_service *s = NULL;
	ae_err err;

	if (e == NULL || _s == NULL) {
		return AE_ERR_INVALID;
	}
	s = talloc_zero(NULL, struct ae_enrollment_service);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	s->dn = talloc_strdup(s, e->dn != NULL ? e->dn : "");
	if (s->dn == NULL) {
		talloc_free(s);
		return AE_ERR_NOMEM;
	}
	err = read_service(s, e, why, why_len);
	if (err != AE_OK) {
		talloc_free(s);
		return err;
	}
	*_s = talloc_steal(mem_ctx, s);
	return AE_OK;
}

static bool have_cert(const struct ae_der_blob *certs, size_t num, const struct ae_ldap_value *v)
{
	size_t i;

	for (i = 0; i < num; i++) {
		if (certs[i].len == v->len && memcmp(certs[i].der, v->data, v->len) == 0) {
			return true;
		}
	}
	return false;
}

ae_err ae_ca_certs_from_entries(TALLOC_CTX *mem_ctx, struct ae_ldap_entry *const *entries,
				size_t num_entries, struct ae_der_blob **_certs, size_t *_num)
{
	struct ae_der_blob *certs = NULL;
	size_t num = 0;
	size_t i, j;

	if ((entries == NULL && num_entries != 0) || _certs == NULL || _num == NULL) {
		return AE_ERR_INVALID;
	}
	for (i = 0; i < num_entries; i++) {
		const struct ae_ldap_attr *a = ae_entry_attr(entries[i], "cACertificate");

		for (j = 0; a != NULL && j < a->num_values; j++) {
			const struct ae_ldap_value *v = &a->values[j];
			struct ae_der_blob *grown = NULL;

			if (v->len > AE_PKI_CERT_MAX || !ae_der_is_sequence(v->data, v->len)) {
				AE_WARN("%s: cACertificate value %zu (%zu bytes) is not a DER "
					"certificate; skipped", entries[i]->dn, j, v->len);
				continue;
			}
			if (have_cert(certs, num, v)) {
				continue;
			}
			if (num == AE_PKI_CERTS_MAX) {
				talloc_free(certs);
				return AE_ERR_TOO_LARGE;
			}
			grown = talloc_realloc(mem_ctx, certs, struct ae_der_blob, num + 1);
			if (grown == NULL) {
				talloc_free(certs);
				return AE_ERR_NOMEM;
			}
			certs = grown;
			certs[num].der = talloc_memdup(certs, v->data, v->len);
			if (certs[num].der == NULL) {
				talloc_free(certs);
				return AE_ERR_NOMEM;
			}
			certs[num].len = v->len;
			num++;
		}
	}
	*_certs = certs;
	*_num = num;
	return AE_OK;
}

bool ae_enrollment_service_publishes(const struct ae_enrollment_service *svc,
				     const char *template_cn)
{
	size_t i;

	if (svc == NULL || template_cn == NULL) {
		return false;
	}
	for (i = 0; i < svc->num_templates; i++) {
		if (strcasecmp(svc->templates[i], template_cn) == 0) {
			return true;
		}
	}
	return false;
}

static bool name_matches(const struct ae_enrollment_service *s, const char *name)
{
	const char *bs = strchr(name, '\\');

	if (bs == NULL) {
		return strcasecmp(s->cn, name) == 0 ||
		       (s->display_name != NULL && strcasecmp(s->display_name, name) == 0);
	}
	/* "<dNSHostName>\<cn>", the config string form of a CA. */
	return s->dns_host != NULL && strlen(s->dns_host) == (size_t)(bs - name) &&
	       strncasecmp(s->dns_host, name, (size_t)(bs - name)) == 0 &&
	       strcasecmp(s->cn, bs + 1) == 0;
}

/* "A, B, C" of the services' cn (or "none"), cut to fit. */
static void list_names(struct ae_enrollment_service *const *svcs, size_t num,
		       char *buf, size_t len)
{
	size_t off = 0;
	size_t i;

	snprintf(buf, len, "none");
	for (i = 0; i < num && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i == 0 ? "" : ", ", svcs[i]->cn);

		if (n < 0) {
			return;
		}
		off += (size_t)n;
	}
}

ae_err ae_policy_find_ca(struct ae_enrollment_service *const *svcs, size_t num,
			 const char *name, const char *template_cn,
			 const struct ae_enrollment_service **_ca,
			 char *why, size_t why_len)
{
	char known[256];
	size_t i;

	if ((svcs == NULL && num != 0) || _ca == NULL || (name == NULL && template_cn == NULL)) {
		return AE_ERR_INVALID;
	}
	list_names(svcs, num, known, sizeof(known));
	for (i = 0; i < num; i++) {
		const struct ae_enrollment_service *s = svcs[i];

		if (name != NULL && !name_matches(s, name)) {
			continue;
		}
		if (template_cn != NULL && !ae_enrollment_service_publishes(s, template_cn)) {
			if (name != NULL) {
				ae_why(why, why_len, "CA '%s' does not publish template '%s'",
				       s->cn, template_cn);
				return AE_ERR_NOT_FOUND;
			}
			continue;
		}
		*_ca = s;
		return AE_OK;
	}
	if (name != NULL) {
		ae_why(why, why_len, "no enrollment service named '%s' (known: %s)", name, known);
	} else {
		ae_why(why, why_len, "no enrollment service publishes template '%s' (known: %s)",
		       template_cn, known);
	}
	return AE_ERR_NOT_FOUND;
}
