/*
 * ae_ldap.h: a sealed, Kerberos-authenticated LDAP connection to a DC
 * (OpenLDAP libldap + Cyrus SASL GSSAPI) and a paged search helper that
 * returns neutral entries (ae_entry.h).
 *
 * Security: the bind is SASL GSSAPI with sasl_secprops minssf=56, so the
 * SASL layer refuses to negotiate less than a sealing (encrypting) layer;
 * after the bind the negotiated SSF is read back and a connection below 56
 * is refused as well. Nothing is ever sent with a simple bind, and no
 * referral is chased (referrals off).
 *
 * Credentials: the default Kerberos ccache of the process, i.e. KRB5CCNAME
 * as set by the caller (machine: a ccache filled from the keytab/secrets
 * before connecting; user: the user's ccache). KRB5_CONFIG applies.
 *
 * Synchronous by design (libldap's _s calls with timeouts); the engine runs
 * policy reads before any RPC.
 */
#ifndef AE_LDAP_H
#define AE_LDAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_entry.h"
#include "ae_net_timeout.h"

#define AE_LDAP_MIN_SSF			56	/* sealing; GSSAPI with AES gives 256 */
/* TCP connect, the SASL GSSAPI bind (with a cached ticket the first request a
 * hung DC, whose kernel completes TCP handshakes, leaves unanswered) and each
 * search request: autoenroll:network timeout */
#define AE_LDAP_NETWORK_TIMEOUT_S	((time_t)ae_net_timeout())
#define AE_LDAP_OP_TIMEOUT_S		((time_t)ae_net_timeout())
#define AE_LDAP_BIND_TIMEOUT_S		((time_t)ae_net_timeout())
#define AE_LDAP_PAGE_SIZE		500	/* simple paged results (RFC 2696) */
#define AE_LDAP_ENTRIES_MAX		100000	/* entries one search may return */
#define AE_LDAP_HOST_MAX		253	/* bytes of a DNS name */

/* SD_FLAGS control [MS-ADTS 3.1.1.3.4.1.11]: DACL only. */
#define AE_LDAP_OID_SD_FLAGS		"1.2.840.113556.1.4.801"
#define AE_LDAP_SD_FLAGS_DACL		4
/* BER SEQUENCE { INTEGER 4 }: the control value sent. */
#define AE_LDAP_SD_FLAGS_DACL_BER	"\x30\x03\x02\x01\x04"

struct ae_ldap;

enum ae_ldap_scope {
	AE_LDAP_SCOPE_BASE,
	AE_LDAP_SCOPE_ONE,
	AE_LDAP_SCOPE_SUBTREE,
};

/* Search options (bits). */
enum ae_ldap_search_flags {
	/* Send the SD_FLAGS control (DACL, critical) so that
	 * nTSecurityDescriptor is returned to a non-owner. */
	AE_LDAP_SEARCH_SD_DACL = 1u << 0,
};

struct ae_rootdse {
	char *configuration_nc;		/* configurationNamingContext */
	char *root_domain_nc;		/* rootDomainNamingContext */
	char *default_nc;		/* defaultNamingContext */
	char *dns_host_name;		/* dnsHostName (the DC we talk to) */
};

/*
 * Connect to ldap://<dc_fqdn> (port 389), LDAPv3, referrals off, network
 * and operation timeouts, then SASL GSSAPI bind with minssf=56 and check
 * the negotiated SSF. dc_fqdn must be a DNS host name (GSSAPI builds the
 * service principal ldap/<dc_fqdn> from it; an IP address is refused with
 * AE_ERR_INVALID) and is used as given, without reverse-DNS
 * canonicalisation.
 *
 * On success *_conn is a talloc object on mem_ctx whose destructor unbinds.
 * Errors: AE_ERR_INVALID (bad name), AE_ERR_LDAP (unreachable, bind refused,
 * SSF too low; the log names the server and libldap's error string and
 * diagnostic message), AE_ERR_NOMEM.
 */
ae_err ae_ldap_connect(TALLOC_CTX *mem_ctx, const char *dc_fqdn, struct ae_ldap **_conn);

/* Why the SASL GSSAPI bind of ae_ldap_connect_auth failed. */
enum ae_ldap_bind_failure {
	AE_LDAP_BIND_OTHER = 0,		/* no bind failure (or before the bind, or the SSF) */
	AE_LDAP_BIND_UNREACHED,		/* no connection, or no answer in time */
	AE_LDAP_BIND_REFUSED,		/* answered: the ticket refused or not obtainable */
};

/* ae_ldap_connect, saying in *_why (may be NULL) why the bind failed. */
ae_err ae_ldap_connect_auth(TALLOC_CTX *mem_ctx, const char *dc_fqdn, struct ae_ldap **_conn,
			    enum ae_ldap_bind_failure *_why);

/* The server name given to ae_ldap_connect() and the negotiated SSF. */
const char *ae_ldap_server(const struct ae_ldap *conn);
unsigned ae_ldap_ssf(const struct ae_ldap *conn);

/* Number of searches made on this connection (each ae_ldap_search() call
 * that reached the server counts once, whatever its number of pages). */
unsigned ae_ldap_search_count(const struct ae_ldap *conn);

/*
 * Read the rootDSE. Missing configurationNamingContext or dnsHostName is
 * AE_ERR_LDAP; the other two may be NULL. *_r on mem_ctx.
 */
ae_err ae_ldap_rootdse(struct ae_ldap *conn, TALLOC_CTX *mem_ctx, struct ae_rootdse **_r);

/*
 * Paged search (page size AE_LDAP_PAGE_SIZE) of 'base' with 'filter' and
 * the NULL-terminated 'attrs' (NULL = all user attributes). Results are
 * gathered over all pages into a talloc array of entries on mem_ctx
 * (*_entries may be NULL when *_num is 0).
 *
 * A base that does not exist is AE_ERR_NOT_FOUND (logged at debug level
 * only: callers decide whether an absent container matters). Other server
 * errors or more than AE_LDAP_ENTRIES_MAX entries are AE_ERR_LDAP, logged
 * with the server name, base, and libldap's message. No answer within
 * AE_LDAP_OP_TIMEOUT_S is AE_ERR_LDAP too ("LDAP search of '<base>' on
 * <server>: no answer within <n> s").
 */
ae_err ae_ldap_search(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
		      const char *base, enum ae_ldap_scope scope, const char *filter,
		      const char *const *attrs, unsigned flags,
		      struct ae_ldap_entry ***_entries, size_t *_num);

/*
 * RFC 4515 escaping of an assertion value for a filter: '*', '(', ')',
 * and '\\' become \2a \28 \29 \5c; other bytes (UTF-8) are kept.
 * Returns NULL on allocation failure.
 */
char *ae_ldap_escape_filter_value(TALLOC_CTX *mem_ctx, const char *value);

/* True when 'host' is a syntactically valid DNS host name (letters,
 * digits, '-', '.'; labels 1..63; total <= AE_LDAP_HOST_MAX) and not an IPv4
 * or IPv6 literal. */
bool ae_ldap_host_valid(const char *host);

/*
 * Pipelined searches (ae_ldap_multi.c): the n requests are all sent on the
 * one sealed connection before any answer is read (one round trip), then
 * each result is collected. No paging: each request states a size limit
 * (0: none); a result that hits it is not an error but 'truncated' (the
 * entries received are kept). Each request counts as one search
 * (ae_ldap_search_count). Per request: err (AE_ERR_NOT_FOUND for a base
 * that does not exist, AE_ERR_LDAP for other failures), entries and num on
 * mem_ctx. The return value is AE_OK when every request was sent and
 * answered (look at each err), else AE_ERR_LDAP / AE_ERR_NOMEM /
 * AE_ERR_INVALID (then no output is meaningful).
 */
#define AE_LDAP_MULTI_MAX	8

struct ae_ldap_multi {
	const char *base;
	enum ae_ldap_scope scope;
	const char *filter;
	const char *const *attrs;
	int sizelimit;
	/* out */
	ae_err err;
	bool truncated;
	struct ae_ldap_entry **entries;
	size_t num;
};

ae_err ae_ldap_search_multi(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
			    struct ae_ldap_multi *reqs, size_t n);

#endif
