/*
 * ae_smbconf.c: the programs' side of ae_smbconf.h: reading the copied
 * values, no Samba library. Loading is in the network module
 * (ae_smbconf_lp.c).
 */
#include <ctype.h>
#include <string.h>
#include <talloc.h>
#include "ae_smbconf.h"

const char *ae_smbconf_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* a == b as loadparm compares names (strwicmp): case and white space do not count */
static bool name_eq(const char *a, size_t alen, const char *b)
{
	size_t i = 0;

	for (;;) {
		while (i < alen && isspace((unsigned char)a[i])) {
			i++;
		}
		while (*b != '\0' && isspace((unsigned char)*b)) {
			b++;
		}
		if (i == alen || *b == '\0') {
			return i == alen && *b == '\0';
		}
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)*b)) {
			return false;
		}
		i++;
		b++;
	}
}

/* one line of the dump: "\tname = value"; true when it is type:option */
static bool line_is(const char *line, size_t len, const char *type, const char *option,
		    const char **_v, size_t *_vlen)
{
	const char *eq = memchr(line, '=', len), *colon;

	if (eq == NULL) {
		return false;
	}
	colon = memchr(line, ':', (size_t)(eq - line));
	if (colon == NULL) {
		return false;
	}
	if (!name_eq(line, (size_t)(colon - line), type) ||
	    !name_eq(colon + 1, (size_t)(eq - colon - 1), option)) {
		return false;
	}
	*_v = eq + 1;
	*_vlen = len - (size_t)(eq + 1 - line);
	while (*_vlen > 0 && isspace((unsigned char)**_v)) {
		(*_v)++;
		(*_vlen)--;
	}
	while (*_vlen > 0 && isspace((unsigned char)(*_v)[*_vlen - 1])) {
		(*_vlen)--;
	}
	return true;
}

const char *ae_smbconf_parm(const struct ae_smbconf *c, const char *type, const char *option)
{
	const char *p, *end;

	if (c == NULL || c->globals == NULL || type == NULL || option == NULL) {
		return NULL;
	}
	for (p = c->globals, end = c->globals + c->globals_len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p), vlen;

		if (line_is(p, len, type, option, &v, &vlen)) {
			/* a copy with the struct's lifetime, kept for the next ask */
			return talloc_strndup((TALLOC_CTX *)c, v, vlen);
		}
		p += len + 1;
	}
	return NULL;
}

ae_err ae_smbconf_set(struct ae_smbconf *c, const char *name, const char *value)
{
	struct ae_smbconf_override *o;
	char **field = NULL;

	if (c == NULL || name == NULL || value == NULL) {
		return AE_ERR_INVALID;
	}
	if (strcmp(name, "cache directory") == 0) {
		field = &c->cache_dir;
	} else if (strcmp(name, "state directory") == 0) {
		field = &c->state_dir;
	} else if (strcmp(name, "lock directory") != 0) {
		return AE_ERR_INVALID;	/* only the directories a session moves */
	}
	o = talloc_realloc(c, c->overrides, struct ae_smbconf_override, c->num_overrides + 1);
	if (o == NULL) {
		return AE_ERR_NOMEM;
	}
	c->overrides = o;
	o[c->num_overrides].name = talloc_strdup(o, name);
	o[c->num_overrides].value = talloc_strdup(o, value);
	if (o[c->num_overrides].name == NULL || o[c->num_overrides].value == NULL) {
		return AE_ERR_NOMEM;
	}
	c->num_overrides++;
	if (field != NULL) {
		talloc_free(*field);
		*field = talloc_strdup(c, value);
		if (*field == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	/* a loaded lp gets it at the next ae_smbconf_lp_load */
	return AE_OK;
}
