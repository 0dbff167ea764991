/*
 * ae_spnego.h: the initiator side of SPNEGO (RFC 4178) with Kerberos
 * (RFC 4121) through MIT GSSAPI, for HTTP Negotiate (RFC 4559): the
 * credentials of one ccache, the target HTTP@<host>
 * (GSS_C_NT_HOSTBASED_SERVICE), mutual authentication, and channel bindings
 * given by the caller (RFC 5929 tls-server-end-point).
 */
#ifndef AE_SPNEGO_H
#define AE_SPNEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_spnego;

/*
 * Credentials from ccache ("FILE:/..."; NULL: KRB5CCNAME or the default),
 * SPNEGO restricted to Kerberos, for HTTP@host. No network yet.
 * AE_ERR_CREDENTIALS (why: the ccache and GSS's message) when there are no
 * usable credentials. *_s on mem, set only on AE_OK.
 */
ae_err ae_spnego_new(TALLOC_CTX *mem, const char *ccache, const char *host,
		     struct ae_spnego **_s, char *why, size_t why_len);

/*
 * One call of gss_init_sec_context: in/in_len the server's token (NULL/0 on
 * the first call), cb/cb_len the channel bindings' application data (NULL:
 * none). *_out (on mem) the token to send, NULL when there is none.
 * AE_ERR_CREDENTIALS on any GSS failure (why: target, principal, GSS's
 * messages), including a server token that does not complete mutual
 * authentication.
 */
ae_err ae_spnego_step(struct ae_spnego *s, const uint8_t *cb, size_t cb_len,
		      const uint8_t *in, size_t in_len, TALLOC_CTX *mem,
		      uint8_t **_out, size_t *_out_len, char *why, size_t why_len);

bool ae_spnego_complete(const struct ae_spnego *s);
/* complete, with the server authenticated to us (GSS_C_MUTUAL_FLAG granted) */
bool ae_spnego_mutual(const struct ae_spnego *s);
/* the client principal ("alice@REALM"), for messages */
const char *ae_spnego_principal(const struct ae_spnego *s);
/* "HTTP@host" */
const char *ae_spnego_target(const struct ae_spnego *s);

#endif
