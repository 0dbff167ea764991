/*
 * ae_userid.c: a domain user's identity (ae_userid.h): the name checked,
 * NSS for the POSIX account, winbind for the SID.
 */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wbclient.h>
#include "ae_userid.h"
#include "ae_log.h"

#define PW_BUF_MAX (1024 * 1024)

static bool has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			return true;
		}
	}
	return false;
}

/* the account part: what a sAMAccountName may be */
static bool sam_ok(const char *sam, size_t len)
{
	size_t i;

	if (len == 0 || len > AE_USERID_SAM_MAX ||
	    (len == 1 && sam[0] == '.') || (len == 2 && sam[0] == '.' && sam[1] == '.')) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (strchr("\"/\\[]:;|=,+*?<>@", sam[i]) != NULL) {
			return false;
		}
	}
	return true;
}

ae_err ae_userid_parse(TALLOC_CTX *mem, const char *name, char **_domain, char **_sam,
		       char *why, size_t why_len)
{
	const char *bs, *at, *sam;
	char *domain = NULL, *s = NULL;
	size_t len, sam_len;

	if (name == NULL || name[0] == '\0') {
		ae_why(why, why_len, "empty user name");
		return AE_ERR_INVALID;
	}
	len = strnlen(name, AE_USERID_NAME_MAX + 1);
	if (len > AE_USERID_NAME_MAX || has_control(name) || strchr(name, '/') != NULL) {
		ae_why(why, why_len, "invalid user name (longer than %d bytes, a control character "
		       "or '/')", AE_USERID_NAME_MAX);
		return AE_ERR_INVALID;
	}
	bs = strchr(name, '\\');
	at = strrchr(name, '@');
	if (bs != NULL && at != NULL) {
		ae_why(why, why_len, "invalid user name '%s': DOMAIN\\NAME or NAME@DOMAIN, not both",
		       name);
		return AE_ERR_INVALID;
	}
	if (bs != NULL) {
		domain = talloc_strndup(mem, name, (size_t)(bs - name));
		sam = bs + 1;
		sam_len = strlen(sam);
	} else if (at != NULL) {
		domain = talloc_strdup(mem, at + 1);
		sam = name;
		sam_len = (size_t)(at - name);
	} else {
		sam = name;
		sam_len = len;
	}
	if ((bs != NULL || at != NULL) && (domain == NULL || domain[0] == '\0')) {
		ae_why(why, why_len, "invalid user name '%s': empty domain part", name);
		talloc_free(domain);
		return domain == NULL ? AE_ERR_NOMEM : AE_ERR_INVALID;
	}
	if (!sam_ok(sam, sam_len)) {
		ae_why(why, why_len, "invalid user name '%s': the account part must be 1 to %d "
		       "bytes without any of \"/\\[]:;|=,+*?<>@", name, AE_USERID_SAM_MAX);
		talloc_free(domain);
		return AE_ERR_INVALID;
	}
	s = talloc_strndup(mem, sam, sam_len);
	if (s == NULL) {
		talloc_free(domain);
		return AE_ERR_NOMEM;
	}
	*_domain = domain;
	*_sam = s;
	return AE_OK;
}

bool ae_userid_domain_matches(const struct ae_userid_domain *d, const char *domain)
{
	return domain == NULL ||
	       (d->workgroup != NULL && strcasecmp(domain, d->workgroup) == 0) ||
	       (d->realm != NULL && strcasecmp(domain, d->realm) == 0);
}

bool ae_userid_sid_ok(const char *sid)
{
	const char *p;
	unsigned subs = 0, digits = 0;

	if (sid == NULL || strncmp(sid, "S-1-5-21-", 9) != 0 ||
	    strnlen(sid, AE_USERID_SID_MAX + 1) > AE_USERID_SID_MAX) {
		return false;
	}
	for (p = sid + 9; ; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 10) {	/* a 32-bit sub-authority */
				return false;
			}
		} else if (*p == '-' || *p == '\0') {
			if (digits == 0) {
				return false;
			}
			subs++;
			digits = 0;
			if (*p == '\0') {
				break;
			}
		} else {
			return false;
		}
	}
	/* 21, then at least the three domain sub-authorities and the RID */
	return subs >= 4 && subs <= 14;
}

/* getpwnam_r / getpwuid_r with a growing buffer; copies what we keep. */
static ae_err nss_lookup(TALLOC_CTX *mem, const char *name, uid_t uid, struct ae_user_id *u)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 16384;
	struct passwd pw, *res = NULL;
	char *buf = NULL;
	int rc;

	for (;;) {
		buf = talloc_array(mem, char, size);
		if (buf == NULL) {
			return AE_ERR_NOMEM;
		}
		rc = name != NULL ? getpwnam_r(name, &pw, buf, size, &res)
				  : getpwuid_r(uid, &pw, buf, size, &res);
		if (rc != ERANGE || size >= PW_BUF_MAX) {
			break;
		}
		talloc_free(buf);
		size *= 2;
	}
	if (rc != 0 || res == NULL) {
		talloc_free(buf);
		return AE_ERR_NOT_FOUND;
	}
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	u->nss_name = talloc_strdup(u, pw.pw_name);
	u->home = talloc_strdup(u, pw.pw_dir ? pw.pw_dir : "");
	talloc_free(buf);
	return u->nss_name != NULL && u->home != NULL ? AE_OK : AE_ERR_NOMEM;
}

/* The SID of u->uid from winbind, and winbind's name for it. */
static ae_err winbind_sid(struct ae_user_id *u, const char *who, char *why, size_t why_len)
{
	struct wbcDomainSid sid;
	enum wbcSidType type = WBC_SID_NAME_UNKNOWN;
	char *dom = NULL, *acct = NULL, buf[AE_USERID_SID_MAX + 1];
	wbcErr w = wbcUidToSid(u->uid, &sid);

	if (w == WBC_ERR_WINBIND_NOT_AVAILABLE) {
		ae_why(why, why_len, "cannot ask winbind for the SID of %s (uid %ld): winbindd "
		       "is not running (the user context needs this host's winbindd)", who,
		       (long)u->uid);
		return AE_ERR_CONFIG;
	}
	if (!WBC_ERROR_IS_OK(w)) {
		ae_why(why, why_len, "%s is not a domain user (winbind has no SID for uid %ld: %s)",
		       who, (long)u->uid, wbcErrorString(w));
		return AE_ERR_CONFIG;
	}
	if (wbcSidToStringBuf(&sid, buf, sizeof(buf)) <= 0 || !ae_userid_sid_ok(buf)) {
		ae_why(why, why_len, "%s (uid %ld) has the SID %s, not the SID of a domain account",
		       who, (long)u->uid, buf);
		return AE_ERR_CONFIG;
	}
	w = wbcLookupSid(&sid, &dom, &acct, &type);
	if (!WBC_ERROR_IS_OK(w) || type != WBC_SID_NAME_USER) {
		ae_why(why, why_len, "%s (uid %ld, SID %s) is not a domain user account (%s)",
		       who, (long)u->uid, buf, WBC_ERROR_IS_OK(w) ? wbcSidTypeString(type) :
		       wbcErrorString(w));
		wbcFreeMemory(dom);
		wbcFreeMemory(acct);
		return AE_ERR_CONFIG;
	}
	u->sid = talloc_strdup(u, buf);
	u->domain = talloc_strdup(u, dom);
	u->name = talloc_strdup(u, acct);
	wbcFreeMemory(dom);
	wbcFreeMemory(acct);
	return u->sid != NULL && u->domain != NULL && u->name != NULL ? AE_OK : AE_ERR_NOMEM;
}

/* NSS by name: "<workgroup><sep><sam>" first (the domain account), then "<sam>". */
static ae_err lookup_name(struct ae_user_id *u, const struct ae_userid_domain *d,
			  const char *sam)
{
	char *qualified = talloc_asprintf(u, "%s%c%s", d->workgroup ? d->workgroup : "",
					  d->separator ? d->separator : '\\', sam);
	ae_err err;

	if (qualified == NULL) {
		return AE_ERR_NOMEM;
	}
	err = d->workgroup != NULL ? nss_lookup(u, qualified, 0, u) : AE_ERR_NOT_FOUND;
	if (err == AE_ERR_NOT_FOUND) {
		err = nss_lookup(u, sam, 0, u);
	}
	talloc_free(qualified);
	return err;
}

ae_err ae_userid_resolve(TALLOC_CTX *mem, const char *name, uid_t uid,
			 const struct ae_userid_domain *d, struct ae_user_id **_u,
			 char *why, size_t why_len)
{
	struct ae_user_id *u = talloc_zero(mem, struct ae_user_id);
	char *domain = NULL, *sam = NULL, who[AE_USERID_NAME_MAX + 32];
	ae_err err;

	if (u == NULL) {
		return AE_ERR_NOMEM;
	}
	if (name != NULL) {
		err = ae_userid_parse(u, name, &domain, &sam, why, why_len);
		err = err == AE_ERR_INVALID ? AE_ERR_CONFIG : err;
		if (err == AE_OK && !ae_userid_domain_matches(d, domain)) {
			ae_why(why, why_len, "user %s is not of this host's domain %s (%s)", name,
			       d->workgroup ? d->workgroup : "?", d->realm ? d->realm : "?");
			err = AE_ERR_CONFIG;
		}
		if (err == AE_OK) {
			err = lookup_name(u, d, sam);
			if (err == AE_ERR_NOT_FOUND) {
				ae_why(why, why_len, "user %s is unknown to NSS (getpwnam): no such "
				       "account, or winbind is not in nsswitch.conf", name);
				err = AE_ERR_CONFIG;
			}
		}
		snprintf(who, sizeof(who), "%s", name);
	} else {
		err = nss_lookup(u, NULL, uid, u);
		if (err == AE_ERR_NOT_FOUND) {
			ae_why(why, why_len, "uid %ld is unknown to NSS (getpwuid)", (long)uid);
			err = AE_ERR_CONFIG;
		}
		snprintf(who, sizeof(who), "uid %ld", (long)uid);
	}
	if (err == AE_OK) {
		err = winbind_sid(u, name == NULL ? u->nss_name : who, why,
				  why_len);
	}
	if (err == AE_OK && sam != NULL && strcasecmp(u->name, sam) != 0) {
		ae_why(why, why_len, "user %s: NSS gives uid %ld, which winbind maps to %s\\%s, "
		       "another account; refused", who, (long)u->uid, u->domain, u->name);
		err = AE_ERR_CONFIG;
	}
	if (err == AE_OK && d->workgroup != NULL && strcasecmp(u->domain, d->workgroup) != 0) {
		ae_why(why, why_len, "%s is not a domain user: winbind maps uid %ld to %s\\%s, "
		       "not an account of this host's domain %s", who, (long)u->uid, u->domain,
		       u->name, d->workgroup);
		err = AE_ERR_CONFIG;
	}
	if (err != AE_OK) {
		talloc_free(u);
		return err;
	}
	talloc_free(domain);
	talloc_free(sam);
	AE_INFO("user %s\\%s: uid %ld, gid %ld, SID %s", u->domain, u->name, (long)u->uid,
		(long)u->gid, u->sid);
	*_u = u;
	return AE_OK;
}
