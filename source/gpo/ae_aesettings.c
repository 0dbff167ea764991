/*
 * ae_aesettings.c: the AutoEnrollment and PolicyServers settings of a
 * merged registry view, and the MS-CAESO end point grouping.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_aesettings.h"
#include "ae_guid.h"
#include "ae_log.h"

static ae_err get_u32(TALLOC_CTX *mem, const struct ae_regview *view, const char *key,
		      const char *name, struct ae_setting_u32 *out)
{
	const struct ae_regview_value *v = ae_regview_get(view, key, name);

	memset(out, 0, sizeof(*out));
	if (v == NULL) {
		return AE_OK;
	}
	if (v->val.kind != AE_REGVAL_U32) {
		AE_WARN("%s\\%s (from %s) is %s, not a DWORD: ignored", key, name, v->source,
			ae_reg_type_name(v->val.type));
		return AE_OK;
	}
	out->present = true;
	out->value = v->val.u32;
	out->source = talloc_strdup(mem, v->source);
	return (out->source != NULL) ? AE_OK : AE_ERR_NOMEM;
}

static ae_err get_str(TALLOC_CTX *mem, const struct ae_regview *view, const char *key,
		      const char *name, struct ae_setting_str *out)
{
	const struct ae_regview_value *v = ae_regview_get(view, key, name);

	memset(out, 0, sizeof(*out));
	if (v == NULL) {
		return AE_OK;
	}
	if (v->val.kind != AE_REGVAL_STRING) {
		AE_WARN("%s\\%s (from %s) is %s, not a string: ignored", key, name, v->source,
			ae_reg_type_name(v->val.type));
		return AE_OK;
	}
	out->value = talloc_strdup(mem, v->val.str);
	out->source = talloc_strdup(mem, v->source);
	return (out->value != NULL && out->source != NULL) ? AE_OK : AE_ERR_NOMEM;
}

static ae_err get_store_names(struct ae_aesettings *s, const struct ae_regview *view)
{
	const struct ae_regview_value *v =
		ae_regview_get(view, AE_KEY_AUTOENROLLMENT, "OfflineExpirationStoreNames");
	const char *const *in = NULL;
	size_t n = 0;

	if (v == NULL) {
		return AE_OK;
	}
	if (v->val.kind == AE_REGVAL_STRING) {
		in = &v->val.str;
		n = 1;
	} else if (v->val.kind == AE_REGVAL_STRINGS) {
		in = v->val.strs;
		n = v->val.num_strs;
	} else {
		AE_WARN("OfflineExpirationStoreNames (from %s) is %s: ignored", v->source,
			ae_reg_type_name(v->val.type));
		return AE_OK;
	}
	s->store_names = talloc_array(s, const char *, n + 1);
	s->store_names_source = talloc_strdup(s, v->source);
	if (s->store_names == NULL || s->store_names_source == NULL) {
		return AE_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		s->store_names[i] = talloc_strdup(s->store_names, in[i]);
		if (s->store_names[i] == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	s->store_names[n] = NULL;
	s->num_store_names = n;
	return AE_OK;
}

static ae_err read_endpoint(struct ae_aesettings *s, const struct ae_regview *view,
			    const char *subkey, struct ae_endpoint *ep)
{
	char *key = talloc_asprintf(NULL, "%s\\%s", AE_KEY_POLICYSERVERS, subkey);
	ae_err err;

	if (key == NULL || (ep->subkey = talloc_strdup(s, subkey)) == NULL) {
		talloc_free(key);
		return AE_ERR_NOMEM;
	}
	err = get_str(s, view, key, "URL", &ep->url);
	if (err == AE_OK) {
		err = get_str(s, view, key, "PolicyID", &ep->policy_id);
	}
	if (err == AE_OK) {
		err = get_str(s, view, key, "FriendlyName", &ep->friendly_name);
	}
	if (err == AE_OK) {
		err = get_u32(s, view, key, "Flags", &ep->flags);
	}
	if (err == AE_OK) {
		err = get_u32(s, view, key, "AuthFlags", &ep->auth_flags);
	}
	if (err == AE_OK) {
		err = get_u32(s, view, key, "Cost", &ep->cost);
	}
	talloc_free(key);
	if (err != AE_OK) {
		return err;
	}
	ep->kind = AE_EP_KIND_OTHER;
	if (ep->url.value != NULL && strcasecmp(ep->url.value, AE_ENDPOINT_LDAP_URL) == 0) {
		ep->kind = AE_EP_KIND_LDAP;
	} else if (ep->url.value != NULL && strncasecmp(ep->url.value, "https://", 8) == 0) {
		ep->kind = AE_EP_KIND_HTTPS;
	}
	ep->state = AE_EP_INVALID;
	if (ep->url.value == NULL) {
		ep->note = "no URL value";
	} else if (ep->policy_id.value == NULL) {
		ep->note = "no PolicyID value";
	} else if (ep->kind == AE_EP_KIND_OTHER) {
		ep->note = "URL is neither LDAP: nor https://";
	} else {
		ep->note = NULL;	/* grouped below */
	}
	return AE_OK;
}

/* Tie order on equal cost: Kerberos, then Anonymous, then the rest. */
static int auth_rank(const struct ae_endpoint *ep)
{
	if (!ep->auth_flags.present) {
		return 2;
	}
	if (ep->auth_flags.value == AE_AUTHF_KERBEROS) {
		return 0;
	}
	return ep->auth_flags.value == AE_AUTHF_ANONYMOUS ? 1 : 2;
}

static bool goes_before(const struct ae_endpoint *a, const struct ae_endpoint *b)
{
	/* a missing Cost sorts last */
	uint64_t ca = a->cost.present ? a->cost.value : UINT64_MAX;
	uint64_t cb = b->cost.present ? b->cost.value : UINT64_MAX;

	if (ca != cb) {
		return ca < cb;
	}
	return auth_rank(a) < auth_rank(b);
}

/* MS-CAESO 4.4.5.3.2.3: group by PolicyID, sort each group (stable). */
static ae_err group_endpoints(struct ae_aesettings *s)
{
	s->groups = talloc_zero_array(s, struct ae_endpoint_group, s->num_endpoints + 1);
	if (s->groups == NULL) {
		return AE_ERR_NOMEM;
	}
	for (size_t i = 0; i < s->num_endpoints; i++) {
		struct ae_endpoint *ep = &s->endpoints[i];
		struct ae_endpoint_group *g = NULL;
		size_t j;

		if (ep->note != NULL) {
			continue;	/* invalid */
		}
		for (j = 0; j < s->num_groups; j++) {
			if (strcmp(s->groups[j].policy_id, ep->policy_id.value) == 0) {
				g = &s->groups[j];
				break;
			}
		}
		if (g == NULL) {
			g = &s->groups[s->num_groups++];
			g->policy_id = ep->policy_id.value;
			g->members = talloc_array(s->groups, struct ae_endpoint *, s->num_endpoints);
			if (g->members == NULL) {
				return AE_ERR_NOMEM;
			}
		}
		/* insertion keeps equal elements in registry order */
		j = g->num_members;
		while (j > 0 && goes_before(ep, g->members[j - 1])) {
			g->members[j] = g->members[j - 1];
			j--;
		}
		g->members[j] = ep;
		g->num_members++;
	}
	/* MS-CAESO 4.4.5.3.2.4: a group counts only if (any, here the first)
	 * member's Flags has AutoEnrollmentEnabled */
	for (size_t i = 0; i < s->num_groups; i++) {
		struct ae_endpoint_group *g = &s->groups[i];
		const struct ae_endpoint *first = g->members[0];

		g->enabled = first->flags.present &&
			     (first->flags.value & AE_PSF_AUTOENROLLMENT_ENABLED) != 0;
		for (size_t j = 0; j < g->num_members; j++) {
			struct ae_endpoint *ep = g->members[j];
			if (!g->enabled) {
				ep->state = AE_EP_GROUP_DISABLED;
				ep->note = "the group's Flags lack AutoEnrollmentEnabled (0x10)";
			} else if (ep->kind == AE_EP_KIND_HTTPS) {
				/* traversed by the engine (ae_polsrv.h): GetPolicies */
				ep->state = AE_EP_USABLE;
				ep->note = "MS-XCEP policy server (CEP)";
			} else {
				ep->state = AE_EP_UNCHECKED;
				ep->note = "PolicyID not yet checked against the forest root GUID";
			}
		}
	}
	return AE_OK;
}

static ae_err read_policy_servers(struct ae_aesettings *s, const struct ae_regview *view)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char **subkeys = NULL;
	size_t n = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = get_str(s, view, AE_KEY_POLICYSERVERS, "", &s->ps_default);
	if (err == AE_OK) {
		err = get_u32(s, view, AE_KEY_POLICYSERVERS, "Flags", &s->ps_flags);
	}
	if (err == AE_OK) {
		err = ae_regview_subkeys(tmp, view, AE_KEY_POLICYSERVERS, &subkeys, &n);
	}
	if (err == AE_OK) {
		s->endpoints = talloc_zero_array(s, struct ae_endpoint, n + 1);
		err = (s->endpoints != NULL) ? AE_OK : AE_ERR_NOMEM;
	}
	for (size_t i = 0; err == AE_OK && i < n; i++) {
		err = read_endpoint(s, view, subkeys[i], &s->endpoints[i]);
		s->num_endpoints++;
	}
	if (err == AE_OK) {
		err = group_endpoints(s);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_aesettings_from_view(TALLOC_CTX *mem_ctx, const struct ae_regview *view,
			       struct ae_aesettings **_out)
{
	struct ae_aesettings *s = NULL;
	ae_err err;

	if (view == NULL || _out == NULL) {
		return AE_ERR_INVALID;
	}
	s = talloc_zero(NULL, struct ae_aesettings);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	err = get_u32(s, view, AE_KEY_AUTOENROLLMENT, "AEPolicy", &s->aepolicy);
	if (err == AE_OK) {
		err = get_u32(s, view, AE_KEY_AUTOENROLLMENT, "OfflineExpirationPercent",
			      &s->offline_expiration_percent);
	}
	if (err == AE_OK && !s->offline_expiration_percent.present) {
		s->offline_expiration_percent.value = AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT;
	}
	if (err == AE_OK) {
		err = get_store_names(s, view);
	}
	if (err == AE_OK) {
		err = read_policy_servers(s, view);
	}
	if (err != AE_OK) {
		talloc_free(s);
		return err;
	}
	if (s->num_endpoints == 0) {
		s->use_ad_policy = true;
		s->policy_note = "no PolicyServers end points: the default AD (LDAP) policy";
	} else {
		s->policy_note = "PolicyServers configured: the forest root GUID is not checked yet";
	}
	*_out = talloc_steal(mem_ctx, s);
	return AE_OK;
}

bool ae_aesettings_enroll_enabled(const struct ae_aesettings *s)
{
	return s != NULL && s->aepolicy.present &&
	       (s->aepolicy.value & AE_AEPOLICY_DISABLED) == 0 &&
	       (s->aepolicy.value & AE_AEPOLICY_ENROLL) != 0;
}

char *ae_aepolicy_describe(TALLOC_CTX *mem_ctx, uint32_t v)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ AE_AEPOLICY_ENROLL, "enroll" },
		{ AE_AEPOLICY_MANAGE, "manage" },
		{ AE_AEPOLICY_PENDING, "pending" },
		{ AE_AEPOLICY_DISABLED, "disabled" },
	};
	uint32_t known = 0;
	char *out = talloc_strdup(mem_ctx, "");

	for (size_t i = 0; out != NULL && i < sizeof(bits) / sizeof(bits[0]); i++) {
		known |= bits[i].bit;
		if (v & bits[i].bit) {
			out = talloc_asprintf_append(out, "%s%s", out[0] ? "|" : "", bits[i].name);
		}
	}
	if (out != NULL && (v & ~known) != 0) {
		out = talloc_asprintf_append(out, "%s0x%x", out[0] ? "|" : "", v & ~known);
	}
	if (out != NULL && out[0] == '\0') {
		talloc_free(out);
		out = talloc_strdup(mem_ctx, "none");
	}
	return out;
}

char *ae_objectguid_format(TALLOC_CTX *mem_ctx, const uint8_t guid[16])
{
	char buf[AE_GUID_STR_MAX];

	/* MS-DTYP 2.3.4.2: Data1 (LE u32), Data2 (LE u16), Data3 (LE u16), Data4[8] */
	ae_guid_format(guid, buf);
	for (size_t i = 0; buf[i] != '\0'; i++) {
		buf[i] = (char)toupper((unsigned char)buf[i]);
	}
	return talloc_strdup(mem_ctx, buf);
}

bool ae_policy_id_is_forest(const char *policy_id, const uint8_t forest_guid[16])
{
	char buf[40];
	char *s = NULL;
	bool ok;

	if (policy_id == NULL || forest_guid == NULL) {
		return false;
	}
	s = ae_objectguid_format(NULL, forest_guid);
	if (s == NULL) {
		return false;
	}
	snprintf(buf, sizeof(buf), "{%s}", s);
	talloc_free(s);
	/* MS-CAESO 4.4.5.3.2.4 via Samba: "{" + GUID.upper() + "}" == PolicyID */
	ok = (strcmp(buf, policy_id) == 0);
	return ok;
}

ae_err ae_aesettings_check_forest(struct ae_aesettings *s, const uint8_t forest_guid[16])
{
	size_t accepted = 0, refused = 0;

	if (s == NULL || forest_guid == NULL) {
		return AE_ERR_INVALID;
	}
	for (size_t i = 0; i < s->num_endpoints; i++) {
		struct ae_endpoint *ep = &s->endpoints[i];

		if (ep->kind != AE_EP_KIND_LDAP ||
		    (ep->state != AE_EP_UNCHECKED && ep->state != AE_EP_USABLE &&
		     ep->state != AE_EP_POLICYID_MISMATCH)) {
			continue;
		}
		if (ae_policy_id_is_forest(ep->policy_id.value, forest_guid)) {
			ep->state = AE_EP_USABLE;
			ep->note = "PolicyID is the forest root domain's objectGUID";
			accepted++;
		} else {
			ep->state = AE_EP_POLICYID_MISMATCH;
			ep->note = "PolicyID is not the forest root domain's objectGUID";
			refused++;
		}
	}
	s->forest_checked = true;
	if (s->num_endpoints == 0) {
		s->use_ad_policy = true;
		s->policy_note = "no PolicyServers end points: the default AD (LDAP) policy";
	} else if (accepted > 0) {
		s->use_ad_policy = true;
		s->policy_note = "an enabled PolicyServers group has an accepted LDAP: end point";
	} else {
		s->use_ad_policy = false;
		s->policy_note = refused > 0 ?
			"the LDAP: end point's PolicyID is not this forest's: AD policy skipped" :
			"no enabled PolicyServers group has an LDAP: end point";
	}
	return AE_OK;
}

const char *ae_endpoint_state_name(enum ae_endpoint_state state)
{
	switch (state) {
	case AE_EP_INVALID: return "invalid";
	case AE_EP_GROUP_DISABLED: return "group-disabled";
	case AE_EP_UNSUPPORTED: return "unsupported";
	case AE_EP_UNCHECKED: return "unchecked";
	case AE_EP_POLICYID_MISMATCH: return "policyid-mismatch";
	case AE_EP_USABLE: return "usable";
	}
	return "unknown";
}
