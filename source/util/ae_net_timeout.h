/*
 * ae_net_timeout.h: the bound of each network step, one value for the
 * process (autoenroll:network timeout, validated by the engine's
 * ae_config.c and set once by the session before the first step).
 *
 * Who applies it (README "Timeouts" has the table):
 *  - LDAP (directory/ae_ldap*.c): TCP connect (LDAP_OPT_NETWORK_TIMEOUT),
 *    every request including the SASL GSSAPI bind (LDAP_OPT_TIMEOUT) and
 *    each page of a search (the search's own time limit);
 *  - SMB (transport/ae_smb.c): libsmbclient's timeout, connect and each
 *    SMB request of a SYSVOL read;
 *  - MS-ICPR (transport/icpr.c): the whole connect of one binding (endpoint
 *    mapper, TCP, bind with Kerberos) and the CertServerRequest call.
 *  - DNS (ae_net_timeout_resolver): getaddrinfo and the SRV lookups.
 *  - HTTPS (transport/ae_https.c), when the caller sets none: connect
 *    min(15 s, bound), the whole request 4 x bound.
 * Not this value: the KDC (Samba's Kerberos client waits 30 s for each KDC
 * request, fixed), the MS-ICPR connect (Samba's 60 s), CLDAP and CRL
 * fetches (their own deadlines).
 */
#ifndef AE_NET_TIMEOUT_H
#define AE_NET_TIMEOUT_H

#define AE_NET_TIMEOUT_DEFAULT_S	30u
#define AE_NET_TIMEOUT_MAX_S		300u

/* Set the bound in seconds: 0 means the default, more than the maximum
 * is clamped to it. */
void ae_net_timeout_set(unsigned seconds);

/*
 * The process's DNS resolver (resolver(3) _res, used by getaddrinfo and
 * res_query) held to the bound too: at most min(bound, 5) s per try, 2 tries
 * when the bound allows both, else 1; per nameserver. ae_net_timeout_set()
 * calls it.
 */
void ae_net_timeout_resolver(void);

/* The same for a private resolver state (res_ninit'ed, e.g. the SRV lookup
 * of ae_dclocate.c). */
struct __res_state;
void ae_net_timeout_res(struct __res_state *rs);

/* The bound in seconds (1..AE_NET_TIMEOUT_MAX_S). */
unsigned ae_net_timeout(void);

#endif
