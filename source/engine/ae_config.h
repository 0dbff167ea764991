/*
 * ae_config.h: every `autoenroll:*` smb.conf option, read in one place.
 *
 * The values come from Samba's loadparm (smb.conf and --option); this module
 * validates them once (paths absolute, the key type strict, names known) and
 * the rest of the code takes them from struct ae_config. Each value records
 * where it came from: the built-in default, smb.conf or --option.
 */
#ifndef AE_CONFIG_H
#define AE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_key.h"

struct ae_smbconf;
struct ae_target_spec;

enum ae_config_source {
	AE_CONFIG_DEFAULT = 0,
	AE_CONFIG_SMBCONF,
	AE_CONFIG_CMDLINE,	/* --option */
};

/* The options this project knows; the index into ae_config.items. */
enum ae_config_option {
	AE_OPT_STORE_DIR = 0,
	AE_OPT_KEY_TYPE,
	AE_OPT_DC,
	AE_OPT_TRUST_DIR,
	AE_OPT_TRUST_COMMAND,
	AE_OPT_INTERMEDIATES_FILE,
	AE_OPT_LOCK_WAIT,
	AE_OPT_USER_NSSDB,
	AE_OPT_MODE,
	AE_OPT_HOOKS_DIR,
	AE_OPT_HOOK,
	AE_OPT_HOOK_TIMEOUT,
	/* read by the samba-gpupdate extension (gpo/gp_autoenroll_ext.py) */
	AE_OPT_COMMAND,
	AE_OPT_COMMAND_TIMEOUT,
	AE_OPT_SAMBA_CERT_AUTO_ENROLL,
	/* where new keys live (ae_key_choice.c) and how the TPM is reached */
	AE_OPT_KEY_STORAGE,
	AE_OPT_TPM_TCTI,
	AE_OPT_NETWORK_TIMEOUT,		/* each network step's bound (ae_net_timeout.h) */
	AE_OPT_CYCLE_TIMEOUT,		/* the whole cycle's network steps (ae_net_timeout.h) */
	AE_OPT_COUNT
};

#define AE_TRUST_DIR_DEFAULT_PATH "/usr/local/share/ca-certificates/autoenroll"
#define AE_TRUST_COMMAND_DEFAULT "update-ca-certificates"
#ifndef AE_HOOKS_DIR_DEFAULT		/* the package may set it from its sysconfdir */
#define AE_HOOKS_DIR_DEFAULT "/etc/samba/autoenroll/hooks.d"
#endif
#define AE_HOOK_TIMEOUT_DEFAULT "60"
#define AE_NETWORK_TIMEOUT_DEFAULT "30"	/* seconds; AE_NET_TIMEOUT_DEFAULT_S */
#define AE_CYCLE_TIMEOUT_DEFAULT "300"	/* seconds; AE_NET_CYCLE_TIMEOUT_DEFAULT_S */
#define AE_CONFIG_DEPLOY_MAX 64		/* autoenroll:deploy <Template> options */
#define AE_CONFIG_UNKNOWN_MAX 64	/* unknown names reported at most */

/*
 * autoenroll:mode: domain (a joined member: DC, LDAP, GPO, Kerberos),
 * workgroup (not joined: only the local policy servers, password or
 * certificate authentication), auto (the default: workgroup when smb.conf
 * has no realm, else domain).
 */
enum ae_config_mode {
	AE_MODE_AUTO = 0,
	AE_MODE_DOMAIN,
	AE_MODE_WORKGROUP,
};

/* autoenroll:key storage (and its per-template form): file, tpm or auto. */
enum ae_key_storage {
	AE_KEY_STORAGE_AUTO = 0,
	AE_KEY_STORAGE_FILE,
	AE_KEY_STORAGE_TPM,
};

/* `autoenroll:key storage <Template> = file|tpm|auto` */
struct ae_key_storage_tpl {
	char *template_name;		/* lower case, as loadparm gives it */
	enum ae_key_storage storage;
};

#define AE_CONFIG_KEY_STORAGE_MAX 64	/* per-template key storage options */

struct ae_config_item {
	const char *name;		/* "autoenroll:store dir" */
	const char *value;		/* effective value; NULL: none (e.g. dc: located) */
	const char *default_text;	/* what the default is, for `autoenroll config` */
	enum ae_config_source source;
};

struct ae_config {
	/* effective values (never NULL unless noted) */
	const char *store_dir;		/* absolute */
	const char *key_type;		/* as written, e.g. "ec:p256" */
	struct ae_key_spec key_spec;	/* key_type parsed */
	const char *dc;			/* NULL: DNS SRV, password server, realm */
	const char *trust_dir;		/* absolute */
	const char *trust_command;	/* "none": run nothing */
	const char *intermediates_file;	/* NULL: <store dir>/intermediates.pem */
	unsigned lock_wait_s;		/* the store lock's bounded wait */
	/*
	 * autoenroll:user nssdb: in the user context, also put each
	 * certificate and key into the user's shared NSS database (Chromium,
	 * Evolution; ae_cycle_nssdb.c). Off by default: it is a second copy of
	 * the private key, in a database other programs write too, and the
	 * store's files stay the source of truth (NetworkManager, OpenVPN and
	 * most programs take paths). Its item's value stays NULL when not set,
	 * so that `autoenroll config` prints the default with that reason.
	 */
	bool user_nssdb;
	enum ae_config_mode mode;	/* autoenroll:mode */
	/*
	 * Deploy targets and hooks (machine context; ae_cycle_deploy.c):
	 * `autoenroll:deploy <Template> = key=PATH cert=PATH ...` one per
	 * template (ae_target.h), the hooks directory (run-parts rules,
	 * ae_hooks.h), `autoenroll:hook` (argv, no shell; argv[0] absolute; NULL
	 * when unset) and the timeout of each hook.
	 */
	struct ae_target_spec **deploy;
	size_t num_deploy;
	const char *hooks_dir;		/* absolute */
	char **hook_argv;
	unsigned hook_timeout_s;
	/*
	 * autoenroll:key storage (default auto) and its per-template overrides;
	 * autoenroll:tpm tcti (default device:/dev/tpmrm0), given to the
	 * request layer's TPM source (ae_key_tpm_configure) when loaded.
	 */
	enum ae_key_storage key_storage;
	struct ae_key_storage_tpl *key_storage_tpl;
	size_t num_key_storage_tpl;
	unsigned network_timeout_s;	/* autoenroll:network timeout, 1..300 */
	unsigned cycle_timeout_s;	/* autoenroll:cycle timeout, 10..3600 */
	struct ae_config_item items[AE_OPT_COUNT];
	char **unknown;			/* autoenroll:* names nobody reads, as written */
	size_t num_unknown;
};

struct ae_template;

/*
 * The key for a new request of template t. A CNG template (schema 3/4) that
 * names an ECDSA algorithm (MS-CRTD 2.23.2, msPKI-Asymmetric-Algorithm)
 * decides the curve when override is NULL; otherwise the key type is
 * override (--key-type, named override_name in messages) or the option
 * autoenroll:key type, honoured as given: an EC key for a template whose
 * msPKI-Minimal-Key-Size asks for more bits than the curve has is refused
 * (never silently replaced by RSA), an RSA size below the minimum is raised
 * to it. Errors -> AE_ERR_INVALID / AE_ERR_UNSUPPORTED, why names the
 * template, the option and the value.
 */
ae_err ae_config_key_spec(const struct ae_config *c, const char *override,
			  const char *override_name, const struct ae_template *t,
			  struct ae_key_spec *out, char *why, size_t why_len);

/* true if s is a key type ae_key_spec_parse accepts (for --key-type) */
bool ae_config_key_type_valid(const char *s);

/* "default", "smb.conf", "--option" */
const char *ae_config_source_name(enum ae_config_source s);

/*
 * Read and validate every autoenroll:* option of smb.conf's [global] section (sc).
 * options: the --option NAME=VALUE strings given (to tell --option from
 * smb.conf), NULL-terminated or NULL. state_dir: Samba's state directory
 * (the store's default parent). On a bad value -> AE_ERR_CONFIG with why
 * naming the option and the value; *_c is set only on success. Unknown
 * autoenroll:* names are not an error: they are listed in (*_c)->unknown.
 */
ae_err ae_config_load(TALLOC_CTX *mem_ctx, const struct ae_smbconf *sc,
		      const char *const *options, const char *state_dir,
		      struct ae_config **_c, char *why, size_t why_len);

/*
 * The autoenroll:* option names in a text of "name = value" lines (the
 * [global] section as lpcfg_dump writes it), normalised (lower case, single
 * spaces, none around ':'), on mem_ctx, NULL-terminated. Exposed for tests.
 */
ae_err ae_config_names_from_dump(TALLOC_CTX *mem_ctx, const char *text, size_t len,
				 char ***_names, size_t *_n);

/* ae_config_deploy.c: an "autoenroll:deploy <Template>" name (normalised) */
bool ae_config_deploy_name(const char *name);

/* ae_config_key.c: `autoenroll:key storage <Template>` (a name as loadparm gives it) */
bool ae_config_key_storage_name(const char *name);
/* "file", "tpm" or "auto" -> *out (only on success; case-insensitive) */
bool ae_config_key_storage_parse(const char *v, enum ae_key_storage *out);
const char *ae_config_key_storage_word(enum ae_key_storage s);
/* the per-template options among names; AE_ERR_CONFIG with why on a bad value */
ae_err ae_config_key_storage_load(struct ae_config *c, const struct ae_smbconf *sc,
				  char *const *names, size_t n, char *why, size_t why_len);
/* The storage for template t and the option that says so (*_from, static or on c). */
enum ae_key_storage ae_config_key_storage_for(const struct ae_config *c, const char *t,
					      const char **_from);
/* ae_config_deploy.c: each such name of names[] parsed into c->deploy (why names the option) */
ae_err ae_config_deploy_load(struct ae_config *c, const struct ae_smbconf *sc,
			     char *const *names, size_t n, char *why, size_t why_len);
/* The deploy target of template t (case-insensitive), or NULL. */
const struct ae_target_spec *ae_config_deploy_for(const struct ae_config *c, const char *t);

/* Normalise an option name as above into buf; false if it does not fit. */
bool ae_config_normalise_name(const char *in, size_t in_len, char *buf, size_t n);

#endif
