/*
 * ae_token.h: the SIDs of a security principal, as the access check sees
 * them (MS-DTYP 2.5.2: the token / authorization context).
 *
 * For autoenrollment the principal is the machine account (or a user): its
 * objectSid, the constructed tokenGroups of its own object (which Active
 * Directory expands transitively: nested groups are in it) and its primary
 * group. A real Windows token also carries SIDs the directory does not
 * list; ae_token_add_implicit() adds the two that matter for template and
 * GPO ACLs, Everyone (S-1-1-0) and Authenticated Users (S-1-5-11). It
 * deliberately leaves out the logon-type and other context SIDs a Windows
 * token may hold (This Organization S-1-5-15, Network S-1-5-2, Service,
 * Interactive, ...): they depend on how the CA or DC sees the logon, and
 * granting on them would make the prediction more generous than the CA.
 * Callers who know better add them with ae_token_add_group().
 *
 * No group attributes are modelled (every SID is enabled, none deny-only).
 */
#ifndef AE_TOKEN_H
#define AE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_sid.h"

/* Groups in one token; Windows itself stops at 1015. */
#define AE_TOKEN_GROUPS_MAX 4096u

struct ae_token {
	struct ae_sid user;
	struct ae_sid *groups;		/* talloc child of the token */
	size_t num_groups;
};

/*
 * A token for user (the account SID) with no groups, on mem_ctx; NULL when
 * out of memory. Tokens must come from here: the functions below grow the
 * groups array on the token.
 */
struct ae_token *ae_token_new(TALLOC_CTX *mem_ctx, const struct ae_sid *user);

/*
 * Add sid to the groups unless the token already has it (as user or
 * group): then nothing changes and the result is AE_OK.
 * AE_ERR_TOO_LARGE past AE_TOKEN_GROUPS_MAX groups, AE_ERR_NOMEM.
 */
ae_err ae_token_add_group(struct ae_token *t, const struct ae_sid *sid);

/*
 * Add one binary SID, p[0..len) exactly (a tokenGroups or objectSid value):
 * AE_ERR_PARSE if it is not one SID, AE_ERR_TRAILING if bytes follow it.
 */
ae_err ae_token_add_group_blob(struct ae_token *t, const uint8_t *p, size_t len);

/* Add Everyone and Authenticated Users (see above). */
ae_err ae_token_add_implicit(struct ae_token *t);

/* True when sid is the token's user or one of its groups. */
bool ae_token_has(const struct ae_token *t, const struct ae_sid *sid);

#endif
