/*
 * ca_answer.c: disposition messages worded like AD CS's, and the [out]
 * half of CertServerRequest.
 */
#include <stdio.h>
#include <string.h>
#include "ae_hresult.h"
#include "ae_utf16.h"
#include "ca_policy.h"
#include "ca_renewal.h"

static const struct {
	uint32_t hr;
	const char *prefix;	/* the module that refused, as AD CS says it */
	const char *text;	/* FormatMessage text of the HRESULT */
} texts[] = {
	{ AE_CERTSRV_E_TEMPLATE_DENIED, "Denied by Policy Module",
	  "The permissions on the certificate template do not allow the current user to "
	  "enroll for this type of certificate." },
	{ AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE, "Denied by Policy Module",
	  "The requested certificate template is not supported by this CA." },
	{ AE_CERTSRV_E_NO_CERT_TYPE, "Denied by Policy Module",
	  "The request contains no certificate template information." },
	{ AE_CERTSRV_E_TEMPLATE_CONFLICT, "Denied by Policy Module",
	  "The request contains conflicting template information." },
	{ AE_CERTSRV_E_BAD_TEMPLATE_VERSION, "Denied by Policy Module",
	  "The request template version is newer than the supported template version." },
	{ AE_CERTSRV_E_KEY_LENGTH, "Denied by Policy Module",
	  "The public key does not meet the minimum size required by the specified "
	  "certificate template." },
	{ AE_CERTSRV_E_SUBJECT_DNS_REQUIRED, "Denied by Policy Module",
	  "The Domain Name System (DNS) name is unavailable and cannot be added to the "
	  "Subject Alternate name." },
	{ CA_CERTSRV_E_SUBJECT_UPN_REQUIRED, "Denied by Policy Module",
	  "The user principal name (UPN) is unavailable and cannot be added to the "
	  "Subject Alternate name." },
	{ CA_CERTSRV_E_SUBJECT_EMAIL_REQUIRED, "Denied by Policy Module",
	  "The email name is unavailable and cannot be added to the Subject or Subject "
	  "Alternate name." },
	{ CA_E_NO_SUCH_USER, "Denied by Policy Module",
	  "The specified account does not exist." },
	{ AE_CRYPT_E_ASN1_BADTAG, "Error Parsing Request", "ASN1 bad tag value met." },
	{ AE_NTE_BAD_SIGNATURE, "Error Verifying Request Signature or Signing Certificate",
	  "Invalid Signature." },
	{ AE_CRYPT_E_INVALID_MSG_TYPE, "Error Parsing Request",
	  "Invalid cryptographic message type." },
	{ AE_CERTSRV_E_NO_REQUEST, "Error Retrieving Request", "The request does not exist." },
	{ CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE, "Error Parsing Request",
	  "The request contains an invalid renewal certificate attribute." },
	{ CA_CERTSRV_E_BAD_RENEWAL_SUBJECT, "Denied by Policy Module",
	  "The request was made on behalf of a subject other than the caller. The certificate "
	  "template must be configured to require at least one signature to authorize the "
	  "request." },
	{ CA_CRYPT_E_NO_SIGNER, "Error Verifying Request Signature or Signing Certificate",
	  "The signed cryptographic message does not have a signer for the specified signer "
	  "index." },
	{ CA_CRYPT_E_SIGNER_NOT_FOUND, "Error Verifying Request Signature or Signing Certificate",
	  "Cannot find the original signer." },
	{ CA_CRYPT_E_REVOKED, "Error Verifying Request Signature or Signing Certificate",
	  "The certificate is revoked." },
	{ CA_CERT_E_EXPIRED, "Error Verifying Request Signature or Signing Certificate",
	  "A required certificate is not within its validity period when verifying against "
	  "the current system clock or the time stamp in the signed file." },
	{ CA_CERT_E_CHAINING, "Error Verifying Request Signature or Signing Certificate",
	  "A certificate chain could not be built to a trusted root authority." },
	{ AE_E_ACCESSDENIED, "Error", "Access is denied." },
	{ AE_E_INVALIDARG, "Error", "The parameter is incorrect." },
	{ CA_ERROR_INVALID_DATA, "Error", "The data is invalid." },
	{ CA_E_DS_UNAVAILABLE, "Error", "The directory service is unavailable." },
	{ CA_E_UNEXPECTED, "Error", "Catastrophic failure." },
};

ae_err ca_answer_error(struct ca_answer *a, uint32_t hr, const char *detail)
{
	const char *prefix = "Error", *text = "Unexpected error.";
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (texts[i].hr == hr) {
			prefix = texts[i].prefix;
			text = texts[i].text;
			break;
		}
	}
	talloc_free(a->message);
	a->disposition = hr;
	a->message = talloc_asprintf(a, "%s 0x%08x, %s%s%s", prefix, hr, text,
				     detail ? " " : "", detail ? detail : "");
	return a->message == NULL ? AE_ERR_NOMEM : AE_OK;
}

static ae_err blob(TALLOC_CTX *mem_ctx, const struct ca_bytes *b, struct icpr_blob *_out)
{
	_out->cb = 0;
	_out->pb = NULL;
	if (b->len == 0) {
		return AE_OK;
	}
	if (b->len > ICPR_BLOB_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	_out->pb = talloc_memdup(mem_ctx, b->p, b->len);
	if (_out->pb == NULL) {
		return AE_ERR_NOMEM;
	}
	_out->cb = (uint32_t)b->len;
	return AE_OK;
}

ae_err ca_answer_response(TALLOC_CTX *mem_ctx, const struct ca_answer *a,
			  struct icpr_response **_r)
{
	struct icpr_response *r = talloc_zero(mem_ctx, struct icpr_response);
	uint8_t *msg = NULL;
	size_t len = 0;
	ae_err err;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->request_id = a->request_id;
	r->disposition = a->disposition;
	r->status = 0;
	err = blob(r, &a->chain, &r->cert);
	if (err == AE_OK) {
		err = blob(r, &a->cert, &r->encoded_cert);
	}
	if (err == AE_OK && a->message != NULL) {
		err = ae_utf8_to_utf16le(r, a->message, true, &msg, &len);
		if (err == AE_OK && len <= ICPR_BLOB_MAX) {
			r->message.cb = (uint32_t)len;
			r->message.pb = msg;
		}
	}
	if (err != AE_OK) {
		talloc_free(r);
		return err;
	}
	*_r = r;
	return AE_OK;
}
