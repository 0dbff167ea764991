/*
 * ae_gpolist.h: the GPO list of a principal as MS-GPOL 3.2.5.1.5-3.2.5.1.6
 * and 3.2.5.2 compute it, as a pure function over plain structs. The caller
 * reads the directory (SOMs with gPLink/gPOptions, the GPO objects with
 * their nTSecurityDescriptor, the principal's token) and fills them in;
 * nothing here does I/O.
 *
 * Order of the result (lowest precedence first: apply in order, the last
 * writer wins):
 *   1. non-enforced links: site, domain, OU1 (top) ... OUn (closest); a SOM
 *      with gPOptions 1 (block inheritance) drops the non-enforced links of
 *      every SOM above it, not its own;
 *   2. then enforced links, never blocked: OUn (closest) ... OU1, domain,
 *      site, so the farthest enforced link is applied last and wins;
 *   3. within one SOM, in gPLink order: the first entry (the highest link
 *      order number) first, the last entry (link order 1) last.
 * A GPO linked more than once is kept at its last (winning) position only.
 * The local GPO of Windows has no counterpart here. See ae_gpolist.c for
 * the section references and where the spec text is ambiguous.
 */
#ifndef AE_GPOLIST_H
#define AE_GPOLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_gplink.h"
#include "ae_secdesc.h"
#include "ae_token.h"

#define AE_GPOLIST_SOMS_MAX	256	/* site + domain + OU depth */
#define AE_GPOLIST_GPOS_MAX	65536	/* GPO objects in the table */

/* GPO 'flags' (MS-GPOL 2.2.4) */
#define AE_GPO_FLAG_USER_DISABLED	0x1
#define AE_GPO_FLAG_MACHINE_DISABLED	0x2

/* gPCFunctionalityVersion a GPO must have (MS-GPOL 3.2.5.1.6) */
#define AE_GPO_FUNCTIONALITY_VERSION	2

enum ae_gpo_context {
	AE_GPO_CONTEXT_MACHINE,		/* computer policy mode: Machine\Registry.pol */
	AE_GPO_CONTEXT_USER,		/* user policy mode: User\Registry.pol */
};

enum ae_som_type {
	AE_SOM_SITE,
	AE_SOM_DOMAIN,
	AE_SOM_OU,
};

/* A scope of management and its links. */
struct ae_som {
	enum ae_som_type type;
	const char *dn;
	const struct ae_gplink *gplink;	/* parsed gPLink; NULL = no attribute */
	uint32_t gpoptions;		/* AE_GPOPTIONS_BLOCK_INHERITANCE */
};

/* A groupPolicyContainer as the GPO search (MS-GPOL 2.2.4) returned it. */
struct ae_gpo_object {
	const char *dn;			/* matched case-insensitively against links */
	const char *guid;		/* cn, "{GUID}" */
	const char *display_name;
	uint32_t flags;			/* AE_GPO_FLAG_* */
	uint32_t version_number;	/* machine low 16 bits, user high 16 bits */
	uint32_t functionality_version;	/* gPCFunctionalityVersion; must be 2 */
	const char *file_sys_path;	/* gPCFileSysPath */
	/* nTSecurityDescriptor (DACL needed); NULL = it could not be read */
	const struct ae_secdesc *sd;
	/* GPT.INI Version when already known, for the empty-GPO check */
	bool has_gpt_version;
	uint32_t gpt_version;
};

struct ae_gpolist_input {
	enum ae_gpo_context context;
	/*
	 * The SOM chain from the top: [site (may be absent)], domain, OU1 (the
	 * top-most OU), ..., OUn (the OU holding the object). Any order of
	 * types other than this is AE_ERR_INVALID.
	 */
	const struct ae_som *soms;
	size_t num_soms;
	const struct ae_gpo_object *gpos;	/* the objects the search returned */
	size_t num_gpos;
	const struct ae_token *token;		/* the policy target's token */
};

enum ae_gpo_exclusion {
	AE_GPO_EXCL_LINK_DISABLED,	/* link option 1 */
	AE_GPO_EXCL_BLOCKED,		/* non-enforced, above a SOM blocking inheritance */
	AE_GPO_EXCL_MISSING,		/* no GPO object for the link's DN */
	AE_GPO_EXCL_UNREADABLE,		/* object without a security descriptor */
	AE_GPO_EXCL_FUNCTIONALITY,	/* gPCFunctionalityVersion is not 2 */
	AE_GPO_EXCL_CONTEXT_DISABLED,	/* flags disable this side (machine/user) */
	AE_GPO_EXCL_DENIED_READ,	/* the token may not read it */
	AE_GPO_EXCL_DENIED_APPLY,	/* the token lacks Apply Group Policy */
	AE_GPO_EXCL_ACCESS_ERROR,	/* the access check failed (malformed input) */
	AE_GPO_EXCL_EMPTY,		/* this side's versions are 0 in the GPC and GPT */
	AE_GPO_EXCL_DUPLICATE,		/* linked again at a winning position */
};

struct ae_gpo_applied {
	const char *dn;
	const char *guid;
	const char *display_name;
	const char *file_sys_path;
	uint32_t version_number;
	uint16_t version;		/* this context's half of version_number */
	enum ae_som_type som_type;
	const char *som_dn;		/* the SOM of the link that placed it */
	uint32_t link_order;		/* GPMC link order at that SOM, 1 = highest */
	bool enforced;
	const char *why;		/* e.g. "linked to OU=Servers,DC=lab,DC=example (link order 1)" */
};

struct ae_gpo_excluded {
	const char *dn;			/* the link's GPO DN */
	const char *display_name;	/* NULL when the object is missing */
	const char *som_dn;
	enum ae_gpo_exclusion reason;
	const char *why;		/* a sentence for humans */
};

struct ae_gpolist {
	struct ae_gpo_applied *applied;	/* lowest precedence first */
	size_t num_applied;
	struct ae_gpo_excluded *excluded;/* in link processing order */
	size_t num_excluded;
};

/*
 * Compute the list. *_out and every string in it are allocated on mem_ctx
 * (copies: the input may be freed afterwards); set only on success.
 * Security filtering needs the token and each GPO's descriptor: a GPO is
 * kept only if the token is granted Read (the search would return it) and
 * Apply Group Policy (MS-GPOL 3.2.5.1.6). Errors: AE_ERR_INVALID (NULL
 * input or token, a bad SOM chain), AE_ERR_TOO_LARGE (above the caps),
 * AE_ERR_NOMEM.
 */
ae_err ae_gpolist_compute(TALLOC_CTX *mem_ctx, const struct ae_gpolist_input *in,
			  struct ae_gpolist **_out);

/*
 * Writers for the CLI (autoenroll policy): one JSON object
 * {"applied": [...], "excluded": [...]} (no newline), or text. They return
 * AE_ERR_IO when a write failed, AE_ERR_INVALID for NULL arguments.
 */
ae_err ae_gpolist_write_json(FILE *f, const struct ae_gpolist *l);
ae_err ae_gpolist_dump(FILE *f, const struct ae_gpolist *l);

/* "link-disabled", "blocked", ... */
const char *ae_gpo_exclusion_name(enum ae_gpo_exclusion reason);

/*
 * This context's half of a GPO version (versionNumber or GPT.INI Version,
 * versionNumber [MS-GPOL] 2.2.4 and GPT.INI alike: the computer version in the low 16 bits, the
 * user version in the high 16 bits).
 */
uint16_t ae_gpo_side_version(enum ae_gpo_context ctx, uint32_t v);

/*
 * The registry policy file of this context under the GPO's file system
 * path ([MS-GPREG]: one per policy mode, computer or user):
 * "Machine/Registry.pol" or "User/Registry.pol".
 */
const char *ae_gpo_registry_pol_file(enum ae_gpo_context ctx);

/* "site", "domain", "OU" */
const char *ae_som_type_name(enum ae_som_type type);

#endif
