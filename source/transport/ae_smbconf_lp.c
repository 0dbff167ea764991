/*
 * ae_smbconf_lp.c: smb.conf through Samba's loadparm, in the network
 * module (ae_smbconf.h): the load, the values copied out, the loadparm
 * context for the code that needs one, and Samba's debug output routed to
 * our logger once Samba's libraries are mapped.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <param.h>
#include <util/debug.h>
#include "ae_log.h"
#include "ae_smbconf.h"
#include "ae_netmod.h"

static void samba_debug(void *priv, int level, const char *msg)
{
	size_t n = strlen(msg);

	(void)priv;
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
		n--;
	}
	if (n > 0) {
		/* Samba's level 0 is its loudest; ours starts at debug (3) */
		ae_log(level < 0 ? 3 : 3 + (level > 100 ? 100 : level), "samba: %.*s", (int)n, msg);
	}
}

void ae_samba_debug_route(void)
{
	static void *h;
	void (*set_callback)(void *, debug_callback_fn);
	void (*set_level)(size_t, int);
	int level = ae_log_get_level() - 3;

	/*
	 * debug_set_callback() is Samba's public debug.h API, but the symbol
	 * lives in a private library (libsamba-debug-samba4, a dependency of
	 * this module) whose symbol version names the exact Samba release:
	 * looked up at run time, the module keeps working across Samba
	 * updates. With a callback, setup_logging() elsewhere (libsmbclient)
	 * cannot take the output back: DEBUG_CALLBACK has the highest priority.
	 * smb.conf's "log level" is overridden: Samba's threshold follows ours.
	 */
	if (h == NULL) {
		h = dlopen("libsamba-debug-samba4.so.0", RTLD_NOW | RTLD_NOLOAD);
		if (h == NULL) {
			AE_DEBUG("Samba's debug library is not loaded: its output is not routed");
			return;
		}
		*(void **)&set_callback = dlsym(h, "debug_set_callback");
		if (set_callback != NULL) {
			set_callback(NULL, samba_debug);
		}
	}
	*(void **)&set_level = dlsym(h, "debuglevel_set_class");
	if (set_level != NULL) {
		set_level(0 /* DBGC_ALL */, level > 0 ? level : 0);
	}
}

static ae_err load(TALLOC_CTX *mem, const char *file, const char *const *options,
		   struct loadparm_context **_lp, char *why, size_t why_len)
{
	/* a context of the session's own, handed to every Samba call that needs one */
	struct loadparm_context *lp = loadparm_init(mem);
	size_t i;

	ae_samba_debug_route();
	if (lp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (file != NULL ? !lpcfg_load(lp, file) : !lpcfg_load_default(lp)) {
		ae_why(why, why_len, "cannot load the configuration %s",
		       file != NULL ? file : "(Samba's default smb.conf)");
		talloc_free(lp);
		return AE_ERR_CONFIG;
	}
	for (i = 0; options != NULL && options[i] != NULL; i++) {
		if (!lpcfg_set_option(lp, options[i])) {
			ae_why(why, why_len, "invalid --option '%s' (expected name=value)",
			       options[i]);
			talloc_free(lp);
			return AE_ERR_CONFIG;
		}
	}
	*_lp = lp;
	return AE_OK;
}

/* A global string parameter ("state directory", ...) as a copy on mem, "" when unset. */
static char *global_string(TALLOC_CTX *mem, struct loadparm_context *lp, const char *name)
{
	struct parm_struct *parm = lpcfg_parm_struct(lp, name);
	char **value = parm != NULL ? lpcfg_parm_ptr(lp, NULL, parm) : NULL;

	return talloc_strdup(mem, value != NULL && *value != NULL ? *value : "");
}

static char *str(TALLOC_CTX *mem, const char *s)
{
	return talloc_strdup(mem, s != NULL ? s : "");
}

/* lpcfg_dump of [global] (services 0) or everything, as a talloc string */
static ae_err dump(TALLOC_CTX *mem, struct loadparm_context *lp, int services, char **_text,
		   size_t *_len)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL) {
		return AE_ERR_NOMEM;
	}
	lpcfg_dump(lp, f, false, services);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		return AE_ERR_NOMEM;
	}
	if (len > AE_SMBCONF_DUMP_MAX) {
		free(text);
		return AE_ERR_TOO_LARGE;
	}
	*_text = talloc_memdup(mem, text, len + 1);
	*_len = len;
	free(text);
	return *_text != NULL ? AE_OK : AE_ERR_NOMEM;
}

/* a line "<name> = ..." in the dump (any section) */
static bool dump_names(const char *text, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *q = p;
		size_t l = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		while (q < p + l && isspace((unsigned char)*q)) {
			q++;
		}
		if ((size_t)(p + l - q) > n + 2 && strncasecmp(q, name, n) == 0 &&
		    strncmp(q + n, " =", 2) == 0) {
			return true;
		}
		p += l + 1;
	}
	return false;
}

static ae_err fill(struct ae_smbconf *c, struct loadparm_context *lp)
{
	Dl_info info;
	ae_err err;

	c->configfile = str(c, lpcfg_configfile(lp));
	c->realm = str(c, lpcfg_realm(lp));
	c->dnsdomain = str(c, lpcfg_dnsdomain(lp));
	c->netbios_name = str(c, lpcfg_netbios_name(lp));
	c->private_dir = str(c, lpcfg_private_dir(lp));
	c->workgroup = global_string(c, lp, "workgroup");
	c->password_server = global_string(c, lp, "password server");
	c->winbind_separator = global_string(c, lp, "winbind separator");
	c->state_dir = global_string(c, lp, "state directory");
	c->cache_dir = global_string(c, lp, "cache directory");
	if (c->configfile == NULL || c->realm == NULL || c->dnsdomain == NULL ||
	    c->netbios_name == NULL || c->private_dir == NULL || c->workgroup == NULL ||
	    c->password_server == NULL || c->winbind_separator == NULL || c->state_dir == NULL ||
	    c->cache_dir == NULL) {
		return AE_ERR_NOMEM;
	}
	err = dump(c, lp, 0, &c->globals, &c->globals_len);
	if (err == AE_OK) {
		err = dump(c, lp, lpcfg_numservices(lp), &c->dump, &c->dump_len);
	}
	if (err != AE_OK) {
		return err;
	}
	/* what loadparm read besides the file: its values are not the file's bytes alone */
	c->self_contained = !dump_names(c->dump, c->dump_len, "include") &&
			    !dump_names(c->dump, c->dump_len, "config file") &&
			    !dump_names(c->dump, c->dump_len, "config backend");
	if (dladdr((void *)lpcfg_load, &info) != 0 && info.dli_fname != NULL) {
		c->lib_path = talloc_strdup(c, info.dli_fname);
	}
	return AE_OK;
}

ae_err ae_smbconf_load(TALLOC_CTX *mem_ctx, const char *file, const char *const *options,
		       struct ae_smbconf **_c, char *why, size_t why_len)
{
	struct ae_smbconf *c = talloc_zero(mem_ctx, struct ae_smbconf);
	ae_err err;

	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	c->file = file;
	c->options = options;
	err = load(c, file, options, &c->lp, why, why_len);
	if (err == AE_OK) {
		err = fill(c, c->lp);
		if (err == AE_ERR_TOO_LARGE) {
			ae_why(why, why_len, "the configuration %s is larger than %u bytes",
			       c->configfile ? c->configfile : "?", AE_SMBCONF_DUMP_MAX);
			err = AE_ERR_CONFIG;
		} else if (err != AE_OK) {
			ae_why(why, why_len, "out of memory reading the configuration");
		}
	}
	if (err != AE_OK) {
		talloc_free(c);
		return err;
	}
	*_c = c;
	return AE_OK;
}

ae_err ae_smbconf_lp_load(struct ae_smbconf *c, char *why, size_t why_len)
{
	ae_err err = AE_OK;

	if (c == NULL) {
		return AE_ERR_INVALID;
	}
	if (c->lp == NULL) {
		err = load(c, c->file, c->options, &c->lp, why, why_len);
	}
	for (; err == AE_OK && c->applied < c->num_overrides; c->applied++) {
		const struct ae_smbconf_override *o = &c->overrides[c->applied];
		if (!lpcfg_set_cmdline(c->lp, o->name, o->value)) {
			ae_why(why, why_len, "cannot set Samba's %s to %s", o->name, o->value);
			err = AE_ERR_CONFIG;
		}
	}
	return err;
}
