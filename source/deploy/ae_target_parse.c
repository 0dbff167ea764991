/*
 * ae_target_parse.c: the value of `autoenroll:deploy <Template>` (text
 * from smb.conf) into a struct ae_target_spec (ae_target.h).
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_target.h"

#define AE_TARGET_VALUE_MAX 4096
#define AE_TARGET_NSS_BUF 16384

/* absolute, no "." / ".." component, no "//", no control character, no trailing '/' */
static bool path_ok(const char *p)
{
	const char *c = p;
	size_t n = strlen(p);

	if (p[0] != '/' || n >= AE_TARGET_PATH_MAX || p[n - 1] == '/' || strstr(p, "//") != NULL) {
		return false;
	}
	for (; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			return false;
		}
	}
	for (c = p; c != NULL; c = strchr(c + 1, '/')) {
		if (strncmp(c, "/./", 3) == 0 || strcmp(c, "/.") == 0 || strncmp(c, "/../", 4) == 0 ||
		    strcmp(c, "/..") == 0) {
			return false;
		}
	}
	return true;
}

static bool all_digits(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return i > 0 && i < 10;
}

static bool resolve_user(const char *name, uid_t *_uid)
{
	struct passwd pw, *res = NULL;
	char buf[AE_TARGET_NSS_BUF];

	if (all_digits(name)) {
		*_uid = (uid_t)strtoul(name, NULL, 10);
		return true;
	}
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
		return false;
	}
	*_uid = pw.pw_uid;
	return true;
}

static bool resolve_group(const char *name, gid_t *_gid)
{
	struct group gr, *res = NULL;
	char buf[AE_TARGET_NSS_BUF];

	if (all_digits(name)) {
		*_gid = (gid_t)strtoul(name, NULL, 10);
		return true;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || res == NULL) {
		return false;
	}
	*_gid = gr.gr_gid;
	return true;
}

static ae_err bad(char *why, size_t why_len, const char *word, const char *cause)
{
	ae_why(why, why_len, "'%s': %s", word, cause);
	return AE_ERR_CONFIG;
}

/* One "key=value" word into t. */
static ae_err word(struct ae_target_spec *t, char *w, char *why, size_t why_len)
{
	char *eq = strchr(w, '=');
	const char *v;
	size_t f;

	if (eq == NULL || eq == w || eq[1] == '\0') {
		return bad(why, why_len, w, "expected key=value");
	}
	*eq = '\0';
	v = eq + 1;
	for (f = 0; f < AE_TARGET_FILES; f++) {
		if (strcmp(w, ae_target_file_name((enum ae_target_file)f)) != 0) {
			continue;
		}
		*eq = '=';
		if (t->path[f] != NULL) {
			return bad(why, why_len, w, "given twice");
		}
		if (!path_ok(v)) {
			return bad(why, why_len, w, "an absolute file path without '.', '..', '//' "
				   "or control characters is required");
		}
		t->path[f] = talloc_strdup(t, v);
		return t->path[f] != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	if (strcmp(w, "owner") == 0 || strcmp(w, "group") == 0) {
		bool owner = w[0] == 'o';
		*eq = '=';
		if (owner ? t->has_owner : t->has_group) {
			return bad(why, why_len, w, "given twice");
		}
		if (owner ? !resolve_user(v, &t->uid) : !resolve_group(v, &t->gid)) {
			return bad(why, why_len, w, owner ? "no such user" : "no such group");
		}
		if (owner) {
			t->has_owner = true;
			t->owner = talloc_strdup(t, v);
		} else {
			t->has_group = true;
			t->group = talloc_strdup(t, v);
		}
		return (owner ? t->owner : t->group) != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	if (strcmp(w, "mode") == 0) {
		char *end = NULL;
		unsigned long m;

		*eq = '=';
		m = strtoul(v, &end, 8);
		if (v[0] != '0' || *end != '\0' || strlen(v) > 5 || (m & ~(unsigned long)AE_TARGET_KEY_MODE_MAX) != 0) {
			return bad(why, why_len, w, "the key's mode: octal, 0 first, at most 0640 "
				   "(owner read/write, group read)");
		}
		t->key_mode = (mode_t)m;
		return AE_OK;
	}
	*eq = '=';
	return bad(why, why_len, w, "unknown key (known: key, cert, chain, fullchain, owner, "
		   "group, mode)");
}

ae_err ae_target_parse(TALLOC_CTX *mem_ctx, const char *template_name, const char *value,
		       struct ae_target_spec **_t, char *why, size_t why_len)
{
	struct ae_target_spec *t;
	char *copy, *save = NULL, *w;
	size_t i, j;
	ae_err err = AE_OK;

	if (template_name == NULL || template_name[0] == '\0' || value == NULL) {
		ae_why(why, why_len, "no template named");
		return AE_ERR_CONFIG;
	}
	if (strnlen(value, AE_TARGET_VALUE_MAX + 1) > AE_TARGET_VALUE_MAX) {
		ae_why(why, why_len, "longer than %d bytes", AE_TARGET_VALUE_MAX);
		return AE_ERR_CONFIG;
	}
	t = talloc_zero(NULL, struct ae_target_spec);
	if (t == NULL || (t->template_name = talloc_strdup(t, template_name)) == NULL ||
	    (copy = talloc_strdup(t, value)) == NULL) {
		talloc_free(t);
		return AE_ERR_NOMEM;
	}
	t->key_mode = AE_TARGET_KEY_MODE_DEFAULT;
	for (w = strtok_r(copy, " \t", &save); w != NULL && err == AE_OK;
	     w = strtok_r(NULL, " \t", &save)) {
		err = word(t, w, why, why_len);
	}
	if (err == AE_OK && (t->path[AE_TARGET_KEY] == NULL || t->path[AE_TARGET_CERT] == NULL)) {
		ae_why(why, why_len, "key=PATH and cert=PATH are required");
		err = AE_ERR_CONFIG;
	}
	for (i = 0; err == AE_OK && i < AE_TARGET_FILES; i++) {
		for (j = i + 1; t->path[i] != NULL && j < AE_TARGET_FILES; j++) {
			if (t->path[j] != NULL && strcmp(t->path[i], t->path[j]) == 0) {
				ae_why(why, why_len, "%s and %s are the same file %s",
				       ae_target_file_name(i), ae_target_file_name(j), t->path[i]);
				err = AE_ERR_CONFIG;
				break;
			}
		}
	}
	if (err != AE_OK) {
		talloc_free(t);
		return err;
	}
	talloc_free(copy);
	*_t = talloc_steal(mem_ctx, t);
	return AE_OK;
}
