/*
 * ae_wstep.h: [MS-WSTEP] (WS-Trust X.509v3 Token Enrollment Extensions)
 * messages: the RequestSecurityToken requests a client sends to a CES
 * (issue, pending retrieval) and the parser of the CES's answer
 * (RequestSecurityTokenResponseCollection or SOAP 1.2 fault).
 *
 * Only the messages: HTTPS, authentication and the store are other layers'.
 * The answer keeps the three things the MS-ICPR path keeps apart: whether
 * the service answered at all (a SOAP fault without a CA error code is the
 * service's refusal, not a CA disposition), the CA's disposition (issued,
 * pending, or denied with the CA's HRESULT from CertificateEnrollmentWSDetail
 * ErrorCode, [MS-WSTEP] 3.1.4.1.4.1), and its message.
 */
#ifndef AE_WSTEP_H
#define AE_WSTEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

/* namespaces and URIs of [MS-WSTEP] 2.2 and 3.1.4.1.2 */
#define AE_WSTEP_NS_SOAP	"http://www.w3.org/2003/05/soap-envelope"
#define AE_WSTEP_NS_WSA		"http://www.w3.org/2005/08/addressing"
#define AE_WSTEP_NS_WST		"http://docs.oasis-open.org/ws-sx/ws-trust/200512"
#define AE_WSTEP_NS_WSSE \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define AE_WSTEP_NS_ENROLL	"http://schemas.microsoft.com/windows/pki/2009/01/enrollment"
#define AE_WSTEP_NS_AUTH	"http://schemas.xmlsoap.org/ws/2006/12/authorization"
#define AE_WSTEP_ACTION_RST	AE_WSTEP_NS_ENROLL "/RST/wstep"
#define AE_WSTEP_ACTION_RSTRC	AE_WSTEP_NS_ENROLL "/RSTRC/wstep"
#define AE_WSTEP_TOKEN_X509V3 \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
#define AE_WSTEP_TOKEN_PKCS7 \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7"
#define AE_WSTEP_REQTYPE_ISSUE	AE_WSTEP_NS_WST "/Issue"
#define AE_WSTEP_REQTYPE_QUERY	AE_WSTEP_NS_ENROLL "/QueryTokenStatus"
#define AE_WSTEP_VALUE_PKCS7	AE_WSTEP_NS_ENROLL "#PKCS7"
#define AE_WSTEP_VALUE_PKCS10	AE_WSTEP_NS_ENROLL "#PKCS10"
/* the chain's ValueType in [MS-WSTEP] 4.1.1.2 (AD CS's answer) */
#define AE_WSTEP_SECEXT_PKCS7	AE_WSTEP_NS_WSSE "#PKCS7"
#define AE_WSTEP_ENC_BASE64	AE_WSTEP_NS_WSSE "#base64binary"
#define AE_WSTEP_PASSWORD_TEXT \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"

/* caps of the parser */
#define AE_WSTEP_MAX_RESPONSE	(1024 * 1024)	/* the whole answer */
#define AE_WSTEP_MAX_CERT	(64 * 1024)	/* the issued certificate, DER */
#define AE_WSTEP_MAX_CHAIN	(512 * 1024)	/* the PKCS#7 chain, DER */
#define AE_WSTEP_MAX_TEXT	(16 * 1024)	/* a message, code or request id */

enum ae_wstep_token {
	AE_WSTEP_PKCS10 = 0,	/* a new request */
	AE_WSTEP_PKCS7,		/* CMS over the PKCS#10 (the Windows renewal, ae_renewal.h) */
};

struct ae_wstep_req {
	const char *to;			/* the CES URI: https:// only (wsa:To) */
	const char *message_id;		/* "urn:uuid:..."; NULL: a random one */
	/* ae_wstep_build_issue */
	enum ae_wstep_token token_type;
	const uint8_t *token;		/* DER */
	size_t token_len;
	const char *template_name;	/* NULL: no AdditionalContext */
	/* ae_wstep_build_query */
	const char *request_id;		/* the CA's request id (decimal for AD CS) */
	/* optional WS-Security UsernameToken (both or neither) */
	const char *username;
	const char *password;		/* the caller's buffer; never copied into libxml2 */
};

/*
 * The SOAP 1.2 envelope of an issue request ([MS-WSTEP] 3.1.4.1.1,
 * RequestType Issue, 3.1.4.2.1.1): WS-Addressing Action/MessageID/ReplyTo/To,
 * RequestSecurityToken with TokenType X509v3, the BinarySecurityToken
 * (ValueType #PKCS10 or #PKCS7, base64binary) and, with a template name,
 * AdditionalContext ContextItem "CertificateTemplate" (3.1.4.1.3.3). With a
 * password the output buffer is wiped when freed. Outputs only on success.
 */
ae_err ae_wstep_build_issue(TALLOC_CTX *mem, const struct ae_wstep_req *r,
			    uint8_t **_out, size_t *_len);

/*
 * A fresh WS-Addressing MessageID: "urn:uuid:" and a random (version 4,
 * RFC 4122 §4.4) UUID, NUL-terminated in out. AE_ERR_CRYPTO without
 * randomness.
 */
ae_err ae_wstep_message_id(char out[46]);

/*
 * The pending-retrieval request ([MS-WSTEP] 3.1.4.1.2.7 RequestType
 * QueryTokenStatus, 3.1.4.2.1.2): RequestSecurityToken with the RequestID.
 */
ae_err ae_wstep_build_query(TALLOC_CTX *mem, const struct ae_wstep_req *r,
			    uint8_t **_out, size_t *_len);

enum ae_wstep_disposition {
	AE_WSTEP_ISSUED = 1,	/* cert set (chain when the CES sent one) */
	AE_WSTEP_PENDING,	/* request_id set: ask again with ae_wstep_build_query */
	AE_WSTEP_DENIED,	/* a fault with the CA's HRESULT (error_code) */
	AE_WSTEP_FAULT,		/* a fault without a CA error code: the service refused */
};

struct ae_wstep_result {
	enum ae_wstep_disposition disposition;
	char *message;		/* DispositionMessage, or the fault's Reason; "" if none */
	char *request_id;	/* RequestID as sent, or NULL */
	uint32_t request_id_num;	/* its value when decimal and < 2^32, else 0 */
	uint8_t *cert;		/* ISSUED: the certificate, DER */
	size_t cert_len;
	uint8_t *chain;		/* the PKCS#7 (certs-only or CMC) BinarySecurityToken, DER,
				 * or NULL; ae_pkcs7_certs_parse reads it */
	size_t chain_len;
	/* faults */
	char *fault_code;	/* Code/Value QName text, e.g. "s:Receiver" */
	char *fault_subcode;	/* Code/Subcode/Value, or NULL */
	bool has_detail;	/* CertificateEnrollmentWSDetail present */
	bool has_error_code;
	uint32_t error_code;	/* ErrorCode (xs:int) as an HRESULT */
	bool invalid_request;	/* InvalidRequest true */
	char *binary_response;	/* BinaryResponse text (base64 CMC), or NULL */
	/* the Header's wsa:RelatesTo (WS-Addressing 1.0 Core §3.2: the MessageID of
	 * the request this answers), or NULL when the answer has none */
	char *relates_to;
};

/*
 * Parse a CES answer. Outputs only on success (*_out on mem). A document
 * that is not a SOAP 1.2 envelope holding exactly one
 * RequestSecurityTokenResponseCollection with one RequestSecurityTokenResponse,
 * or a Fault, is AE_ERR_PARSE; above the caps AE_ERR_TOO_LARGE; a DTD,
 * a NUL byte or content after the root element is refused. An empty
 * certificate token counts as none (the answer is then pending when it
 * has a RequestID); the chain's ValueType may be either #PKCS7 URI.
 */
ae_err ae_wstep_parse_response(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			       struct ae_wstep_result **_out);

/*
 * The MS-ICPR shape of an answer (struct icpr_response's disposition):
 * 3 issued, 5 pending, the HRESULT for DENIED; 0 for FAULT (no CA
 * disposition: the method failed, which the caller reports as such).
 */
uint32_t ae_wstep_icpr_disposition(const struct ae_wstep_result *r);

#endif
