/*
 * ae_aesettings_json.c: JSON and human-readable writers for Registry.pol
 * entries and the derived autoenrollment settings (autoenroll pol FILE,
 * autoenroll policy; --json).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "ae_aesettings.h"

/* AEPolicy present, not disabled (0x8000), and the component's bit set. */
static bool component_on(const struct ae_aesettings *s, uint32_t bit)
{
	return s != NULL && s->aepolicy.present &&
	       (s->aepolicy.value & AE_AEPOLICY_DISABLED) == 0 && (s->aepolicy.value & bit) != 0;
}

static void json_hex(FILE *f, const uint8_t *d, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%02x", d[i]);
	}
	fputc('"', f);
}

static void json_strs(FILE *f, const char *const *strs, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		ae_json_string(f, strs[i]);
	}
	fputc(']', f);
}

static void json_regval(FILE *f, const struct ae_regval *v)
{
	switch (v->kind) {
	case AE_REGVAL_STRING: ae_json_string(f, v->str); break;
	case AE_REGVAL_STRINGS: json_strs(f, v->strs, v->num_strs); break;
	case AE_REGVAL_U32: fprintf(f, "%" PRIu32, v->u32); break;
	case AE_REGVAL_U64: fprintf(f, "%" PRIu64, v->u64); break;
	case AE_REGVAL_BYTES: json_hex(f, v->data, v->len); break;
	}
}

static void preg_entries_json(FILE *f, const struct ae_preg *pol)
{
	fputc('[', f);
	for (size_t i = 0; i < pol->num_entries; i++) {
		const struct ae_preg_entry *e = &pol->entries[i];
		fputs(i ? ",\n  {" : "\n  {", f);
		fputs("\"key\": ", f);
		ae_json_string(f, e->key);
		fputs(", \"name\": ", f);
		ae_json_string(f, e->name);
		fprintf(f, ", \"type\": %" PRIu32 ", \"type_name\": \"%s\", \"offset\": %zu, "
			"\"data\": ", e->val.type, ae_reg_type_name(e->val.type), e->offset);
		json_regval(f, &e->val);
		fputc('}', f);
	}
	fputs(pol->num_entries ? "\n]" : "]", f);
}

ae_err ae_preg_write_json(FILE *f, const struct ae_preg *pol)
{
	if (f == NULL || pol == NULL) {
		return AE_ERR_INVALID;
	}
	preg_entries_json(f, pol);
	return ferror(f) ? AE_ERR_IO : AE_OK;
}

static void json_u32(FILE *f, const struct ae_setting_u32 *s)
{
	if (!s->present) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"value\": %" PRIu32 ", \"source\": ", s->value);
	ae_json_string(f, s->source);
	fputc('}', f);
}

static void json_str(FILE *f, const struct ae_setting_str *s)
{
	if (s->value == NULL) {
		fputs("null", f);
		return;
	}
	fputs("{\"value\": ", f);
	ae_json_string(f, s->value);
	fputs(", \"source\": ", f);
	ae_json_string(f, s->source);
	fputc('}', f);
}

static void json_opt_u32(FILE *f, const char *name, const struct ae_setting_u32 *s)
{
	fprintf(f, ", \"%s\": ", name);
	if (s->present) {
		fprintf(f, "%" PRIu32, s->value);
	} else {
		fputs("null", f);
	}
}

static const char *kind_name(enum ae_endpoint_kind k)
{
	return k == AE_EP_KIND_LDAP ? "ldap" : k == AE_EP_KIND_HTTPS ? "https" : "other";
}

static void json_endpoint(FILE *f, const struct ae_endpoint *ep)
{
	fputs("{\"subkey\": ", f);
	ae_json_string(f, ep->subkey);
	fputs(", \"url\": ", f);
	ae_json_string(f, ep->url.value);
	fputs(", \"policy_id\": ", f);
	ae_json_string(f, ep->policy_id.value);
	fputs(", \"friendly_name\": ", f);
	ae_json_string(f, ep->friendly_name.value);
	json_opt_u32(f, "flags", &ep->flags);
	json_opt_u32(f, "auth_flags", &ep->auth_flags);
	json_opt_u32(f, "cost", &ep->cost);
	fprintf(f, ", \"kind\": \"%s\", \"state\": \"%s\", \"note\": ", kind_name(ep->kind),
		ae_endpoint_state_name(ep->state));
	ae_json_string(f, ep->note);
	fputs(", \"source\": ", f);
	ae_json_string(f, ep->url.source);
	fputc('}', f);
}

static void settings_json(FILE *f, const struct ae_aesettings *s)
{
	fputs("{\n  \"autoenrollment\": {\"aepolicy\": ", f);
	json_u32(f, &s->aepolicy);
	if (s->aepolicy.present) {
		static const char *names[] = { "enroll", "manage", "pending", "disabled" };
		static const uint32_t bits[] = { AE_AEPOLICY_ENROLL, AE_AEPOLICY_MANAGE,
						 AE_AEPOLICY_PENDING, AE_AEPOLICY_DISABLED };
		bool first = true;
		fputs(", \"aepolicy_flags\": [", f);
		for (size_t i = 0; i < 4; i++) {
			if (s->aepolicy.value & bits[i]) {
				fprintf(f, "%s\"%s\"", first ? "" : ", ", names[i]);
				first = false;
			}
		}
		fputc(']', f);
	}
	fprintf(f, ", \"enroll_enabled\": %s", ae_aesettings_enroll_enabled(s) ? "true" : "false");
	fprintf(f, ", \"components\": {\"template_check\": %s, \"store_management\": %s, "
		"\"pending_fetch\": %s}", component_on(s, AE_AEPOLICY_ENROLL) ? "true" : "false",
		component_on(s, AE_AEPOLICY_MANAGE) ? "true" : "false",
		component_on(s, AE_AEPOLICY_PENDING) ? "true" : "false");
	fprintf(f, ",\n    \"offline_expiration_percent\": {\"value\": %" PRIu32
		", \"default\": %s, \"source\": ", s->offline_expiration_percent.value,
		s->offline_expiration_percent.present ? "false" : "true");
	ae_json_string(f, s->offline_expiration_percent.source);
	fputs("},\n    \"offline_expiration_store_names\": ", f);
	if (s->store_names == NULL) {
		fputs("null", f);
	} else {
		fputs("{\"value\": ", f);
		json_strs(f, s->store_names, s->num_store_names);
		fputs(", \"source\": ", f);
		ae_json_string(f, s->store_names_source);
		fputc('}', f);
	}
	fputs("},\n  \"policy_servers\": {\"default\": ", f);
	json_str(f, &s->ps_default);
	fputs(", \"flags\": ", f);
	json_u32(f, &s->ps_flags);
	fputs(",\n    \"endpoints\": [", f);
	for (size_t i = 0; i < s->num_endpoints; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_endpoint(f, &s->endpoints[i]);
	}
	fputs("],\n    \"groups\": [", f);
	for (size_t i = 0; i < s->num_groups; i++) {
		const struct ae_endpoint_group *g = &s->groups[i];
		fputs(i ? ",\n      {\"policy_id\": " : "\n      {\"policy_id\": ", f);
		ae_json_string(f, g->policy_id);
		fprintf(f, ", \"enabled\": %s, \"order\": [", g->enabled ? "true" : "false");
		for (size_t j = 0; j < g->num_members; j++) {
			fputs(j ? ", " : "", f);
			ae_json_string(f, g->members[j]->subkey);
		}
		fputs("]}", f);
	}
	fprintf(f, "]},\n  \"forest_checked\": %s, \"use_ad_policy\": %s, \"policy_note\": ",
		s->forest_checked ? "true" : "false", s->use_ad_policy ? "true" : "false");
	ae_json_string(f, s->policy_note);
	fputs("\n}", f);
}

ae_err ae_aesettings_write_json(FILE *f, const struct ae_aesettings *s)
{
	if (f == NULL || s == NULL) {
		return AE_ERR_INVALID;
	}
	settings_json(f, s);
	return ferror(f) ? AE_ERR_IO : AE_OK;
}

ae_err ae_pol_write_json(FILE *f, const struct ae_preg *pol, const struct ae_aesettings *s)
{
	if (f == NULL) {
		return AE_ERR_INVALID;
	}
	fputc('{', f);
	if (pol != NULL) {
		fputs("\"entries\": ", f);
		preg_entries_json(f, pol);
	}
	if (s != NULL) {
		fputs(pol != NULL ? ",\n\"settings\": " : "\"settings\": ", f);
		settings_json(f, s);
	}
	fputs("}\n", f);
	return ferror(f) ? AE_ERR_IO : AE_OK;
}

/* Text output: control characters shown as \xNN so a hostile file cannot
 * drive the terminal. */
static void text_str(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
		} else {
			fputc(*p, f);
		}
	}
}

static void text_regval(FILE *f, const struct ae_regval *v)
{
	switch (v->kind) {
	case AE_REGVAL_STRING:
		fputc('"', f);
		text_str(f, v->str);
		fputc('"', f);
		break;
	case AE_REGVAL_STRINGS:
		for (size_t i = 0; i < v->num_strs; i++) {
			fputs(i ? ", \"" : "\"", f);
			text_str(f, v->strs[i]);
			fputc('"', f);
		}
		if (v->num_strs == 0) {
			fputs("(empty list)", f);
		}
		break;
	case AE_REGVAL_U32:
		fprintf(f, "%" PRIu32 " (0x%08" PRIx32 ")", v->u32, v->u32);
		break;
	case AE_REGVAL_U64:
		fprintf(f, "%" PRIu64 " (0x%016" PRIx64 ")", v->u64, v->u64);
		break;
	case AE_REGVAL_BYTES:
		for (size_t i = 0; i < v->len && i < 64; i++) {
			fprintf(f, "%s%02x", i ? " " : "", v->data[i]);
		}
		if (v->len > 64) {
			fprintf(f, " ... (%zu bytes)", v->len);
		}
		if (v->len == 0) {
			fputs("(no data)", f);
		}
		break;
	}
}

ae_err ae_preg_dump(FILE *f, const struct ae_preg *pol)
{
	if (f == NULL || pol == NULL) {
		return AE_ERR_INVALID;
	}
	fprintf(f, "Registry.pol: PReg version %" PRIu32 ", %zu entries\n", pol->version,
		pol->num_entries);
	for (size_t i = 0; i < pol->num_entries; i++) {
		const struct ae_preg_entry *e = &pol->entries[i];
		fprintf(f, "\nEntry %zu (offset 0x%zx)\n  Key:   ", i + 1, e->offset);
		text_str(f, e->key);
		fputs("\n  Value: ", f);
		text_str(f, e->name[0] ? e->name : "(default)");
		fprintf(f, "\n  Type:  %s (%" PRIu32 ")\n  Data:  ", ae_reg_type_name(e->val.type),
			e->val.type);
		text_regval(f, &e->val);
		fputc('\n', f);
	}
	return ferror(f) ? AE_ERR_IO : AE_OK;
}

static void text_from(FILE *f, const char *source)
{
	if (source != NULL && source[0] != '\0') {
		fputs("  (from ", f);
		text_str(f, source);
		fputc(')', f);
	}
	fputc('\n', f);
}

static void text_opt(FILE *f, const char *label, const struct ae_setting_u32 *s)
{
	if (s->present) {
		fprintf(f, ", %s %" PRIu32, label, s->value);
	} else {
		fprintf(f, ", %s -", label);
	}
}

ae_err ae_aesettings_dump(FILE *f, const struct ae_aesettings *s)
{
	char *desc = NULL;

	if (f == NULL || s == NULL) {
		return AE_ERR_INVALID;
	}
	fputs("\nAutoEnrollment (" AE_KEY_AUTOENROLLMENT ")\n  AEPolicy:                    ", f);
	if (s->aepolicy.present) {
		desc = ae_aepolicy_describe(NULL, s->aepolicy.value);
		fprintf(f, "%" PRIu32 " (%s)", s->aepolicy.value, desc ? desc : "?");
		talloc_free(desc);
		text_from(f, s->aepolicy.source);
	} else {
		fputs("not set\n", f);
	}
	/* each AEPolicy bit enables one component (the engine's decide() has the table) */
	fprintf(f, "  Components:                  template check (0x1) %s, store management "
		"(0x2) %s, pending fetch (0x4) %s\n", component_on(s, AE_AEPOLICY_ENROLL) ? "on" : "off",
		component_on(s, AE_AEPOLICY_MANAGE) ? "on" : "off",
		component_on(s, AE_AEPOLICY_PENDING) ? "on" : "off");
	fprintf(f, "  OfflineExpirationPercent:    %" PRIu32 "%s",
		s->offline_expiration_percent.value,
		s->offline_expiration_percent.present ? "" : " (default)");
	text_from(f, s->offline_expiration_percent.source);
	fputs("  OfflineExpirationStoreNames: ", f);
	for (size_t i = 0; i < s->num_store_names; i++) {
		fputs(i ? ", " : "", f);
		text_str(f, s->store_names[i]);
	}
	if (s->store_names == NULL) {
		fputs("not set\n", f);
	} else {
		text_from(f, s->store_names_source);
	}

	fputs("\nPolicy servers (" AE_KEY_POLICYSERVERS ")\n", f);
	if (s->ps_default.value != NULL) {
		fputs("  (default): ", f);
		text_str(f, s->ps_default.value);
		text_from(f, s->ps_default.source);
	}
	if (s->ps_flags.present) {
		fprintf(f, "  Flags: 0x%" PRIx32, s->ps_flags.value);
		text_from(f, s->ps_flags.source);
	}
	if (s->num_endpoints == 0) {
		fputs("  no end points\n", f);
	}
	for (size_t i = 0; i < s->num_groups; i++) {
		const struct ae_endpoint_group *g = &s->groups[i];
		fputs("  Group ", f);
		text_str(f, g->policy_id);
		fprintf(f, " (%s)\n", g->enabled ? "enabled" : "disabled");
		for (size_t j = 0; j < g->num_members; j++) {
			const struct ae_endpoint *ep = g->members[j];
			fprintf(f, "    %zu. ", j + 1);
			text_str(f, ep->url.value);
			text_opt(f, "cost", &ep->cost);
			text_opt(f, "auth", &ep->auth_flags);
			text_opt(f, "flags", &ep->flags);
			fprintf(f, ": %s: %s", ae_endpoint_state_name(ep->state), ep->note);
			text_from(f, ep->url.source);
		}
	}
	for (size_t i = 0; i < s->num_endpoints; i++) {
		const struct ae_endpoint *ep = &s->endpoints[i];
		if (ep->state == AE_EP_INVALID) {
			fputs("  Ignored end point ", f);
			text_str(f, ep->subkey);
			fprintf(f, ": %s\n", ep->note);
		}
	}
	fprintf(f, "  AD (LDAP) enrollment policy: %s: %s\n", s->use_ad_policy ? "yes" : "no",
		s->policy_note);
	return ferror(f) ? AE_ERR_IO : AE_OK;
}
