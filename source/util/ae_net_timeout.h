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
 * Not this value: the KDC (MIT krb5 waits up to about 30 s for each KDC
 * request, fixed), CLDAP and CRL fetches (their own shorter deadlines, cut
 * by the cycle's).
 *
 * The whole cycle (autoenroll:cycle timeout, ae_net_deadline_set at
 * session open): ae_net_timeout() is min(bound, time left), never 0; once
 * the deadline has passed every later network step refuses to start
 * (ae_net_deadline_passed) with ae_net_cycle_over() as its cause, so a cycle
 * whose DC hangs ends at the deadline whatever is left to do.
 */
#ifndef AE_NET_TIMEOUT_H
#define AE_NET_TIMEOUT_H

#include <stdbool.h>
#include <stdint.h>

#define AE_NET_TIMEOUT_DEFAULT_S	30u
#define AE_NET_TIMEOUT_MAX_S		300u
#define AE_NET_CYCLE_TIMEOUT_DEFAULT_S	300u
#define AE_NET_CYCLE_TIMEOUT_MAX_S	3600u

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

/* The bound of a step starting now, in seconds (1..AE_NET_TIMEOUT_MAX_S):
 * the network timeout, or the time left to the cycle's deadline (a started
 * second counts) when that is shorter. */
unsigned ae_net_timeout(void);

/* Pure: min(step_s, seconds from now_ms to until_ms rounded up); 0 when
 * until_ms is not after now_ms. */
unsigned ae_net_bound_s(unsigned step_s, int64_t now_ms, int64_t until_ms);

/* The cycle's deadline: seconds from now (clamped to
 * AE_NET_CYCLE_TIMEOUT_MAX_S); 0: none. Re-applies the resolver bound. */
void ae_net_deadline_set(unsigned seconds);

/* A local wait (the store lock) does not count against the deadline: the
 * clock stops between pause and resume. */
void ae_net_deadline_pause(void);
void ae_net_deadline_resume(void);

/* The cycle's bound in seconds (0: none), the time left (INT64_MAX: no
 * deadline; 0: passed), and whether it has passed. */
unsigned ae_net_cycle_timeout(void);
int64_t ae_net_left_ms(void);
bool ae_net_deadline_passed(void);

/* The text of a step that got no answer in time (thread-local buffer):
 * "no answer within 30 s (autoenroll:network timeout)", or, when the
 * deadline has passed, "no answer within the cycle's bound of 300 s
 * (autoenroll:cycle timeout)". */
const char *ae_net_no_answer(void);

/* The cause of a step refused because the deadline has passed:
 * "not started: the cycle's bound of 300 s (autoenroll:cycle timeout) was
 * reached" (thread-local buffer). */
const char *ae_net_cycle_over(void);

#endif
