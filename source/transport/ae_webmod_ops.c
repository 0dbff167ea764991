/*
 * ae_webmod_ops.c: the HTTPS module's one exported symbol (ae_webmod.h).
 * Built only into ae-web.so, with -fvisibility=hidden.
 */
#include "ae_webmod.h"

__attribute__((visibility("default"))) extern const struct ae_webmod_ops ae_webmod_ops_v1;

const struct ae_webmod_ops ae_webmod_ops_v1 = {
	.size = sizeof(struct ae_webmod_ops),
	.post_send = ae_https_post_send,
	.post_recv = ae_https_post_recv,
	.post = ae_https_post,
};
