/*
 * ae_https_neg.c: HTTP Negotiate for ae_https (see ae_https_neg.h).
 */
#include <stdlib.h>
#include <string.h>
#include "ae_https_neg.h"
#include "ae_https_priv.h"
#include "ae_spnego.h"
#include "ae_log.h"

#define AE_NEGOTIATE_FIELDS_MAX 16	/* WWW-Authenticate fields read in one answer */

struct ae_https_neg {
	struct ae_spnego *sp;
	const char *url;
	uint8_t *cb;			/* the channel bindings' application data */
	size_t cb_len;
	uint8_t *next;			/* our token for the next leg (after a 401 continuation) */
	size_t next_len;
};

ae_err ae_https_neg_new(TALLOC_CTX *mem, const char *ccache, const char *host, const char *url,
			struct ae_https_neg **_n, char *why, size_t why_len)
{
	struct ae_https_neg *n = talloc_zero(mem, struct ae_https_neg);
	char msg[384] = "";
	ae_err err;

	if (n == NULL) {
		return AE_ERR_NOMEM;
	}
	n->url = url;
	err = ae_spnego_new(n, ccache, host, &n->sp, msg, sizeof(msg));
	if (err != AE_OK) {
		ae_why(why, why_len, "%s: %s", url, msg);
		talloc_free(n);
		return err;
	}
	*_n = n;
	return AE_OK;
}

ae_err ae_https_neg_header(struct ae_https_neg *n, X509 *peer, char **_line, char *why,
			   size_t why_len)
{
	char msg[384] = "";
	uint8_t *out = NULL;
	size_t out_len = 0;
	char *value;
	char *line;
	ae_err err;

	if (n->cb == NULL) {
		err = ae_https_cb_data(n, peer, &n->cb, &n->cb_len, msg, sizeof(msg));
		if (err != AE_OK) {
			ae_why(why, why_len, "%s: channel binding: %s", n->url, msg);
			return err;
		}
	}
	if (n->next != NULL) {
		/* the continuation computed from the server's 401 (same certificate: checked) */
		out = talloc_move(n, &n->next);
		out_len = n->next_len;
		n->next_len = 0;
	} else {
		err = ae_spnego_step(n->sp, n->cb, n->cb_len, NULL, 0, n, &out, &out_len, msg,
				     sizeof(msg));
		if (err == AE_OK && out == NULL) {
			ae_why(msg, sizeof(msg), "no token to send to %s", ae_spnego_target(n->sp));
			err = AE_ERR_CREDENTIALS;
		}
		if (err != AE_OK) {
			ae_why(why, why_len, "%s: %s", n->url, msg);
			return err;
		}
	}
	value = ae_negotiate_hdr_value(n, out, out_len);
	talloc_free(out);
	if (value == NULL) {
		return AE_ERR_NOMEM;
	}
	/* malloc, not talloc: curl_slist_free_all frees it */
	if (asprintf(&line, "Authorization: %s", value) < 0) {
		talloc_free(value);
		return AE_ERR_NOMEM;
	}
	talloc_free(value);
	*_line = line;
	return AE_OK;
}

/* the Negotiate token of the last answer's WWW-Authenticate fields, if any */
static ae_err neg_read_token(struct ae_https_neg *n, CURL *easy, struct ae_negotiate_hdr **_h,
			     char *why, size_t why_len)
{
	struct ae_negotiate_hdr *found = NULL;
	struct curl_header *h = NULL;
	size_t i;
	size_t amount = 1;
	ae_err err = AE_OK;

	for (i = 0; i < amount && err == AE_OK; i++) {
		struct ae_negotiate_hdr *one = NULL;

		if (curl_easy_header(easy, "WWW-Authenticate", i, CURLH_HEADER, -1, &h) != CURLHE_OK) {
			break;
		}
		amount = h->amount;
		if (amount > AE_NEGOTIATE_FIELDS_MAX) {
			ae_why(why, why_len, "%s: %zu WWW-Authenticate fields", n->url, amount);
			err = AE_ERR_CREDENTIALS;
			break;
		}
		err = ae_negotiate_hdr_parse(n, (const uint8_t *)h->value, strlen(h->value), &one);
		if (err != AE_OK) {
			ae_why(why, why_len, "%s: malformed WWW-Authenticate: %s", n->url,
			       ae_strerror(err));
			err = AE_ERR_CREDENTIALS;
		} else if (one->negotiate && found != NULL) {
			ae_why(why, why_len, "%s: Negotiate offered twice", n->url);
			talloc_free(one);
			err = AE_ERR_CREDENTIALS;
		} else if (one->negotiate) {
			found = one;
		} else {
			talloc_free(one);
		}
	}
	if (err != AE_OK) {
		talloc_free(found);
		return err;
	}
	*_h = found;
	return AE_OK;
}

static ae_err neg_final(struct ae_https_neg *n, const struct ae_negotiate_hdr *h, char *why,
			size_t why_len)
{
	char msg[384] = "";
	uint8_t *out = NULL;
	size_t out_len = 0;
	ae_err err;

	if (h == NULL || h->token == NULL) {
		AE_DEBUG("https: %s: no Negotiate token in the answer: server not authenticated "
			 "to us (mutual authentication not done)", n->url);
		return AE_OK;
	}
	err = ae_spnego_step(n->sp, n->cb, n->cb_len, h->token, h->token_len, n, &out, &out_len,
			     msg, sizeof(msg));
	talloc_free(out);	/* nothing can be sent after the answer */
	if (err == AE_OK && !ae_spnego_mutual(n->sp)) {
		ae_why(msg, sizeof(msg), "the server's final token did not authenticate %s",
		       ae_spnego_target(n->sp));
		err = AE_ERR_CREDENTIALS;
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "%s: mutual authentication failed: %s", n->url, msg);
		return err;
	}
	return AE_OK;
}

/*
 * A 401: with a token while we are not done, the next leg's token is
 * computed now (RFC 4559 §5, more round trips); anything else, including
 * a token that completes our side, is a refusal.
 */
static ae_err neg_continue(struct ae_https_neg *n, const struct ae_negotiate_hdr *h, bool *again,
			   char *why, size_t why_len)
{
	char msg[384] = "";
	uint8_t *out = NULL;
	size_t out_len = 0;
	ae_err err;

	if (h != NULL && h->token != NULL && !ae_spnego_complete(n->sp)) {
		err = ae_spnego_step(n->sp, n->cb, n->cb_len, h->token, h->token_len, n, &out,
				     &out_len, msg, sizeof(msg));
		if (err != AE_OK) {
			ae_why(why, why_len, "%s: HTTP 401: %s", n->url, msg);
			return err;
		}
		if (out != NULL && !ae_spnego_complete(n->sp)) {
			n->next = out;
			n->next_len = out_len;
			*again = true;
			return AE_OK;
		}
		talloc_free(out);
	}
	ae_why(why, why_len, "%s: HTTP 401: Kerberos authentication of %s to %s refused",
	       n->url, ae_spnego_principal(n->sp), ae_spnego_target(n->sp));
	return AE_ERR_CREDENTIALS;
}

ae_err ae_https_neg_answer(struct ae_https_neg *n, CURL *easy, long status, bool *again,
			   char *why, size_t why_len)
{
	struct ae_negotiate_hdr *h = NULL;
	ae_err err = neg_read_token(n, easy, &h, why, why_len);

	*again = false;
	if (err != AE_OK) {
		return err;
	}
	if (status == 401) {
		err = neg_continue(n, h, again, why, why_len);
		talloc_free(h);
		return err;
	}
	err = neg_final(n, h, why, why_len);
	talloc_free(h);
	return err;
}

bool ae_https_neg_bound(const struct ae_https_neg *n)
{
	return n->cb != NULL;
}

bool ae_https_neg_mutual(const struct ae_https_neg *n)
{
	return ae_spnego_mutual(n->sp);
}
