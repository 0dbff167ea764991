/*
 * ae_dclocate.c: the DC for LDAP and Kerberos (see ae_dclocate.h): the DNS
 * SRV lookup (RFC 2782) with an answer of any size, its parser, and the
 * fallbacks of smb.conf.
 */
#include <ctype.h>
#include <stdbool.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_dclocate.h"
#include "ae_smbconf.h"
#include "ae_creds.h"
#include "ae_log.h"
#include "ae_net_timeout.h"

/* A host name as GSSAPI and LDAP take it: LDH labels (plus '_', as AD
 * allows), 1..63 octets each, no empty label (RFC 1035 §2.3.1). */
static bool host_ok(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > AE_DNS_HOST_MAX) {
		return false;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0) {
				return false;
			}
			label = 0;
			continue;
		}
		if (!(isalnum(c) || c == '-' || c == '_') || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

/* One SRV rdata (RFC 2782: priority, weight, port, target): the target must
 * end exactly at the end of the rdata. */
static ae_err srv_rdata(const ns_msg *msg, const ns_rr *rr, int *_prio, int *_weight,
			char *name, size_t name_size)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	int n;

	if (ns_rr_rdlen(*rr) < 7) {
		return AE_ERR_PARSE;
	}
	n = dn_expand(ns_msg_base(*msg), ns_msg_end(*msg), rd + 6, name, (int)name_size);
	if (n < 0 || (size_t)n + 6 != ns_rr_rdlen(*rr)) {
		return AE_ERR_PARSE;
	}
	*_prio = (rd[0] << 8) | rd[1];
	*_weight = (rd[2] << 8) | rd[3];
	return AE_OK;
}

ae_err ae_srv_pick(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, char **_target)
{
	ns_msg msg;
	int i, count, best_prio = 65536, best_weight = -1;
	char best[NS_MAXDNAME] = "";
	char *t;

	if (p == NULL || _target == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_DNS_ANSWER_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	/* ns_initparse walks every section and refuses bytes after the last */
	if (len < NS_HFIXEDSZ || ns_initparse(p, (int)len, &msg) != 0 ||
	    !ns_msg_getflag(msg, ns_f_qr) || ns_msg_getflag(msg, ns_f_tc)) {
		return AE_ERR_PARSE;
	}
	if (ns_msg_getflag(msg, ns_f_rcode) != ns_r_noerror) {
		return AE_ERR_NOT_FOUND;
	}
	count = ns_msg_count(msg, ns_s_an);
	if (count > AE_SRV_MAX_RECORDS) {
		return AE_ERR_TOO_LARGE;
	}
	for (i = 0; i < count; i++) {
		char name[NS_MAXDNAME];
		int prio, weight;
		ns_rr rr;

		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) {
			return AE_ERR_PARSE;
		}
		if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in) {
			continue;
		}
		if (srv_rdata(&msg, &rr, &prio, &weight, name, sizeof(name)) != AE_OK) {
			return AE_ERR_PARSE;
		}
		if (!host_ok(name)) {
			continue;	/* "." (service not offered here), or not a host name */
		}
		if (prio < best_prio || (prio == best_prio && weight > best_weight)) {
			best_prio = prio;
			best_weight = weight;
			memcpy(best, name, strlen(name) + 1);
		}
	}
	if (best[0] == '\0') {
		return AE_ERR_NOT_FOUND;
	}
	t = talloc_strdup(mem_ctx, best);
	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	*_target = t;
	return AE_OK;
}

ae_err ae_srv_from_query(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t buf_size,
			 int reported, size_t *_needed, char **_target)
{
	if (_needed != NULL) {
		*_needed = 0;
	}
	if (buf == NULL || _target == NULL) {
		return AE_ERR_INVALID;
	}
	if (reported < 0) {
		return AE_ERR_NOT_FOUND;
	}
	if ((size_t)reported > buf_size) {
		/* the resolver kept only the first buf_size bytes */
		if (_needed != NULL && (size_t)reported <= AE_DNS_ANSWER_MAX) {
			*_needed = (size_t)reported;
		}
		return AE_ERR_TOO_LARGE;
	}
	return ae_srv_pick(mem_ctx, buf, (size_t)reported, _target);
}

ae_err ae_srv_lookup(TALLOC_CTX *mem_ctx, const char *name, ae_dns_query_fn query, void *priv,
		     char **_target, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	size_t size = AE_DNS_BUF_FIRST, needed = 0;
	char *t = NULL;
	int n = -1, round;
	ae_err err = AE_ERR_NOMEM;

	for (round = 1; tmp != NULL && round <= 2; round++) {
		uint8_t *buf = talloc_array(tmp, uint8_t, size);

		if (buf == NULL) {
			err = AE_ERR_NOMEM;
			break;
		}
		n = query(priv, name, buf, size);
		err = ae_srv_from_query(tmp, buf, size, n, &needed, &t);
		if (err != AE_ERR_TOO_LARGE || needed == 0 || round == 2) {
			break;
		}
		AE_INFO("DNS SRV answer for %s is %d bytes: asking again with a buffer that size",
			name, n);
		size = needed;
	}
	if (err == AE_OK) {
		*_target = talloc_move(mem_ctx, &t);
	} else if (err == AE_ERR_NOT_FOUND) {
		ae_why(why, why_len, n < 0 ? "DNS: no SRV answer for %s" :
		       "DNS: the SRV answer for %s has no usable record", name);
	} else if (err == AE_ERR_TOO_LARGE && n >= 0 && (size_t)n > size) {
		ae_why(why, why_len, (size_t)n > AE_DNS_ANSWER_MAX ?
		       "DNS: the SRV answer for %s is %d bytes, above the cap of %d" :
		       "DNS: the SRV answer for %s grew to %d bytes between two queries (cap %d)",
		       name, n, AE_DNS_ANSWER_MAX);
	} else if (err == AE_ERR_TOO_LARGE) {
		ae_why(why, why_len, "DNS: the SRV answer for %s has more than %d records", name,
		       AE_SRV_MAX_RECORDS);
	} else {
		ae_why(why, why_len, "DNS: the SRV answer for %s (%d bytes) is malformed or "
		       "incomplete: %s", name, n, ae_strerror(err));
	}
	talloc_free(tmp);
	return err;
}

/* res_nquery on the caller's private resolver state (RFC 1035 over UDP,
 * TCP when the answer comes back truncated). */
static int res_srv_query(void *priv, const char *name, uint8_t *buf, size_t size)
{
	return res_nquery((res_state)priv, name, ns_c_in, ns_t_srv, buf, (int)size);
}

static ae_err dns_srv(TALLOC_CTX *mem_ctx, const char *realm, char **_dc)
{
	struct __res_state rs;
	char *q = talloc_asprintf(mem_ctx, "_ldap._tcp.dc._msdcs.%s", realm);
	char why[512] = "";
	ae_err err;

	if (q == NULL) {
		return AE_ERR_NOMEM;
	}
	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0) {
		AE_WARN("DNS: cannot initialise the resolver (/etc/resolv.conf) to look up %s", q);
		talloc_free(q);
		return AE_ERR_NOT_FOUND;
	}
	ae_net_timeout_res(&rs);	/* autoenroll:network timeout */
	err = ae_srv_lookup(mem_ctx, q, res_srv_query, &rs, _dc, why, sizeof(why));
	res_nclose(&rs);
	if (err == AE_ERR_NOT_FOUND) {
		AE_INFO("%s", why);
	} else if (err != AE_OK) {
		AE_WARN("%s; not used", why);
	}
	talloc_free(q);
	return err;
}

ae_err ae_dc_locate(TALLOC_CTX *mem_ctx, const struct ae_smbconf *sc, char **_dc,
		    const char **_how)
{
	const char *opt = ae_smbconf_parm(sc, "autoenroll", "dc");
	const char *realm = sc->realm;
	const char *pw = sc->password_server;
	char *dc = NULL;
	ae_err err;

	if (opt != NULL && opt[0] != '\0') {
		*_dc = talloc_strdup(mem_ctx, opt);
		*_how = "autoenroll:dc";
		return *_dc ? AE_OK : AE_ERR_NOMEM;
	}
	if (realm == NULL || realm[0] == '\0') {
		AE_ERROR("no realm in smb.conf: is this host an AD domain member?");
		return AE_ERR_CONFIG;
	}
	err = dns_srv(mem_ctx, realm, &dc);
	if (err == AE_OK || err == AE_ERR_NOMEM) {
		*_dc = dc;
		*_how = "DNS SRV";
		return err;
	}
	if (pw != NULL && pw[0] != '\0' && strcmp(pw, "*") != 0 && strchr(pw, ' ') == NULL &&
	    strchr(pw, ',') == NULL) {
		*_dc = talloc_strdup(mem_ctx, pw);
		*_how = "password server";
		return *_dc ? AE_OK : AE_ERR_NOMEM;
	}
	*_dc = talloc_strdup(mem_ctx, realm);
	*_how = "realm";
	return *_dc ? AE_OK : AE_ERR_NOMEM;
}
