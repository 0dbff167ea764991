/*
 * ca_der.h: the few DER pieces the CA writes and reads itself (Microsoft
 * extensions OpenSSL has no type for). Definite lengths only; every read is
 * bounded by the buffer it is given.
 */
#ifndef CA_DER_H
#define CA_DER_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"

#define CA_DER_MAX		(1024u * 1024u)	/* any TLV we build or read */
#define CA_OID_TEXT_MAX		128u		/* dotted OID text */
#define CA_TEMPLATE_NAME_MAX	256u		/* template cn, in characters */

#define CA_OID_TEMPLATE_EXT	"1.3.6.1.4.1.311.21.7"
#define CA_OID_TEMPLATE_NAME	"1.3.6.1.4.1.311.20.2"
#define CA_OID_SID_EXT		"1.3.6.1.4.1.311.25.2"
#define CA_OID_SID_OTHERNAME	"1.3.6.1.4.1.311.25.2.1"
#define CA_OID_APP_POLICIES	"1.3.6.1.4.1.311.21.10"
#define CA_OID_UPN		"1.3.6.1.4.1.311.20.2.3"
#define CA_OID_DS_GUID		"1.3.6.1.4.1.311.25.1"

/* A byte string on a talloc context. */
struct ca_bytes {
	uint8_t *p;
	size_t len;
};

/* tag + DER length + content, on mem_ctx. */
ae_err ca_der_tlv(TALLOC_CTX *mem_ctx, uint8_t tag, const uint8_t *content, size_t clen,
		  struct ca_bytes *_out);
/* Concatenate n byte strings (for SEQUENCE contents). */
ae_err ca_der_cat(TALLOC_CTX *mem_ctx, const struct ca_bytes *parts, size_t n,
		  struct ca_bytes *_out);
/* OBJECT IDENTIFIER TLV from dotted text. */
ae_err ca_der_oid(TALLOC_CTX *mem_ctx, const char *oid, struct ca_bytes *_out);
/* INTEGER TLV of a non-negative value. */
ae_err ca_der_uint(TALLOC_CTX *mem_ctx, uint32_t v, struct ca_bytes *_out);

/* SEQ { OID templateID, INTEGER major, INTEGER minor } (MS-WCCE 2.2.2.7.7.2) */
ae_err ca_der_template_ext(TALLOC_CTX *mem_ctx, const char *oid, uint32_t major,
			   uint32_t minor, struct ca_bytes *_out);
/* BMPString of the template cn (MS-WCCE 2.2.2.7.7.1, as Windows encodes it) */
ae_err ca_der_template_name_ext(TALLOC_CTX *mem_ctx, const char *cn, struct ca_bytes *_out);
/*
 * szOID_NTDS_CA_SECURITY_EXT value: SEQ { [0] { OID 25.2.1, [0] { OCTET
 * STRING <textual SID> } } } (MS-WCCE 2.2.2.7.7.4).
 */
ae_err ca_der_sid_ext(TALLOC_CTX *mem_ctx, const char *sid_text, struct ca_bytes *_out);

/*
 * Read one TLV at p (len bytes): single-byte tag, definite length of at most
 * 4 length octets, content inside the buffer. *_used = header + content.
 */
ae_err ca_der_read(const uint8_t *p, size_t len, uint8_t *_tag, const uint8_t **_content,
		   size_t *_clen, size_t *_used);

/* Template extension value -> OID text, major, minor (absent: 0). */
ae_err ca_der_parse_template_ext(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				 char **_oid, uint32_t *_major, uint32_t *_minor);
/* Template name extension: BMPString, or SEQ { UTF8String } -> UTF-8. */
ae_err ca_der_parse_template_name(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				  char **_name);

/*
 * szOID_NTDS_CA_SECURITY_EXT value (the shape ca_der_sid_ext builds) ->
 * the textual SID (at most CA_SID_STRING_MAX bytes, checked with
 * ca_sid_from_string). Anything else -> AE_ERR_PARSE / AE_ERR_TRAILING.
 */
ae_err ca_der_parse_sid_ext(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, char **_sid);

/*
 * pKIExpirationPeriod / pKIOverlapPeriod: 8 bytes, little-endian negative
 * int64 in 100 ns units (MS-CRTD 2.11) -> whole seconds (> 0). Anything
 * else -> AE_ERR_PARSE.
 */
ae_err ca_period_parse(const uint8_t *p, size_t len, int64_t *_seconds);

#endif
