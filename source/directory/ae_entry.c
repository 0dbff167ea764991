#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "ae_entry.h"

struct ae_ldap_entry *ae_entry_new(TALLOC_CTX *mem_ctx, const char *dn)
{
	struct ae_ldap_entry *e = NULL;

	e = talloc_zero(mem_ctx, struct ae_ldap_entry);
	if (e == NULL) {
		return NULL;
	}
	e->dn = talloc_strdup(e, dn != NULL ? dn : "");
	if (e->dn == NULL) {
		talloc_free(e);
		return NULL;
	}
	return e;
}

/* Length of the attribute type before any ";option" suffix. */
static size_t base_name_len(const char *name)
{
	const char *semi = strchr(name, ';');

	return semi != NULL ? (size_t)(semi - name) : strlen(name);
}

static struct ae_ldap_attr *find_attr(const struct ae_ldap_entry *e, const char *name)
{
	size_t want = strlen(name);
	size_t i;

	for (i = 0; i < e->num_attrs; i++) {
		const char *have = e->attrs[i].name;

		if (base_name_len(have) == want && strncasecmp(have, name, want) == 0) {
			return &e->attrs[i];
		}
	}
	return NULL;
}

const struct ae_ldap_attr *ae_entry_attr(const struct ae_ldap_entry *e, const char *name)
{
	if (e == NULL || name == NULL) {
		return NULL;
	}
	return find_attr(e, name);
}

static ae_err new_attr(struct ae_ldap_entry *e, const char *name, struct ae_ldap_attr **_a)
{
	struct ae_ldap_attr *attrs = NULL;
	char *copy = NULL;

	if (e->num_attrs >= AE_ENTRY_ATTRS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	copy = talloc_strdup(e, name);
	if (copy == NULL) {
		return AE_ERR_NOMEM;
	}
	attrs = talloc_realloc(e, e->attrs, struct ae_ldap_attr, e->num_attrs + 1);
	if (attrs == NULL) {
		talloc_free(copy);
		return AE_ERR_NOMEM;
	}
	e->attrs = attrs;
	attrs[e->num_attrs] = (struct ae_ldap_attr) { .name = copy };
	talloc_steal(attrs, copy);
	*_a = &attrs[e->num_attrs];
	e->num_attrs++;
	return AE_OK;
}

ae_err ae_entry_add_value(struct ae_ldap_entry *e, const char *name,
			  const void *data, size_t len)
{
	struct ae_ldap_attr *a = NULL;
	struct ae_ldap_value *values = NULL;
	uint8_t *copy = NULL;
	bool created = false;
	ae_err err;

	if (e == NULL || name == NULL || name[0] == '\0' || (data == NULL && len != 0)) {
		return AE_ERR_INVALID;
	}
	if (len > AE_ENTRY_VALUE_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	a = find_attr(e, name);
	if (a != NULL && a->num_values >= AE_ENTRY_VALUES_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	copy = talloc_size(e, len + 1);
	if (copy == NULL) {
		return AE_ERR_NOMEM;
	}
	if (len > 0) {
		memcpy(copy, data, len);
	}
	copy[len] = 0;
	if (a == NULL) {
		err = new_attr(e, name, &a);
		if (err != AE_OK) {
			talloc_free(copy);
			return err;
		}
		created = true;
	}
	values = talloc_realloc(e->attrs, a->values, struct ae_ldap_value, a->num_values + 1);
	if (values == NULL) {
		talloc_free(copy);
		if (created) {
			talloc_free(a->name);
			e->num_attrs--;
		}
		return AE_ERR_NOMEM;
	}
	talloc_steal(values, copy);
	values[a->num_values] = (struct ae_ldap_value) { .data = copy, .len = len };
	a->values = values;
	a->num_values++;
	return AE_OK;
}

ae_err ae_entry_add_str(struct ae_ldap_entry *e, const char *name, const char *s)
{
	if (s == NULL) {
		return AE_ERR_INVALID;
	}
	return ae_entry_add_value(e, name, s, strlen(s));
}
