/*
 * ae_smbconf.h: what the programs take from smb.conf, as plain values.
 *
 * Samba's loadparm (libsamba-hostconfig) brings libsamba-util, ICU and
 * libstdc++, and its first load costs more than the rest of a no-op run's
 * own work. The programs therefore never link it: loadparm lives in the
 * network module (ae-net.so, ae_netmod.h), and what a run needs of it is
 * copied into this struct: the global values below and the [global]
 * section as loadparm prints it (parametric options such as
 * autoenroll:store dir, the names for the unknown-option warning).
 *
 * The engine keeps a snapshot of the struct (engine/ae_smbconf_snap.c) for
 * the next run, so that a run whose smb.conf is the same bytes does not
 * load loadparm at all; the code that needs a real loadparm context
 * (MS-ICPR, Samba's credentials) asks for it with ae_smbconf_lp_load,
 * which loads it then.
 */
#ifndef AE_SMBCONF_H
#define AE_SMBCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

struct loadparm_context;

#define AE_SMBCONF_DUMP_MAX (1u << 20)	/* a larger smb.conf dump is refused */

/* a --option of the session's own, set after the load (the user's directories) */
struct ae_smbconf_override {
	const char *name;
	const char *value;
};

struct ae_smbconf {
	/* what loadparm is given: -s (NULL: Samba's default) and --option name=value */
	const char *file;
	const char *const *options;
	/* what it gave ("" when unset); talloc children of the struct */
	char *configfile;		/* the file it read */
	char *realm;
	char *dnsdomain;
	char *netbios_name;
	char *workgroup;
	char *password_server;
	char *winbind_separator;
	char *state_dir;
	char *cache_dir;
	char *private_dir;
	char *globals;			/* [global] as lpcfg_dump prints it, no defaults */
	size_t globals_len;
	char *dump;			/* every section; freed once the engine has its SHA-256 */
	size_t dump_len;
	uint8_t dump_sha256[32];	/* SHA-256 of dump (set by the engine) */
	/*
	 * true when loadparm read smb.conf alone: no include, config file or
	 * registry configuration, so the file's bytes decide every value
	 */
	bool self_contained;
	char *lib_path;			/* libsamba-hostconfig that computed it (defaults) */
	bool from_snapshot;
	/* after the load */
	struct ae_smbconf_override *overrides;
	size_t num_overrides;
	size_t applied;			/* overrides already set in lp */
	struct loadparm_context *lp;	/* NULL until ae_smbconf_lp_load */
};

/*
 * Load smb.conf (file NULL: Samba's default) and the --option settings
 * (NULL-terminated, may be NULL) with loadparm and copy the values into a
 * new struct on mem_ctx, its lp set. AE_ERR_CONFIG with 'why' naming the
 * file or the option. In the network module.
 */
ae_err ae_smbconf_load(TALLOC_CTX *mem_ctx, const char *file, const char *const *options,
		       struct ae_smbconf **_c, char *why, size_t why_len);

/*
 * c->lp, loaded now from c->file and c->options when c came from a
 * snapshot, with the overrides not yet applied set (lpcfg_set_cmdline).
 * In the network module (the stub loads it).
 */
ae_err ae_smbconf_lp_load(struct ae_smbconf *c, char *why, size_t why_len);

/*
 * A session's own setting of a global parameter after the load ("cache
 * directory", "lock directory", "state directory"): the field follows,
 * and lp gets it when it is (or was) loaded.
 */
ae_err ae_smbconf_set(struct ae_smbconf *c, const char *name, const char *value);

/*
 * The parametric option type:option of [global] ("autoenroll", "store
 * dir"), compared as loadparm does (no case, no white space), or NULL.
 */
const char *ae_smbconf_parm(const struct ae_smbconf *c, const char *type, const char *option);

/* s, or NULL when s is NULL or "" */
const char *ae_smbconf_or_null(const char *s);

#endif
