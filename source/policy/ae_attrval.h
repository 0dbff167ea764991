/*
 * ae_attrval.h: typed reading of directory attribute values (internal to the
 * policy layer; used by ae_template.c and ae_pki_parse.c).
 *
 * Every value is untrusted. Readers take the canonical attribute name for
 * their message, write a one-line reason into 'why' (may be NULL) on
 * failure -- "<attribute>: '<value>' is not an integer" -- and set their
 * outputs only on success. 'a' must not be NULL for single-valued readers
 * (callers decide what absence means); list readers treat NULL as empty.
 */
#ifndef AE_ATTRVAL_H
#define AE_ATTRVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_entry.h"

#define AE_OID_MAX		256	/* characters of a dotted-decimal OID */
#define AE_WHY_VALUE_SHOWN	48	/* bytes of a bad value quoted in 'why' */
#define AE_WHY_SHOWN_BUF	(4 * AE_WHY_VALUE_SHOWN + 4)	/* ae_value_show() buffer */

/* ae_why() (snprintf into a 'why' buffer) is util's, in ae_error.h. */

/* Render a value for a message: printable ASCII as is, other bytes as \xNN,
 * cut after AE_WHY_VALUE_SHOWN bytes with "...". Always NUL-terminates. */
void ae_value_show(const uint8_t *p, size_t len, char *buf, size_t buf_len);

/*
 * LDAP INTEGER text (RFC 4517 3.3.16, signed 32-bit in AD): '-'? digits, no
 * sign '+', no blanks, no leading zeros except "0", within INT32_MIN..MAX.
 * "-1509949440" -> -1509949440 (0xA6000000 when read as flags).
 */
ae_err ae_value_int32(const uint8_t *p, size_t len, int32_t *_out);

/* The same syntax within int64 (AD LargeInteger, e.g. uSNChanged). */
ae_err ae_value_int64(const uint8_t *p, size_t len, int64_t *_out);

/* Dotted decimal, at least two arcs, each arc digits without leading zero,
 * first arc 0..2, at most AE_OID_MAX characters. */
bool ae_oid_valid(const char *s, size_t len);

/* Exactly one value, else AE_ERR_PARSE naming the attribute. */
ae_err ae_attr_single(const struct ae_ldap_attr *a, const char *name,
		      const struct ae_ldap_value **_v, char *why, size_t why_len);

/* Single-valued INTEGER. */
ae_err ae_attr_int32(const struct ae_ldap_attr *a, const char *name,
		     int32_t *_out, char *why, size_t why_len);

/* Single-valued INTEGER that must be >= 0 (counts, versions, sizes). */
ae_err ae_attr_uint31(const struct ae_ldap_attr *a, const char *name,
		      uint32_t *_out, char *why, size_t why_len);

/* Single-valued LargeInteger that must be >= 0. */
ae_err ae_attr_uint63(const struct ae_ldap_attr *a, const char *name,
		      uint64_t *_out, char *why, size_t why_len);

/* Single-valued text, no NUL byte, at most max_len bytes; copied on mem_ctx. */
ae_err ae_attr_text(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
		    size_t max_len, char **_out, char *why, size_t why_len);

/* Single-valued OID. */
ae_err ae_attr_oid(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
		   char **_out, char *why, size_t why_len);

/*
 * Multi-valued text / OIDs: a talloc array of strings on mem_ctx (NULL and 0
 * when 'a' is NULL). At most max_values values of max_len bytes each.
 */
ae_err ae_attr_text_list(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
			 size_t max_values, size_t max_len,
			 char ***_out, size_t *_num, char *why, size_t why_len);
ae_err ae_attr_oid_list(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
			size_t max_values, char ***_out, size_t *_num,
			char *why, size_t why_len);

/*
 * pKIExpirationPeriod / pKIOverlapPeriod (MS-CRTD 2.11, 2.15): exactly 8
 * bytes, a little-endian int64 <= 0 counting 100 ns units; the result is
 * -(value) / 10^7 seconds, truncated. "00 40 39 87 2E E1 FE FF" = 365 d.
 */
ae_err ae_attr_filetime_period(const struct ae_ldap_attr *a, const char *name,
			       int64_t *_seconds, char *why, size_t why_len);

#endif
