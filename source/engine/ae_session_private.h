/*
 * ae_session_private.h: the user context's part of ae_session_open
 * (ae_session_user.c).
 */
#ifndef AE_SESSION_PRIVATE_H
#define AE_SESSION_PRIVATE_H

#include "ae_session.h"

/*
 * o->user set: resolve the user (NSS + winbind), then as root prepare the
 * user's store and cache directories and drop to the user for good; not
 * as root, check they exist and are ours. Sets the user context's fields
 * (context, sam_account_name, account, store_dir, gpo_cache_dir, run_dir,
 * user) and points Samba's cache/lock/state directories at the user's
 * cache. AE_ERR_CONFIG (s->error says why) for a user that is not a
 * domain user, a refused directory, root without a NAME.
 */
ae_err ae_session_user_open(struct ae_session *s, const struct ae_session_opts *o);

/* The user's ccache (--ccache, else KRB5CCNAME, else krb5's default for the uid). */
ae_err ae_session_user_creds(struct ae_session *s, const struct ae_session_opts *o);

#endif
