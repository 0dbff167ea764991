/*
 * ae_cldap.h: the DC locator's LDAP ping over UDP ("CLDAP", [MS-ADTS]
 * 6.3.3): which site the client is in, which site the DC is in, the forest
 * and domain names, the DC's flags and the domain GUID.
 *
 * The request is an LDAPv3 SearchRequest, BER-encoded with liblber, sent
 * in one UDP datagram to port 389 of the DC:
 *   base "", scope base, filter
 *   (&(DnsDomain=<dns domain>)(Host=<netbios name>)(NtVer=\06\00\00\00)),
 *   attributes "Netlogon".
 * NtVer 6 = NETLOGON_NT_VERSION_5 | NETLOGON_NT_VERSION_5EX asks for a
 * NETLOGON_SAM_LOGON_RESPONSE_EX (ae_netlogon.h). The answer is one
 * datagram holding a SearchResultEntry with that value and a
 * SearchResultDone; it is read with our own bounded BER reader.
 */
#ifndef AE_CLDAP_H
#define AE_CLDAP_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_netlogon.h"

#define AE_CLDAP_PORT		389
#define AE_CLDAP_NTVER		(AE_NT_VERSION_5 | AE_NT_VERSION_5EX)
#define AE_CLDAP_WAIT_MS	2000	/* per attempt */
#define AE_CLDAP_TRIES		2	/* attempts per DC address (one retry) */
#define AE_CLDAP_ADDRS_MAX	2	/* resolved addresses tried */
#define AE_CLDAP_REPLY_MAX	8192	/* bytes of one reply datagram */
#define AE_CLDAP_MESSAGES_MAX	4	/* LDAPMessages in one reply datagram */
#define AE_CLDAP_DATAGRAMS_MAX	16	/* datagrams read per attempt */
#define AE_CLDAP_NETBIOS_MAX	15	/* bytes of a NetBIOS name */
#define AE_CLDAP_ATTR		"Netlogon"

/* One reply datagram, as parsed. */
struct ae_cldap_reply {
	int32_t msgid;			/* the same in every message of it */
	int result_code;		/* SearchResultDone's resultCode; -1: none */
	struct ae_netlogon *netlogon;	/* NULL: no SearchResultEntry */
};

/*
 * Parse one reply datagram p[0..len): one to AE_CLDAP_MESSAGES_MAX
 * LDAPMessages, back to back, all with the same non-negative messageID:
 * at most one SearchResultEntry, whose attributes must hold exactly one
 * value of "Netlogon" (case-insensitive; other attributes are ignored),
 * parsed with ae_netlogon_parse(); at most one SearchResultDone, and
 * nothing after it. Controls on a message are skipped.
 *
 * BER as Windows writes it is accepted: definite lengths in short or long
 * form (up to 4 length bytes, not necessarily minimal); indefinite lengths,
 * multi-byte tags and any length beyond its enclosing element are refused.
 *
 * Errors: AE_ERR_TOO_LARGE (len > AE_CLDAP_REPLY_MAX), AE_ERR_PARSE,
 * AE_ERR_TRAILING, AE_ERR_UNSUPPORTED (Netlogon value in an older format),
 * AE_ERR_NOMEM. *_r on mem_ctx, set only on success.
 */
ae_err ae_cldap_parse_reply(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_cldap_reply **_r);

/*
 * The request datagram for messageID msgid (> 0) on mem_ctx (*_buf is a
 * talloc array of *_len bytes). dns_domain must be a DNS name
 * (ae_ldap_host_valid()), netbios_name 1..AE_CLDAP_NETBIOS_MAX bytes of
 * letters, digits, '-', '_', '.', '$' or so (no control bytes or spaces).
 * Errors: AE_ERR_INVALID, AE_ERR_NOMEM.
 */
ae_err ae_cldap_build_request(TALLOC_CTX *mem_ctx, int32_t msgid, const char *dns_domain,
			      const char *netbios_name, uint8_t **_buf, size_t *_len);

/*
 * LDAP ping of dc_host (a DNS name, resolved with getaddrinfo; the ping
 * goes only to the addresses it resolves to, at most AE_CLDAP_ADDRS_MAX of
 * them, each tried AE_CLDAP_TRIES times with an AE_CLDAP_WAIT_MS wait),
 * asking for dns_domain on behalf of the client netbios_name.
 * Datagrams from other addresses cannot arrive (the socket is connected);
 * replies with another messageID and datagrams that do not parse are
 * dropped and the wait goes on until its deadline (at most
 * AE_CLDAP_DATAGRAMS_MAX datagrams per attempt), so one bad datagram does
 * not end the lookup.
 *
 * On success *_r (on mem_ctx) holds the DC's answer; client_site may be ""
 * when the DC maps our address to no site.
 * Errors: AE_ERR_INVALID (arguments), AE_ERR_TRANSPORT (name not resolved,
 * socket errors, no answer in time), AE_ERR_NOT_FOUND (the DC answered
 * without an entry: it does not serve dns_domain), AE_ERR_LDAP (the DC
 * answered with an error result), AE_ERR_PARSE (no valid answer, and at
 * least one datagram that did not parse), AE_ERR_NOMEM. Each failure is logged naming the DC.
 */
ae_err ae_cldap_ping(TALLOC_CTX *mem_ctx, const char *dc_host, const char *dns_domain,
		     const char *netbios_name, struct ae_netlogon **_r);

#endif
