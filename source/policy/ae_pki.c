/*
 * The LDAP readers of ae_pki.h: one search each, entries handed to the pure
 * parsers (ae_template.c, ae_pki_parse.c).
 */
#include <string.h>
#include <strings.h>
#include "ae_attrval.h"
#include "ae_log.h"
#include "ae_pki.h"

#define WHY_LEN 256

/* ae_template_attr_names without nTSecurityDescriptor (a copy on mem_ctx). */
static const char **template_attrs(TALLOC_CTX *mem_ctx, bool with_sd)
{
	const char **attrs = NULL;
	size_t n = 0;
	size_t i;

	while (ae_template_attr_names[n] != NULL) {
		n++;
	}
	attrs = talloc_zero_array(mem_ctx, const char *, n + 1);
	if (attrs == NULL) {
		return NULL;
	}
	for (i = 0, n = 0; ae_template_attr_names[i] != NULL; i++) {
		const char *name = ae_template_attr_names[i];

		if (!with_sd && strcasecmp(name, "nTSecurityDescriptor") == 0) {
			continue;
		}
		attrs[n++] = name;
	}
	return attrs;
}

static ae_err search_templates(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
			       const char *config_nc, const char *filter, bool with_sd,
			       struct ae_ldap_entry ***_entries, size_t *_num)
{
	const char **attrs = NULL;
	char *base = NULL;

	base = ae_pki_dn(mem_ctx, config_nc, "Certificate Templates");
	attrs = template_attrs(mem_ctx, with_sd);
	if (base == NULL || attrs == NULL) {
		return AE_ERR_NOMEM;
	}
	return ae_ldap_search(conn, mem_ctx, base, AE_LDAP_SCOPE_SUBTREE, filter, attrs,
			      with_sd ? AE_LDAP_SEARCH_SD_DACL : 0, _entries, _num);
}

ae_err ae_policy_read_templates(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
				const char *config_nc, bool with_sd,
				struct ae_template ***_t, size_t *_n,
				struct ae_policy_skip **_skipped, size_t *_num_skipped)
{
	struct ae_ldap_entry **entries = NULL;
	struct ae_template **out = NULL;
	struct ae_policy_skip *skipped = NULL;
	size_t num_skipped = 0;
	TALLOC_CTX *tmp = NULL;
	size_t num = 0;
	size_t n = 0;
	size_t i;
	ae_err err;

	if (conn == NULL || config_nc == NULL || _t == NULL || _n == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = search_templates(conn, tmp, config_nc, "(objectClass=pKICertificateTemplate)",
			       with_sd, &entries, &num);
	if (err == AE_OK && num > 0) {
		out = talloc_zero_array(tmp, struct ae_template *, num);
		if (out == NULL) {
			err = AE_ERR_NOMEM;
		}
	}
	for (i = 0; err == AE_OK && i < num; i++) {
		char why[WHY_LEN] = "";
		ae_err perr;

		perr = ae_template_from_attrs(out, entries[i], &out[n], why, sizeof(why));
		if (perr == AE_ERR_NOMEM) {
			err = perr;
		} else if (perr != AE_OK) {
			const char *w = why[0] != '\0' ? why : ae_strerror(perr);
			AE_WARN("template %s skipped: %s", entries[i]->dn, w);
			skipped = talloc_realloc(tmp, skipped, struct ae_policy_skip,
						 num_skipped + 1);
			if (skipped == NULL) {
				err = AE_ERR_NOMEM;
				break;
			}
			skipped[num_skipped].dn = talloc_strdup(skipped, entries[i]->dn);
			skipped[num_skipped].why = talloc_strdup(skipped, w);
			num_skipped++;
		} else {
			n++;
		}
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	if (_skipped != NULL && _num_skipped != NULL) {
		*_skipped = talloc_steal(mem_ctx, skipped);
		*_num_skipped = num_skipped;
	}
	*_t = talloc_steal(mem_ctx, out);
	*_n = n;
	talloc_free(tmp);
	return AE_OK;
}

ae_err ae_policy_read_template(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
			       const char *config_nc, const char *cn,
			       struct ae_template **_t)
{
	struct ae_ldap_entry **entries = NULL;
	struct ae_template *t = NULL;
	char why[WHY_LEN] = "";
	TALLOC_CTX *tmp = NULL;
	char *escaped = NULL;
	char *filter = NULL;
	size_t num = 0;
	ae_err err;

	if (conn == NULL || config_nc == NULL || cn == NULL || cn[0] == '\0' || _t == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	escaped = ae_ldap_escape_filter_value(tmp, cn);
	filter = escaped != NULL ? talloc_asprintf(tmp, "(&(objectClass=pKICertificateTemplate)"
						   "(cn=%s))", escaped) : NULL;
	if (filter == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = search_templates(conn, tmp, config_nc, filter, true, &entries, &num);
	if (err == AE_OK && num == 0) {
		AE_ERROR("template '%s' not found on %s", cn, ae_ldap_server(conn));
		err = AE_ERR_NOT_FOUND;
	}
	if (err == AE_OK && num > 1) {
		AE_WARN("template '%s': %zu objects match on %s; using %s", cn, num,
			ae_ldap_server(conn), entries[0]->dn);
	}
	if (err == AE_OK) {
		err = ae_template_from_attrs(tmp, entries[0], &t, why, sizeof(why));
		if (err != AE_OK) {
			AE_ERROR("template %s: %s", entries[0]->dn,
				 why[0] != '\0' ? why : ae_strerror(err));
		}
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	*_t = talloc_steal(mem_ctx, t);
	talloc_free(tmp);
	return AE_OK;
}

ae_err ae_policy_read_enrollment_services(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
					  const char *config_nc,
					  struct ae_enrollment_service ***_s, size_t *_n)
{
	static const char *const attrs[] = {
		"cn", "displayName", "dNSHostName", "cACertificate", "certificateTemplates",
		"flags", "msPKI-Enrollment-Servers", "uSNChanged", NULL
	};
	struct ae_enrollment_service **out = NULL;
	struct ae_ldap_entry **entries = NULL;
	TALLOC_CTX *tmp = NULL;
	char *base = NULL;
	size_t num = 0;
	size_t n = 0;
	size_t i;
	ae_err err;

	if (conn == NULL || config_nc == NULL || _s == NULL || _n == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	base = ae_pki_dn(tmp, config_nc, "Enrollment Services");
	err = base == NULL ? AE_ERR_NOMEM :
	      ae_ldap_search(conn, tmp, base, AE_LDAP_SCOPE_SUBTREE,
			     "(objectClass=pKIEnrollmentService)", attrs, 0, &entries, &num);
	if (err == AE_ERR_NOT_FOUND) {
		AE_INFO("no enrollment services container on %s", ae_ldap_server(conn));
		err = AE_OK;
		num = 0;
	}
	if (err == AE_OK && num > 0) {
		out = talloc_zero_array(tmp, struct ae_enrollment_service *, num);
		if (out == NULL) {
			err = AE_ERR_NOMEM;
		}
	}
	for (i = 0; err == AE_OK && i < num; i++) {
		char why[WHY_LEN] = "";
		ae_err perr;

		perr = ae_enrollment_service_from_attrs(out, entries[i], &out[n], why, sizeof(why));
		if (perr == AE_ERR_NOMEM) {
			err = perr;
		} else if (perr != AE_OK) {
			AE_WARN("enrollment service %s skipped: %s", entries[i]->dn,
				why[0] != '\0' ? why : ae_strerror(perr));
		} else {
			n++;
		}
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	*_s = talloc_steal(mem_ctx, out);
	*_n = n;
	talloc_free(tmp);
	return AE_OK;
}

ae_err ae_policy_read_ca_certs(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
			       const char *config_nc, const char *store,
			       struct ae_der_blob **_certs, size_t *_num)
{
	static const char *const attrs[] = { "cACertificate", NULL };
	struct ae_ldap_entry **entries = NULL;
	enum ae_ldap_scope scope = AE_LDAP_SCOPE_ONE;
	TALLOC_CTX *tmp = NULL;
	char *base = NULL;
	size_t num = 0;
	ae_err err;

	if (conn == NULL || config_nc == NULL || store == NULL || _certs == NULL || _num == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (strcasecmp(store, AE_PKI_STORE_ROOTS) == 0) {
		base = ae_pki_dn(tmp, config_nc, AE_PKI_STORE_ROOTS);
	} else if (strcasecmp(store, AE_PKI_STORE_AIA) == 0) {
		base = ae_pki_dn(tmp, config_nc, AE_PKI_STORE_AIA);
	} else if (strcasecmp(store, AE_PKI_STORE_NTAUTH) == 0) {
		base = ae_pki_dn(tmp, config_nc, "NTAuthCertificates");
		scope = AE_LDAP_SCOPE_BASE;
	} else {
		AE_ERROR("unknown certificate store '%s' (%s, %s or %s)", store,
			 AE_PKI_STORE_ROOTS, AE_PKI_STORE_AIA, AE_PKI_STORE_NTAUTH);
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	err = base == NULL ? AE_ERR_NOMEM :
	      ae_ldap_search(conn, tmp, base, scope, "(objectClass=certificationAuthority)",
			     attrs, 0, &entries, &num);
	if (err == AE_ERR_NOT_FOUND) {
		AE_INFO("no %s store on %s", store, ae_ldap_server(conn));
		err = AE_OK;
		num = 0;
	}
	if (err == AE_OK) {
		err = ae_ca_certs_from_entries(mem_ctx, entries, num, _certs, _num);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_policy_pki_usn(struct ae_ldap *conn, const char *config_nc,
			 uint64_t *_max_usn, size_t *_num_objects)
{
	static const char *const attrs[] = { "uSNChanged", NULL };
	struct ae_ldap_entry **entries = NULL;
	TALLOC_CTX *tmp = NULL;
	char *base = NULL;
	uint64_t max = 0;
	size_t num = 0;
	size_t i;
	ae_err err;

	if (conn == NULL || config_nc == NULL || _max_usn == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	base = ae_pki_dn(tmp, config_nc, NULL);
	err = base == NULL ? AE_ERR_NOMEM :
	      ae_ldap_search(conn, tmp, base, AE_LDAP_SCOPE_SUBTREE, "(objectClass=*)",
			     attrs, 0, &entries, &num);
	for (i = 0; err == AE_OK && i < num; i++) {
		const struct ae_ldap_attr *a = ae_entry_attr(entries[i], "uSNChanged");
		int64_t usn = 0;

		if (a == NULL || a->num_values != 1 ||
		    ae_value_int64(a->values[0].data, a->values[0].len, &usn) != AE_OK ||
		    usn < 0) {
			AE_ERROR("%s: no valid uSNChanged on %s", entries[i]->dn,
				 ae_ldap_server(conn));
			err = AE_ERR_LDAP;
			break;
		}
		if ((uint64_t)usn > max) {
			max = (uint64_t)usn;
		}
	}
	talloc_free(tmp);
	if (err != AE_OK) {
		return err;
	}
	*_max_usn = max;
	if (_num_objects != NULL) {
		*_num_objects = num;
	}
	return AE_OK;
}
