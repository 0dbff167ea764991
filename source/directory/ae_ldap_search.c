/*
 * The paged search helper of ae_ldap.h: simple paged results (RFC 2696)
 * and, on request, the SD_FLAGS control, results converted to neutral
 * entries.
 */
#include <string.h>
#include <sys/time.h>
#include <ldap.h>
#include <lber.h>
#include "ae_log.h"
#include "ae_net_timeout.h"
#include "ae_ldap.h"
#include "ae_ldap_private.h"

static void log_search_error(struct ae_ldap *c, const char *base, int rc)
{
	char *diag = NULL;

	ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	AE_ERROR("LDAP search of '%s' on %s failed: %s (%d)%s%s", base, c->server,
		 ldap_err2string(rc), rc,
		 diag != NULL && diag[0] != '\0' ? ": " : "",
		 diag != NULL ? diag : "");
	ldap_memfree(diag);
}

static ae_err add_values(struct ae_ldap *c, LDAPMessage *msg, struct ae_ldap_entry *e,
			 const char *name)
{
	struct berval **vals = NULL;
	size_t i;
	ae_err err = AE_OK;

	if (strchr(name, ';') != NULL) {
		/* e.g. "member;range=0-1499": AD sends large attributes in ranges. */
		AE_WARN("LDAP %s: %s: attribute '%s' came back in part; only this part is used",
			c->server, e->dn, name);
	}
	vals = ldap_get_values_len(c->ld, msg, name);
	if (vals == NULL) {
		return AE_OK;
	}
	for (i = 0; vals[i] != NULL && err == AE_OK; i++) {
		err = ae_entry_add_value(e, name, vals[i]->bv_val, vals[i]->bv_len);
	}
	ldap_value_free_len(vals);
	if (err != AE_OK) {
		AE_ERROR("LDAP %s: %s: attribute '%s': %s", c->server, e->dn, name,
			 ae_strerror(err));
	}
	return err;
}

static ae_err convert_entry(struct ae_ldap *c, LDAPMessage *msg, TALLOC_CTX *mem_ctx,
			    struct ae_ldap_entry **_e)
{
	struct ae_ldap_entry *e = NULL;
	BerElement *ber = NULL;
	char *dn = NULL;
	char *name = NULL;
	ae_err err = AE_OK;

	dn = ldap_get_dn(c->ld, msg);
	if (dn == NULL) {
		AE_ERROR("LDAP %s: an entry without a DN", c->server);
		return AE_ERR_LDAP;
	}
	e = ae_entry_new(mem_ctx, dn);
	ldap_memfree(dn);
	if (e == NULL) {
		return AE_ERR_NOMEM;
	}
	for (name = ldap_first_attribute(c->ld, msg, &ber);
	     name != NULL && err == AE_OK;
	     name = ldap_next_attribute(c->ld, msg, ber)) {
		err = add_values(c, msg, e, name);
		ldap_memfree(name);
	}
	if (name != NULL) {
		ldap_memfree(name);
	}
	ber_free(ber, 0);
	if (err != AE_OK) {
		talloc_free(e);
		return err;
	}
	*_e = e;
	return AE_OK;
}

/* Append the entries of one page to *entries (a talloc array on mem_ctx). */
static ae_err collect_page(struct ae_ldap *c, LDAPMessage *res, TALLOC_CTX *mem_ctx,
			   struct ae_ldap_entry ***entries, size_t *num)
{
	LDAPMessage *msg = NULL;
	ae_err err;

	for (msg = ldap_first_entry(c->ld, res); msg != NULL; msg = ldap_next_entry(c->ld, msg)) {
		struct ae_ldap_entry **grown = NULL;

		if (*num >= AE_LDAP_ENTRIES_MAX) {
			AE_ERROR("LDAP %s: more than %d entries in one search", c->server,
				 AE_LDAP_ENTRIES_MAX);
			return AE_ERR_LDAP;
		}
		grown = talloc_realloc(mem_ctx, *entries, struct ae_ldap_entry *, *num + 1);
		if (grown == NULL) {
			return AE_ERR_NOMEM;
		}
		*entries = grown;
		err = convert_entry(c, msg, grown, &grown[*num]);
		if (err != AE_OK) {
			return err;
		}
		(*num)++;
	}
	return AE_OK;
}

/* The paged-results cookie of 'res' into *cookie (empty: last page). */
static ae_err next_cookie(struct ae_ldap *c, LDAPMessage *res, struct berval *cookie)
{
	LDAPControl **rctrls = NULL;
	LDAPControl *page = NULL;
	ber_int_t estimate = 0;
	int errcode = 0;
	int rc;

	ber_memfree(cookie->bv_val);
	*cookie = (struct berval) { 0 };
	rc = ldap_parse_result(c->ld, res, &errcode, NULL, NULL, NULL, &rctrls, 0);
	if (rc != LDAP_SUCCESS) {
		log_search_error(c, "(result)", rc);
		return AE_ERR_LDAP;
	}
	page = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
	if (page != NULL) {
		rc = ldap_parse_pageresponse_control(c->ld, page, &estimate, cookie);
	}
	ldap_controls_free(rctrls);
	if (rc != LDAP_SUCCESS) {
		log_search_error(c, "(paged results control)", rc);
		return AE_ERR_LDAP;
	}
	return AE_OK;
}

static int ldap_scope(enum ae_ldap_scope scope)
{
	switch (scope) {
	case AE_LDAP_SCOPE_BASE:
		return LDAP_SCOPE_BASE;
	case AE_LDAP_SCOPE_ONE:
		return LDAP_SCOPE_ONELEVEL;
	case AE_LDAP_SCOPE_SUBTREE:
		return LDAP_SCOPE_SUBTREE;
	}
	return LDAP_SCOPE_BASE;
}

ae_err ae_ldap_search(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
		      const char *base, enum ae_ldap_scope scope, const char *filter,
		      const char *const *attrs, unsigned flags,
		      struct ae_ldap_entry ***_entries, size_t *_num)
{
	LDAPControl sd_ctrl = {
		.ldctl_oid = (char *)AE_LDAP_OID_SD_FLAGS,
		.ldctl_value = { .bv_len = sizeof(AE_LDAP_SD_FLAGS_DACL_BER) - 1,
				 .bv_val = (char *)AE_LDAP_SD_FLAGS_DACL_BER },
		.ldctl_iscritical = 1,
	};
	struct ae_ldap_entry **entries = NULL;
	struct berval cookie = { 0 };
	TALLOC_CTX *tmp = NULL;
	unsigned pages = 0;
	size_t num = 0;
	ae_err err = AE_OK;

	if (conn == NULL || base == NULL || filter == NULL || _entries == NULL || _num == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	conn->searches++;
	do {
		struct timeval tv = { .tv_sec = (time_t)ae_net_timeout() };
		LDAPControl *page = NULL;
		LDAPControl *sctrls[3] = { NULL, NULL, NULL };
		LDAPMessage *res = NULL;
		int rc;

		if (ae_net_deadline_passed()) {
			AE_ERROR("LDAP search of '%s' on %s: %s", base, conn->server,
				 ae_net_cycle_over());
			err = AE_ERR_LDAP;
			break;
		}
		rc = ldap_create_page_control(conn->ld, AE_LDAP_PAGE_SIZE, &cookie, 0, &page);
		if (rc != LDAP_SUCCESS) {
			log_search_error(conn, base, rc);
			err = AE_ERR_LDAP;
			break;
		}
		sctrls[0] = page;
		if (flags & AE_LDAP_SEARCH_SD_DACL) {
			sctrls[1] = &sd_ctrl;
		}
		/* Else a client-side error would print the last server's message. */
		ldap_set_option(conn->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, NULL);
		rc = ldap_search_ext_s(conn->ld, base, ldap_scope(scope), filter,
				       (char **)attrs, 0, sctrls, NULL, &tv, LDAP_NO_LIMIT, &res);
		ldap_control_free(page);
		pages++;
		if (rc == LDAP_NO_SUCH_OBJECT) {
			AE_DEBUG("LDAP %s: '%s' does not exist", conn->server, base);
			ldap_msgfree(res);
			err = AE_ERR_NOT_FOUND;
			break;
		}
		if (rc == LDAP_TIMEOUT) {
			AE_ERROR("LDAP search of '%s' on %s: %s", base, conn->server,
				 ae_net_no_answer());
			ldap_msgfree(res);
			err = AE_ERR_LDAP;
			break;
		}
		if (rc != LDAP_SUCCESS) {
			log_search_error(conn, base, rc);
			ldap_msgfree(res);
			err = AE_ERR_LDAP;
			break;
		}
		err = collect_page(conn, res, tmp, &entries, &num);
		if (err == AE_OK) {
			err = next_cookie(conn, res, &cookie);
		}
		ldap_msgfree(res);
	} while (err == AE_OK && cookie.bv_len > 0);
	ber_memfree(cookie.bv_val);
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	AE_DEBUG("LDAP %s: '%s' %s: %zu entries in %u page(s)", conn->server, base, filter,
		 num, pages);
	*_entries = talloc_steal(mem_ctx, entries);
	*_num = num;
	talloc_free(tmp);
	return AE_OK;
}

/* For ae_ldap_multi.c (ae_ldap_private.h): one result entry as a neutral entry. */
ae_err ae_ldap_convert_entry(struct ae_ldap *c, LDAPMessage *msg, TALLOC_CTX *mem_ctx,
			     struct ae_ldap_entry **_e)
{
	return convert_entry(c, msg, mem_ctx, _e);
}
