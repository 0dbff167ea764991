/*
 * ae_dclocate.h: find a domain controller for LDAP and Kerberos services.
 *
 * Order: the smb.conf option 'autoenroll:dc' (a host name), then DNS SRV
 * _ldap._tcp.dc._msdcs.<realm> (lowest priority, highest weight first), then
 * 'password server' when it names a host, then the realm's DNS domain
 * itself. GSSAPI needs the host NAME, never an address. (The CLDAP DC
 * locator with site awareness arrives with the GPO work.)
 */
#ifndef AE_DCLOCATE_H
#define AE_DCLOCATE_H

#include <talloc.h>
#include "ae_error.h"

struct loadparm_context;

ae_err ae_dc_locate(TALLOC_CTX *mem_ctx, struct loadparm_context *lp, char **_dc,
		    const char **_how);

/* The SRV answer parser (untrusted DNS bytes): picks the best target. */
ae_err ae_srv_pick(TALLOC_CTX *mem_ctx, const unsigned char *answer, int len, char **_target);

#endif
