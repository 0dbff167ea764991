/*
 * ae_https_state.h: one exchange's state, shared by ae_https.c (the API,
 * completion, errors) and ae_https_setup.c (arguments, the curl handle and
 * its callbacks). Private to the HTTPS transport.
 */
#ifndef AE_HTTPS_STATE_H
#define AE_HTTPS_STATE_H

#include <stdbool.h>
#include <sys/time.h>
#include "ae_https_priv.h"
#include "ae_https_neg.h"

struct ae_https_state {
	struct tevent_context *ev;
	char *url;
	char *host;
	struct ae_https_opts o;		/* strings copied, keys referenced */
	bool owns_keys;
	struct ae_https_tls tls;
	struct ae_curl_loop *loop;
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *auth_node;	/* KERBEROS: the Authorization line, set per leg */
	uint8_t *body;
	size_t body_len;
	uint8_t *rbuf;
	size_t rlen;
	size_t max;
	bool too_large;
	X509 *peer;			/* the server certificate of the first leg */
	char *peer_subject;
	struct ae_https_neg *neg;
	ae_err prereq_err;		/* AE_OK: the pre-request callback did not fail */
	struct timeval deadline;
	unsigned legs;
	char errbuf[CURL_ERROR_SIZE];
	char why[512];
	struct ae_https_response *resp;
};

/* ae_https_setup.c; each sets s->why on failure */
ae_err ae_https_url_check(struct ae_https_state *s, const char *url);
ae_err ae_https_opts_check(struct ae_https_state *s, const struct ae_https_opts *o);
ae_err ae_https_opts_own(struct ae_https_state *s);
ae_err ae_https_easy(struct ae_https_state *s);

#endif
