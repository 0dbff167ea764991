/*
 * ae_creds_krb5.h: MIT krb5 helpers shared by the transport layer's
 * credential files (ae_creds_cache.c, ae_creds_read.c). Not for other layers.
 */
#ifndef AE_CREDS_KRB5_H
#define AE_CREDS_KRB5_H

#include <stdint.h>
#include <krb5/krb5.h>

/* The TGT krbtgt/realm@realm of client in cc (RFC 4120 section 7.3): its endtime, or -1. */
int64_t ae_ccache_tgt_end(krb5_context k, krb5_ccache cc, krb5_principal client,
			  const char *realm);

#endif
