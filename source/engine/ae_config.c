/*
 * ae_config.c: the autoenroll:* options, read and validated in one place.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_config.h"
#include "ae_child.h"
#include "ae_paths.h"
#include "ae_enroll_private.h"
#include "ae_log.h"
#include "ae_template.h"
#include "ae_key_tpm.h"

#define AE_CONFIG_NAME_MAX 256
#define AE_CONFIG_DUMP_MAX (1024 * 1024)

struct option_def {
	const char *name;		/* after "autoenroll:" */
	const char *default_text;
};

static const struct option_def defs[AE_OPT_COUNT] = {
	[AE_OPT_STORE_DIR] = { "store dir", "<state directory>/autoenroll/machine" },
	[AE_OPT_KEY_TYPE] = { "key type", "rsa:2048" },
	[AE_OPT_DC] = { "dc", "DNS SRV _ldap._tcp.dc._msdcs.<realm>, password server, realm" },
	[AE_OPT_TRUST_DIR] = { "trust dir", AE_TRUST_DIR_DEFAULT_PATH },
	[AE_OPT_TRUST_COMMAND] = { "trust command", AE_TRUST_COMMAND_DEFAULT },
	[AE_OPT_INTERMEDIATES_FILE] = { "intermediates file", "<store dir>/intermediates.pem" },
	[AE_OPT_LOCK_WAIT] = { "lock wait", "300" },
	[AE_OPT_USER_NSSDB] = { "user nssdb", "no (the store's files are the source of truth; yes "
				"also copies each user certificate and key into the user's NSS "
				"database for Chromium and Evolution)" },
	[AE_OPT_MODE] = { "mode", "auto (workgroup when smb.conf has no realm, else domain)" },
	[AE_OPT_HOOKS_DIR] = { "hooks dir", AE_HOOKS_DIR_DEFAULT },
	[AE_OPT_HOOK] = { "hook", "none (the programs of the hooks dir only)" },
	[AE_OPT_HOOK_TIMEOUT] = { "hook timeout", AE_HOOK_TIMEOUT_DEFAULT },
	[AE_OPT_COMMAND] = { "command", AE_COMMAND_PATH },
	[AE_OPT_COMMAND_TIMEOUT] = { "command timeout", "600" },
	[AE_OPT_SAMBA_CERT_AUTO_ENROLL] = { "samba cert auto enroll", "yes" },
	[AE_OPT_KEY_STORAGE] = { "key storage", "auto" },
	[AE_OPT_TPM_TCTI] = { "tpm tcti", AE_KEY_TPM_TCTI_DEFAULT },
	[AE_OPT_NETWORK_TIMEOUT] = { "network timeout", AE_NETWORK_TIMEOUT_DEFAULT },
	[AE_OPT_CYCLE_TIMEOUT] = { "cycle timeout", AE_CYCLE_TIMEOUT_DEFAULT },
};

const char *ae_config_source_name(enum ae_config_source s)
{
	switch (s) {
	case AE_CONFIG_DEFAULT: return "default";
	case AE_CONFIG_SMBCONF: return "smb.conf";
	case AE_CONFIG_CMDLINE: return "--option";
	}
	return "?";
}

bool ae_config_normalise_name(const char *in, size_t in_len, char *buf, size_t n)
{
	size_t i;

	/* loadparm looks parametric names up case-insensitively, nothing else */
	if (in_len >= n) {
		return false;
	}
	for (i = 0; i < in_len; i++) {
		buf[i] = (char)tolower((unsigned char)in[i]);
	}
	buf[in_len] = '\0';
	return true;
}

/* "autoenroll" [spaces] ":" ... (a name with a space before the colon is a
 * different key to loadparm, so nobody reads it: it counts as unknown) */
static bool is_ours(const char *name)
{
	const char *p = name + strlen("autoenroll");

	if (strncasecmp(name, "autoenroll", strlen("autoenroll")) != 0) {
		return false;
	}
	while (*p == ' ' || *p == '\t') {
		p++;
	}
	return *p == ':';
}

static bool is_known(const char *name)
{
	size_t i;

	if (strncasecmp(name, "autoenroll:", 11) != 0) {
		return false;
	}
	if (ae_config_deploy_name(name) || ae_config_key_storage_name(name)) {
		return true;
	}
	for (i = 0; i < AE_OPT_COUNT; i++) {
		if (strcasecmp(name + 11, defs[i].name) == 0) {
			return true;
		}
	}
	return false;
}

static ae_err add_name(TALLOC_CTX *mem, char ***names, size_t *n, const char *name)
{
	char **v;
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*names)[i], name) == 0) {
			return AE_OK;
		}
	}
	if (*n >= AE_CONFIG_UNKNOWN_MAX) {
		return AE_OK;
	}
	v = talloc_realloc(mem, *names, char *, *n + 2);
	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	*names = v;
	v[*n] = talloc_strdup(v, name);
	if (v[*n] == NULL) {
		return AE_ERR_NOMEM;
	}
	v[++*n] = NULL;
	return AE_OK;
}

ae_err ae_config_names_from_dump(TALLOC_CTX *mem_ctx, const char *text, size_t len,
				 char ***_names, size_t *_n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **names = NULL;
	char buf[AE_CONFIG_NAME_MAX];
	size_t n = 0, pos = 0;
	ae_err err = AE_OK;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (len > AE_CONFIG_DUMP_MAX) {
		talloc_free(tmp);
		return AE_ERR_TOO_LARGE;
	}
	names = talloc_zero_array(tmp, char *, 1);
	if (names == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	while (err == AE_OK && pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		const char *eq = NULL;
		size_t s = 0, e;

		pos += line_len + (nl ? 1 : 0);
		while (s < line_len && (line[s] == ' ' || line[s] == '\t')) {
			s++;
		}
		eq = memchr(line + s, '=', line_len - s);
		if (eq == NULL || line[s] == '#' || line[s] == ';' || line[s] == '[') {
			continue;
		}
		e = (size_t)(eq - line);
		while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
			e--;
		}
		if (!ae_config_normalise_name(line + s, e - s, buf, sizeof(buf)) || !is_ours(buf)) {
			continue;
		}
		err = add_name(tmp, &names, &n, buf);
	}
	if (err == AE_OK) {
		*_names = talloc_move(mem_ctx, &names);
		*_n = n;
	}
	talloc_free(tmp);
	return err;
}

/* The [global] section as loadparm holds it (smb.conf and --option). */
static ae_err global_names(TALLOC_CTX *mem, const struct ae_smbconf *sc, char ***_names,
			   size_t *_n)
{
	return ae_config_names_from_dump(mem, sc->globals != NULL ? sc->globals : "",
					 sc->globals_len, _names, _n);
}

static enum ae_config_source source_of(const char *name, const char *const *options)
{
	size_t i, full = strlen("autoenroll:") + strlen(name);

	for (i = 0; options != NULL && options[i] != NULL; i++) {
		const char *eq = strchr(options[i], '=');
		if (eq != NULL && (size_t)(eq - options[i]) == full &&
		    strncasecmp(options[i], "autoenroll:", 11) == 0 &&
		    strncasecmp(options[i] + 11, name, full - 11) == 0) {
			return AE_CONFIG_CMDLINE;
		}
	}
	return AE_CONFIG_SMBCONF;
}

static bool valid_host(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.') {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != ':') {
			return false;
		}
	}
	return true;
}

static ae_err bad(char *why, size_t why_len, const char *name, const char *value,
		  const char *expected)
{
	snprintf(why, why_len, "invalid value '%s' for option 'autoenroll:%s': %s", value, name,
		 expected);
	return AE_ERR_CONFIG;
}

/* Samba's boolean words (smb.conf(5)): yes/no, true/false, on/off, 1/0. */
static bool parse_bool(const char *v, bool *_b)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*_b = strcasecmp(v, yes[i]) == 0;
			return true;
		}
	}
	return false;
}

/* Check one effective value; the expectation goes into why. */
static ae_err validate(struct ae_config *c, enum ae_config_option o, const char *v, char *why,
		       size_t why_len)
{
	switch (o) {
	case AE_OPT_STORE_DIR:
	case AE_OPT_HOOKS_DIR:
	case AE_OPT_TRUST_DIR:
	case AE_OPT_INTERMEDIATES_FILE:
		if (v[0] != '/') {
			return bad(why, why_len, defs[o].name, v, "an absolute path is required");
		}
		return AE_OK;
	case AE_OPT_KEY_TYPE:
		if (ae_key_spec_parse(v, &c->key_spec) != AE_OK) {
			return bad(why, why_len, defs[o].name, v, "expected rsa:N (N from 2048 to "
				   "16384, a multiple of 8), ec:p256, ec:p384 or ec:p521");
		}
		return AE_OK;
	case AE_OPT_DC:
		if (!valid_host(v)) {
			return bad(why, why_len, defs[o].name, v, "expected a host name or address");
		}
		return AE_OK;
	case AE_OPT_LOCK_WAIT: {
		char *end = NULL;
		unsigned long n = strtoul(v, &end, 10);

		if (!isdigit((unsigned char)v[0]) || *end != '\0' || n > 86400) {
			return bad(why, why_len, defs[o].name, v, "expected seconds from 0 to 86400");
		}
		c->lock_wait_s = (unsigned)n;
		return AE_OK;
	}
	case AE_OPT_HOOK: {
		char cause[256] = "";

		if (ae_child_split(c, v, &c->hook_argv, cause, sizeof(cause)) != AE_OK ||
		    c->hook_argv[0][0] != '/') {
			return bad(why, why_len, defs[o].name, v, cause[0] ? cause :
				   "an absolute program path, then its arguments, without a shell");
		}
		return AE_OK;
	}
	case AE_OPT_HOOK_TIMEOUT: {
		char *end = NULL;
		unsigned long n = strtoul(v, &end, 10);

		if (!isdigit((unsigned char)v[0]) || *end != '\0' || n < 1 || n > 3600) {
			return bad(why, why_len, defs[o].name, v, "expected seconds from 1 to 3600");
		}
		c->hook_timeout_s = (unsigned)n;
		return AE_OK;
	}
	case AE_OPT_NETWORK_TIMEOUT: {
		char *end = NULL;
		unsigned long n = strtoul(v, &end, 10);

		if (!isdigit((unsigned char)v[0]) || *end != '\0' || n < 1 || n > 300) {
			return bad(why, why_len, defs[o].name, v, "expected seconds from 1 to 300");
		}
		c->network_timeout_s = (unsigned)n;
		return AE_OK;
	}
	case AE_OPT_CYCLE_TIMEOUT: {
		char *end = NULL;
		unsigned long n = strtoul(v, &end, 10);

		if (!isdigit((unsigned char)v[0]) || *end != '\0' || n < 10 || n > 3600) {
			return bad(why, why_len, defs[o].name, v, "expected seconds from 10 to 3600");
		}
		c->cycle_timeout_s = (unsigned)n;
		return AE_OK;
	}
	case AE_OPT_USER_NSSDB:
		if (!parse_bool(v, &c->user_nssdb)) {
			return bad(why, why_len, defs[o].name, v, "expected yes or no");
		}
		return AE_OK;
	case AE_OPT_MODE:
		if (strcasecmp(v, "auto") == 0 || strcasecmp(v, "domain") == 0 ||
		    strcasecmp(v, "workgroup") == 0) {
			c->mode = strcasecmp(v, "auto") == 0 ? AE_MODE_AUTO :
				  strcasecmp(v, "domain") == 0 ? AE_MODE_DOMAIN : AE_MODE_WORKGROUP;
			return AE_OK;
		}
		return bad(why, why_len, defs[o].name, v, "expected auto, domain or workgroup");
	case AE_OPT_KEY_STORAGE:
		if (!ae_config_key_storage_parse(v, &c->key_storage)) {
			return bad(why, why_len, defs[o].name, v, "expected file, tpm or auto");
		}
		return AE_OK;
	case AE_OPT_TPM_TCTI:
		if (ae_key_tpm_configure(v) != AE_OK) {
			return bad(why, why_len, defs[o].name, v, "expected a TSS2 TCTI such as "
				   "device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321");
		}
		return AE_OK;
	case AE_OPT_COMMAND_TIMEOUT:
	case AE_OPT_TRUST_COMMAND:
	case AE_OPT_COMMAND:
	case AE_OPT_SAMBA_CERT_AUTO_ENROLL:
	case AE_OPT_COUNT:
		break;
	}
	return AE_OK;
}

/* Options whose item has no value unless set (default_text says what applies). */
static bool no_default_value(size_t i)
{
	return i == AE_OPT_DC || i == AE_OPT_INTERMEDIATES_FILE || i == AE_OPT_USER_NSSDB ||
	       i == AE_OPT_MODE ||
	       i == AE_OPT_HOOK;
}

static ae_err fill(struct ae_config *c, const struct ae_smbconf *sc, const char *const *options,
		   const char *state_dir, char *why, size_t why_len)
{
	size_t i;
	ae_err err;

	for (i = 0; i < AE_OPT_COUNT; i++) {
		struct ae_config_item *it = &c->items[i];
		const char *v = ae_smbconf_parm(sc, "autoenroll", defs[i].name);

		it->name = talloc_asprintf(c, "autoenroll:%s", defs[i].name);
		it->default_text = defs[i].default_text;
		if (it->name == NULL) {
			return AE_ERR_NOMEM;
		}
		if (v != NULL && v[0] != '\0') {
			it->source = source_of(defs[i].name, options);
			it->value = talloc_strdup(c, v);
		} else if (i == AE_OPT_STORE_DIR) {
			it->value = talloc_asprintf(c, "%s/autoenroll/machine",
						    state_dir ? state_dir : "/var/lib/samba");
		} else if (!no_default_value(i)) {
			it->value = talloc_strdup(c, defs[i].default_text);
		}
		if (it->value == NULL && !no_default_value(i)) {
			return AE_ERR_NOMEM;
		}
		if (it->value != NULL) {
			err = validate(c, (enum ae_config_option)i, it->value, why, why_len);
			if (err != AE_OK) {
				return err;
			}
		}
	}
	c->store_dir = c->items[AE_OPT_STORE_DIR].value;
	c->key_type = c->items[AE_OPT_KEY_TYPE].value;
	c->dc = c->items[AE_OPT_DC].value;
	c->trust_dir = c->items[AE_OPT_TRUST_DIR].value;
	c->trust_command = c->items[AE_OPT_TRUST_COMMAND].value;
	c->intermediates_file = c->items[AE_OPT_INTERMEDIATES_FILE].value;
	c->hooks_dir = c->items[AE_OPT_HOOKS_DIR].value;
	return AE_OK;
}

ae_err ae_config_load(TALLOC_CTX *mem_ctx, const struct ae_smbconf *sc,
		      const char *const *options, const char *state_dir,
		      struct ae_config **_c, char *why, size_t why_len)
{
	struct ae_config *c = talloc_zero(NULL, struct ae_config);
	char **names = NULL;
	size_t n = 0, i;
	ae_err err;

	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	err = fill(c, sc, options, state_dir, why, why_len);
	if (err == AE_OK) {
		err = global_names(c, sc, &names, &n);
	}
	if (err == AE_OK) {
		err = ae_config_deploy_load(c, sc, names, n, why, why_len);
	}
	if (err == AE_OK) {
		err = ae_config_key_storage_load(c, sc, names, n, why, why_len);
	}
	for (i = 0; err == AE_OK && i < n; i++) {
		if (!is_known(names[i])) {
			err = add_name(c, &c->unknown, &c->num_unknown, names[i]);
		}
	}
	talloc_free(names);
	if (err != AE_OK) {
		talloc_free(c);
		return err;
	}
	*_c = talloc_steal(mem_ctx, c);
	return AE_OK;
}

bool ae_config_key_type_valid(const char *s)
{
	struct ae_key_spec spec;

	return ae_key_spec_parse(s, &spec) == AE_OK;
}

/*
 * The key for template t: an override (--key-type) wins; else a schema 3/4
 * template that names its algorithm decides ([MS-CRTD] 2.23.2, through
 * ae_enroll_template_key_spec); else autoenroll:key type. RSA sizes are
 * raised to msPKI-Minimal-Key-Size.
 */
ae_err ae_config_key_spec(const struct ae_config *c, const char *override,
			  const char *override_name, const struct ae_template *t,
			  struct ae_key_spec *out, char *why, size_t why_len)
{
	const char *from = override != NULL ? override_name : "autoenroll:key type";
	const char *type = override != NULL ? override : c->key_type;
	bool from_template = false;
	struct ae_key_spec spec;
	ae_err err = AE_ERR_NOT_FOUND;

	if (override == NULL) {
		err = ae_enroll_template_key_spec(t, &spec);
	}
	if (err == AE_OK) {
		from_template = true;
		from = "the template's msPKI-Asymmetric-Algorithm";
		type = t->ra.asymmetric_algorithm;
	} else if (err != AE_ERR_NOT_FOUND) {
		snprintf(why, why_len, "template %s: msPKI-Asymmetric-Algorithm '%s' is not a "
			 "signature algorithm this client generates (RSA, ECDSA_P256, ECDSA_P384, "
			 "ECDSA_P521)", t->cn, t->ra.asymmetric_algorithm);
		return AE_ERR_UNSUPPORTED;
	} else if (ae_key_spec_parse(type, &spec) != AE_OK) {
		snprintf(why, why_len, "template %s: invalid key type '%s' (%s); expected rsa:N, "
			 "ec:p256, ec:p384 or ec:p521", t->cn, type, from);
		return AE_ERR_INVALID;
	}
	if (spec.kind == AE_KEY_EC && t->min_key_size > spec.bits && !from_template) {
		/* a v1/v2 (CSP) template asks for RSA sizes; EC needs a CNG template */
		snprintf(why, why_len, "template %s requires keys of at least %u bits "
			 "(msPKI-Minimal-Key-Size); %s %s does not qualify: use rsa:N or a "
			 "template made for ECDSA", t->cn, t->min_key_size, from, type);
		return AE_ERR_INVALID;
	}
	err = ae_key_spec_apply_minimum(&spec, t->min_key_size);
	if (err == AE_ERR_INVALID) {
		snprintf(why, why_len, "template %s: key type %s (%s) cannot be generated by "
			 "this build", t->cn, type, from);
		return AE_ERR_UNSUPPORTED;
	}
	if (err != AE_OK) {
		snprintf(why, why_len, "template %s: key type %s (%s) cannot meet the template's "
			 "minimum key size %u", t->cn, type, from, t->min_key_size);
		return AE_ERR_UNSUPPORTED;
	}
	*out = spec;
	return AE_OK;
}
