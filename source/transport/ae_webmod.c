/*
 * ae_webmod.c: the programs' stubs of the HTTPS module (ae_webmod.h): the
 * same names and contracts as ae_https.h; the first call loads ae-web.so.
 */
#include "ae_error.h"
#include "ae_module.h"
#include "ae_webmod.h"

static struct ae_module g_mod = {
	.installed = AE_WEBMOD_PATH,
	.build = AE_WEBMOD_BUILD_PATH,
	.symbol = AE_WEBMOD_SYMBOL,
	.size = sizeof(struct ae_webmod_ops),
};

/* NULL when the module cannot be loaded (logged once) */
struct tevent_req *ae_https_post_send(TALLOC_CTX *mem, struct tevent_context *ev,
				      const char *url, const struct ae_https_opts *o,
				      const uint8_t *body, size_t body_len)
{
	char why[8];
	const struct ae_webmod_ops *m = ae_module_table(&g_mod, why, sizeof(why));

	return m != NULL ? m->post_send(mem, ev, url, o, body, body_len) : NULL;
}

ae_err ae_https_post_recv(struct tevent_req *req, TALLOC_CTX *mem,
			  struct ae_https_response **_resp, char *why, size_t why_len)
{
	const struct ae_webmod_ops *m = ae_module_table(&g_mod, why, why_len);

	return m != NULL ? m->post_recv(req, mem, _resp, why, why_len) : AE_ERR_UNAVAILABLE;
}

ae_err ae_https_post(TALLOC_CTX *mem, struct tevent_context *ev, const char *url,
		     const struct ae_https_opts *o, const uint8_t *body, size_t body_len,
		     struct ae_https_response **_resp, char *why, size_t why_len)
{
	char buf[8];
	const struct ae_webmod_ops *m = ae_module_table(&g_mod, why != NULL ? why : buf,
							why != NULL ? why_len : sizeof(buf));

	return m != NULL ? m->post(mem, ev, url, o, body, body_len, _resp, why, why_len) :
			   AE_ERR_UNAVAILABLE;
}
