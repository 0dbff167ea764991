/*
 * ae_userid.h: who a domain user is on this host, for the user context
 * (`autoenroll run --user NAME`).
 *
 * The name a person types ("alice", "LAB\alice", "alice@lab.example.com")
 * is validated and split; the account is looked up through NSS
 * (getpwnam_r: uid, gid, home) and its SID through winbind (wbcUidToSid),
 * which also proves the account is a domain user: a local account has no
 * SID in winbind. winbind's name for that SID (wbcLookupSid) must be the
 * account asked for, in this domain, and of type user.
 */
#ifndef AE_USERID_H
#define AE_USERID_H

#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_USERID_NAME_MAX 256	/* the whole NAME as given */
#define AE_USERID_SAM_MAX 64	/* the account part (AD allows 20 for users) */
#define AE_USERID_SID_MAX 184	/* S-1-5-21-a-b-c-rid with 15 sub-authorities */

struct ae_user_id {
	char *name;	/* the sAMAccountName part, as AD spells it: "alice" */
	char *domain;	/* the NetBIOS domain winbind names: "LAB" */
	char *nss_name;	/* the name NSS knows (pw_name): for the group list */
	uid_t uid;
	gid_t gid;
	char *home;
	char *sid;	/* "S-1-5-21-...", checked by ae_userid_sid_ok */
};

/* The domain this host is a member of (smb.conf), for the name checks. */
struct ae_userid_domain {
	const char *workgroup;	/* NetBIOS domain name, e.g. "LAB" */
	const char *realm;	/* e.g. "LAB.EXAMPLE.COM" */
	char separator;		/* 'winbind separator', '\\' by default */
};

/*
 * Split and validate a user name: "alice", "DOMAIN\alice" or
 * "alice@dns.domain". At most AE_USERID_NAME_MAX bytes, no control
 * characters, no '/'; the account part non-empty, at most
 * AE_USERID_SAM_MAX bytes, without the characters AD refuses in a
 * sAMAccountName ("/\[]:;|=,+*?<>@), not "." or "..". *_domain is NULL
 * when none was given. AE_ERR_INVALID with 'why' naming the problem.
 */
ae_err ae_userid_parse(TALLOC_CTX *mem, const char *name, char **_domain, char **_sam,
		       char *why, size_t why_len);

/*
 * A domain part, if any, names this domain: the NetBIOS name (with
 * '\') or the realm (with '@'), compared without case.
 */
bool ae_userid_domain_matches(const struct ae_userid_domain *d, const char *domain);

/* "S-1-5-21-" then decimal sub-authorities separated by single dashes, capped. */
bool ae_userid_sid_ok(const char *sid);

/*
 * Resolve a user: by name (name != NULL) or by uid (name NULL: the calling
 * user). AE_ERR_CONFIG with 'why' when the name is invalid, unknown to NSS,
 * of another domain, or not a domain user (winbind has no SID for its
 * uid) or winbindd is not running.
 */
ae_err ae_userid_resolve(TALLOC_CTX *mem, const char *name, uid_t uid,
			 const struct ae_userid_domain *d, struct ae_user_id **_u,
			 char *why, size_t why_len);

#endif
