/*
 * ae_creds_cache.h: the machine's Kerberos ticket cache kept between runs.
 *
 * One FILE ccache per machine, <run_dir>/krb5cc.machine (0600, in the
 * root-only 0700 run directory), holds the machine account's TGT and the
 * service tickets GSSAPI adds to it. A run reuses it while its TGT
 * (krbtgt/REALM@REALM, RFC 4120 section 7.3) belongs to the machine
 * principal and stays valid for more than AE_CCACHE_MARGIN_S: no KDC
 * exchange and no secrets.tdb read. Otherwise a new TGT is obtained with
 * MIT krb5 (the machine password from secrets.tdb, the KDC over TCP only)
 * into <run_dir>/krb5cc.<pid> and renamed over krb5cc.machine, so a
 * concurrent run sees the old complete cache or the new complete one.
 */
#ifndef AE_CREDS_CACHE_H
#define AE_CREDS_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_smbconf;

#define AE_CCACHE_MACHINE "krb5cc.machine"	/* the kept cache in the run dir */
#define AE_CCACHE_MARGIN_S 600			/* renew when the TGT ends sooner */
#define AE_KRB5_TCP_PROFILE "krb5-tcp.conf"	/* [libdefaults] udp_preference_limit = 1 */

enum ae_ccache_verdict {
	AE_CCACHE_REUSE = 0,		/* valid long enough: use it as it is */
	AE_CCACHE_RENEW_UNREADABLE,	/* missing, corrupt, or not a file of ours */
	AE_CCACHE_RENEW_PRINCIPAL,	/* another client principal */
	AE_CCACHE_RENEW_NO_TGT,		/* no TGT of the machine's realm in it */
	AE_CCACHE_RENEW_EXPIRING,	/* the TGT ends within the margin (or has ended) */
};

/* What a ccache holds, as ae_ccache_inspect read it. */
struct ae_ccache_info {
	const char *principal;	/* its client principal; NULL: unreadable */
	bool has_tgt;		/* krbtgt/<realm>@<realm> of the wanted realm found */
	int64_t tgt_end;	/* that TGT's endtime (epoch seconds) */
};

/*
 * The reuse decision (pure): REUSE iff info names want_principal (compared
 * without case, as Active Directory does), holds a TGT of that principal's
 * realm and that TGT ends more than margin seconds after now.
 */
enum ae_ccache_verdict ae_ccache_decide(const char *want_principal,
					const struct ae_ccache_info *info,
					int64_t now, int64_t margin);

/* A short English reason for a verdict ("valid", "another principal", ...). */
const char *ae_ccache_verdict_str(enum ae_ccache_verdict v);

/*
 * Read the FILE ccache at path (a regular file of ours, mode 0600, not a
 * link: else info->principal stays NULL) for its client principal and the
 * TGT of realm. Never fails for a bad cache (that is a verdict); AE_ERR_NOMEM only.
 */
ae_err ae_ccache_inspect(TALLOC_CTX *mem_ctx, const char *path, const char *realm,
			 struct ae_ccache_info **_info);

/*
 * Any ccache krb5 opens ("FILE:/...", "KEYRING:...", "KCM:", a bare path)
 * read with MIT krb5: its client principal and its TGT of realm (NULL: not
 * looked for). AE_ERR_CREDENTIALS with krb5's message in 'why' when it
 * cannot be opened or holds no principal; *_info set only on success.
 */
ae_err ae_ccache_read(TALLOC_CTX *mem_ctx, const char *name, const char *realm,
		      struct ae_ccache_info **_info, char *why, size_t why_len);
/*
 * The machine password of domain (NetBIOS name) from <private_dir>/secrets.tdb,
 * read with libtdb (the key SECRETS/MACHINE_PASSWORD/<DOMAIN>), without
 * Samba's secrets.ldb probe. The file must be a regular file owned by root
 * (or us) and not writable by others. *_pw is a talloc string on mem_ctx
 * whose destructor wipes it; it never reaches a log. AE_ERR_CREDENTIALS
 * with 'why' naming the file otherwise.
 */
ae_err ae_machine_password(TALLOC_CTX *mem_ctx, const char *private_dir, const char *domain,
			   char **_pw, char *why, size_t why_len);

/*
 * A new TGT for principal (the machine account, password from secrets.tdb
 * of lp) through MIT krb5, the KDC asked over TCP only, written to
 * <run_dir>/krb5cc.<pid> (0600) and renamed over <run_dir>/krb5cc.machine.
 * AE_ERR_TRANSPORT when no KDC could be reached, AE_ERR_CREDENTIALS
 * otherwise; 'why' names the principal, the realm and the cause.
 */
ae_err ae_ccache_kinit(const struct ae_smbconf *sc, const char *run_dir, const char *principal,
		       char *why, size_t why_len);

/*
 * Point this process's krb5 libraries at <run_dir>/krb5-tcp.conf (created
 * when missing) before the configuration they read already (KRB5_CONFIG,
 * else /etc/krb5.conf): the KDC is asked over TCP directly (an AS-REP or
 * TGS-REP with a PAC does not fit a UDP datagram, RFC 4120 section 7.2.1).
 * Children never see it (util/ae_child.c gives them a fixed environment).
 */
ae_err ae_krb5_tcp_profile(const char *run_dir);

#endif
