/*
 * ae_ms_ext.h: the Microsoft certificate/request structures that name a
 * template and describe the client (MS-WCCE 2.2.2.7).
 *
 * Encoders produce the DER of the extension or attribute VALUE (what goes
 * inside the extension's OCTET STRING / the attribute's SET). Decoders read
 * untrusted certificate bytes: capped by AE_MS_EXT_MAX, exactly one
 * structure, no trailing bytes (AE_ERR_TRAILING), outputs set on success only.
 * All returned memory is on mem_ctx.
 */
#ifndef AE_MS_EXT_H
#define AE_MS_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

/* szOID_CERTIFICATE_TEMPLATE: SEQ { OID templateID, INTEGER major OPT, INTEGER minor OPT } */
#define AE_OID_CERT_TEMPLATE "1.3.6.1.4.1.311.21.7"
/* szOID_ENROLL_CERTTYPE_EXTENSION: v1 template name (BMPString in practice) */
#define AE_OID_TEMPLATE_NAME "1.3.6.1.4.1.311.20.2"
/* szOID_REQUEST_CLIENT_INFO: SEQ { INTEGER id, UTF8 machine, UTF8 user, UTF8 process } */
#define AE_OID_REQUEST_CLIENT_INFO "1.3.6.1.4.1.311.21.20"
/* szOID_OS_VERSION: IA5String "major.minor.build.platform" */
#define AE_OID_OS_VERSION "1.3.6.1.4.1.311.13.2.3"
/* szOID_NTDS_CA_SECURITY_EXT: the requester's objectSid (MS-WCCE 2.2.2.7.7.4) */
#define AE_OID_NTDS_CA_SECURITY_EXT "1.3.6.1.4.1.311.25.2"
/* szOID_NTDS_OBJECTSID: the OtherName type-id inside it */
#define AE_OID_NTDS_OBJECTSID "1.3.6.1.4.1.311.25.2.1"
/* Longest SID string: "S-1-" 15 digits of authority, 15 sub-authorities of 10 */
#define AE_MS_SID_STRING_MAX 184

/* Largest extension value the decoders accept. */
#define AE_MS_EXT_MAX 4096
/* Longest template name (UTF-8 bytes) and client-info string. */
#define AE_TEMPLATE_NAME_MAX 256
#define AE_MS_STRING_MAX 1024

/*
 * Template extension value: SEQ { OID, INTEGER major, INTEGER minor }.
 * oid must be dotted numeric (else AE_ERR_INVALID).
 */
ae_err ae_ms_template_ext_encode(TALLOC_CTX *mem_ctx, const char *oid,
				 uint32_t major, uint32_t minor,
				 uint8_t **_der, size_t *_len);

/*
 * Decode a template extension value. The integers are optional in the
 * structure: *has_major / *has_minor say whether they were present (the
 * value is 0 if not). Negative or > UINT32_MAX integers -> AE_ERR_PARSE.
 */
ae_err ae_ms_template_ext_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				 char **_oid, uint32_t *_major, bool *_has_major,
				 uint32_t *_minor, bool *_has_minor);

/*
 * v1 template name value as a bare BMPString (1E len UTF-16BE), the form
 * Windows sends (MS-WSTEP 4.1.1.1 example; MS-WCCE 2.2.2.7.7.1 gives a
 * SEQUENCE { UTF8String }). name: UTF-8, 1..AE_TEMPLATE_NAME_MAX
 * bytes, Basic Multilingual Plane only (else AE_ERR_INVALID).
 */
ae_err ae_ms_template_name_encode(TALLOC_CTX *mem_ctx, const char *name,
				  uint8_t **_der, size_t *_len);

/*
 * Decode a v1 template name value: BMPString, UTF8String, or SEQ { one
 * UTF8String or BMPString } (the MS-WCCE text). Result is UTF-8 without
 * interior NULs, 1..AE_TEMPLATE_NAME_MAX bytes.
 */
ae_err ae_ms_template_name_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				  char **_name);

/*
 * Request client info attribute value. NULL strings are sent empty; each is
 * UTF-8 of at most AE_MS_STRING_MAX bytes (else AE_ERR_INVALID).
 */
ae_err ae_ms_client_info_encode(TALLOC_CTX *mem_ctx, uint32_t client_id,
				const char *machine, const char *user,
				const char *process, uint8_t **_der, size_t *_len);

/*
 * szOID_NTDS_CA_SECURITY_EXT value ([MS-WCCE] 2.2.2.7.7.4): the SID string
 * as an OtherName { type-id szOID_NTDS_OBJECTSID, value OCTET STRING },
 * encoded as a GeneralName inside GeneralNames (SEQUENCE { [0] { OID,
 * [0] { OCTET STRING "S-1-5-21-..." } } }), the form Windows clients and
 * CAs write since KB5014754. sid: "S-1-" then decimal numbers separated by
 * single '-', at most AE_MS_SID_STRING_MAX characters (else AE_ERR_INVALID).
 */
ae_err ae_ms_sid_ext_encode(TALLOC_CTX *mem_ctx, const char *sid,
			    uint8_t **_der, size_t *_len);

#endif
