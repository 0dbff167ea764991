/*
 * ae_cldap_private.h: a seam for tests (a fake DC on an unprivileged port,
 * short waits). Not for product code.
 */
#ifndef AE_CLDAP_PRIVATE_H
#define AE_CLDAP_PRIVATE_H

#include "ae_cldap.h"

/* ae_cldap_ping() to UDP 'port' (decimal) with 'wait_ms' per attempt. */
ae_err ae_cldap_ping_at(TALLOC_CTX *mem_ctx, const char *dc_host, const char *port,
			int wait_ms, const char *dns_domain, const char *netbios_name,
			struct ae_netlogon **_r);

#endif
