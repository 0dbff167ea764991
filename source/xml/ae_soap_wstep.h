/*
 * ae_soap_wstep.h: the Detail of an MS-WSTEP SOAP fault,
 * CertificateEnrollmentWSDetail ([MS-WSTEP] 3.1.4.1.2.1 / 3.1.4.1.4.1):
 * the CA's error code (an HRESULT), the request ID a pending or denied
 * request got, whether the request was invalid, and the BinaryResponse.
 */
#ifndef AE_SOAP_WSTEP_H
#define AE_SOAP_WSTEP_H

#include "ae_soap.h"

#define AE_WSTEP_NS		"http://schemas.microsoft.com/windows/pki/2009/01/enrollment"
#define AE_WSTEP_REQUEST_ID_MAX	64		/* bytes of RequestID */
#define AE_WSTEP_BINARY_MAX	(1024u * 1024u)	/* decoded BinaryResponse */

/* Which elements carried a value (not absent, not nil). */
enum ae_wstep_detail_has {
	AE_WSTEP_HAS_ERROR_CODE		= 1u << 0,
	AE_WSTEP_HAS_INVALID_REQUEST	= 1u << 1,
	AE_WSTEP_HAS_REQUEST_ID		= 1u << 2,
	AE_WSTEP_HAS_BINARY_RESPONSE	= 1u << 3,
};

struct ae_wstep_fault_detail {
	uint32_t hresult;		/* ErrorCode (xs:int) as its 32 bits */
	bool invalid_request;
	char *request_id;		/* NULL when absent or nil */
	uint8_t *binary_response;	/* base64-decoded; NULL when absent or nil */
	size_t binary_response_len;
	uint32_t present;		/* enum ae_wstep_detail_has */
};

/*
 * The CertificateEnrollmentWSDetail inside fault f's Detail. AE_ERR_NOT_FOUND:
 * the fault has no Detail or no such element (a plain SOAP fault);
 * AE_ERR_PARSE: a value of the wrong syntax (ErrorCode not a 32-bit integer,
 * RequestID empty or with characters other than digits, BinaryResponse not
 * base64); AE_ERR_TOO_LARGE above the caps. *out set only on success.
 */
ae_err ae_soap_wstep_detail(TALLOC_CTX *mem, const struct ae_soap_fault *f,
			    struct ae_wstep_fault_detail **out);

#endif
