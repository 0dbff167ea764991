/*
 * ae_webmod.h: the HTTPS module (util/ae_module.h), ae-web.so: libcurl on
 * OpenSSL and Negotiate (ae_https*.c, ae_spnego*.c), loaded the first time
 * a run talks to an MS-XCEP or MS-WSTEP server. The programs link the
 * stubs of ae_webmod.c; the tests link the functions themselves.
 */
#ifndef AE_WEBMOD_H
#define AE_WEBMOD_H

#include <stddef.h>
#include "ae_https.h"

#define AE_WEBMOD_SYMBOL "ae_webmod_ops_v1"

struct ae_webmod_ops {
	size_t size;	/* sizeof(struct ae_webmod_ops) where the module was built */
	struct tevent_req *(*post_send)(TALLOC_CTX *, struct tevent_context *, const char *,
					const struct ae_https_opts *, const uint8_t *, size_t);
	ae_err (*post_recv)(struct tevent_req *, TALLOC_CTX *, struct ae_https_response **,
			    char *, size_t);
	ae_err (*post)(TALLOC_CTX *, struct tevent_context *, const char *,
		       const struct ae_https_opts *, const uint8_t *, size_t,
		       struct ae_https_response **, char *, size_t);
};

#endif
