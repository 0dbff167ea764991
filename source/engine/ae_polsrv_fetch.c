/*
 * ae_polsrv_fetch.c: one MS-XCEP GetPolicies exchange with an end point
 * ([MS-XCEP] 3.1.4.1.1: the request with clientVersion/serverVersion set,
 * POSTed over HTTPS; the GetPoliciesResponse or a SOAP 1.2 Fault), and the
 * WS-Security UsernameToken for password end points (OASIS WSS
 * UsernameToken Profile 1.0 §3.1, PasswordText; [MS-XCEP] 2.1: message
 * security over TLS).
 *
 * Outcomes, kept apart for the failover in ae_polsrv_group.c:
 *   AE_ERR_TRANSPORT / AE_ERR_UNTRUSTED / AE_ERR_CREDENTIALS: this end point
 *     could not be used (not reached, its TLS certificate does not verify,
 *     our authentication refused or impossible): the next end point;
 *   AE_ERR_PARSE (a SOAP fault, an HTTP error status, an answer that is no
 *     GetPoliciesResponse), AE_ERR_TOO_LARGE: the server answered and
 *     failed: the group is not asked again in this cycle.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_https.h"
#include "ae_session.h"
#include "ae_soap.h"
#include "ae_wstep.h"
#include "ae_xcep.h"
#include "ae_xml.h"

/* [MS-WCCE] 3.1.2.1 Client_Current_Version; the server (CA) version we accept */
#define XCEP_CLIENT_VERSION	4u
#define XCEP_SERVER_VERSION	6u

static int wipe_destructor(char *p)
{
	OPENSSL_cleanse(p, talloc_get_size(p));
	return 0;
}

/* XML character data of s (no control characters but none are allowed in either field) */
static size_t escaped(char *out, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
				  *s == '"' ? "&quot;" : *s == '\'' ? "&apos;" : NULL;
		size_t l = rep ? strlen(rep) : 1;
		if (out != NULL) {
			memcpy(out + n, rep ? rep : s, l);
		}
		n += l;
	}
	return n;
}

ae_err ae_polsrv_add_username_token(TALLOC_CTX *mem, const char *xml, size_t len,
				    const char *user, const char *password,
				    char **_out, size_t *_out_len)
{
	static const char head[] = "</s:Header>";
	static const char open1[] = "<o:Security xmlns:o=\"" AE_WSTEP_NS_WSSE
		"\" s:mustUnderstand=\"1\"><o:UsernameToken><o:Username>";
	static const char open2[] = "</o:Username><o:Password Type=\"" AE_WSTEP_PASSWORD_TEXT "\">";
	static const char close[] = "</o:Password></o:UsernameToken></o:Security>";
	const char *at = strstr(xml, head);
	size_t pre, total, n;
	char *out;

	if (at == NULL || user == NULL || password == NULL) {
		return AE_ERR_INVALID;
	}
	pre = (size_t)(at - xml);
	total = len + strlen(open1) + escaped(NULL, user) + strlen(open2) +
		escaped(NULL, password) + strlen(close);
	out = talloc_size(mem, total + 1);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(out, wipe_destructor);
	memcpy(out, xml, pre);
	n = pre;
	memcpy(out + n, open1, strlen(open1));
	n += strlen(open1);
	n += escaped(out + n, user);
	memcpy(out + n, open2, strlen(open2));
	n += strlen(open2);
	n += escaped(out + n, password);
	memcpy(out + n, close, strlen(close));
	n += strlen(close);
	memcpy(out + n, at, len - pre);
	n += len - pre;
	out[n] = '\0';
	*_out = out;
	*_out_len = n;
	return AE_OK;
}

/* A SOAP fault or any answer that is not a GetPoliciesResponse, in words. */
static void describe_failure(const struct ae_https_response *h, const char *parse_why,
			     char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_xml_doc *d = NULL;
	const xmlNode *first = NULL;
	struct ae_soap_fault *f = NULL;

	if (tmp != NULL && ae_xml_parse(tmp, h->body, h->body_len, &d) == AE_OK &&
	    ae_soap_body_first(d, &first) == AE_OK && ae_soap_is_fault(first) &&
	    ae_soap_fault_parse(tmp, first, &f) == AE_OK) {
		ae_why(why, why_len, "SOAP fault %s%s%s: %s (HTTP %ld)", f->code,
		       f->subcode ? " / " : "", f->subcode ? f->subcode : "",
		       f->reason ? f->reason : "no reason given", h->status);
	} else if (h->status != 200) {
		ae_why(why, why_len, "HTTP status %ld, not a GetPoliciesResponse", h->status);
	} else {
		ae_why(why, why_len, "the answer is not a valid GetPoliciesResponse: %s", parse_why);
	}
	talloc_free(tmp);
}

ae_err ae_polsrv_fetch(TALLOC_CTX *mem, struct ae_session *s, const struct ae_polsrv *ps,
		       ae_polsrv_post_fn post, struct ae_xcep_response **_resp,
		       uint8_t **_body, size_t *_len, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_https_opts o;
	struct ae_https_response *h = NULL;
	struct ae_xcep_response *resp = NULL;
	char *user = NULL, *pass = NULL, *xml = NULL, cause[512] = "";
	size_t xml_len = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_polsrv_https_opts_why(tmp, s, ps, ps->auth, &o, &user, &pass, cause,
				       sizeof(cause));
	if (err != AE_OK) {
		ae_why(why, why_len, "%s", cause);
		talloc_free(tmp);
		return err == AE_ERR_NOMEM ? err : AE_ERR_CREDENTIALS;
	}
	if (o.auth == AE_HTTPS_AUTH_CERTIFICATE && (o.client_key == NULL || o.client_cert == NULL)) {
		/* a GPO's certificate end point: no key of ours is configured for it */
		ae_why(why, why_len, "%s: certificate authentication needs a key and certificate "
		       "(a local policy server's --credential FILE); none for this end point",
		       ps->url);
		talloc_free(tmp);
		return AE_ERR_CREDENTIALS;
	}
	o.soap_action = AE_XCEP_ACTION_GET_POLICIES;
	err = ae_xcep_build_request(tmp, ps->url, XCEP_CLIENT_VERSION, XCEP_SERVER_VERSION, 0,
				    &xml, &xml_len);
	if (err == AE_OK && pass != NULL) {
		err = ae_polsrv_add_username_token(tmp, xml, xml_len, user, pass, &xml, &xml_len);
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "cannot build the GetPolicies request: %s", ae_strerror(err));
		talloc_free(tmp);
		return err;
	}
	err = post(tmp, s->ev, ps->url, &o, (const uint8_t *)xml, xml_len, &h, cause,
		   sizeof(cause));
	if (err != AE_OK) {
		ae_why(why, why_len, "%s", cause[0] ? cause : ae_strerror(err));
		talloc_free(tmp);
		return err;
	}
	cause[0] = '\0';
	if (h->status != 200 ||
	    ae_xcep_parse_response(mem, h->body, h->body_len, &resp, cause, sizeof(cause)) != AE_OK) {
		describe_failure(h, cause, why, why_len);
		talloc_free(tmp);
		return AE_ERR_PARSE;
	}
	*_body = talloc_steal(mem, h->body);
	*_len = h->body_len;
	*_resp = resp;
	talloc_free(tmp);
	return AE_OK;
}

/* Failover to the next end point of the group? */
bool ae_polsrv_fetch_failover(ae_err err)
{
	return err == AE_ERR_TRANSPORT || err == AE_ERR_UNTRUSTED || err == AE_ERR_CREDENTIALS;
}
