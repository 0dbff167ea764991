/*
 * ae_names.c: the administrator's subject and subjectAltName values
 * checked and encoded; the same names read from a certificate (ae_names.h).
 *
 *   subject   an RFC 4514 string (RFC 4514 2.4: "\," "\+" "\\" "\"" ... and
 *             "\XX" hex pairs), last RDN first in the string, so the
 *             X509_NAME is built from the end; multi-valued RDNs ('+') and
 *             hex-encoded values ('#') are refused
 *   dNSName   RFC 5280 4.2.1.6 / RFC 1034 3.5 preferred syntax: LDH labels
 *             of 1..63, at most 253 characters; "*." only as the first label
 *   iPAddress 4 or 16 octets (RFC 5280 4.2.1.6) from inet_pton
 *   UPN       otherName szOID_NT_PRINCIPAL_NAME 1.3.6.1.4.1.311.20.2.3,
 *             UTF8String ([MS-WCCE] 2.2.2.7.7.3 lists it among the SAN forms)
 *   e-mail    rfc822Name (IA5String)
 */
#include <arpa/inet.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_names.h"
#include "ae_request_private.h"
#include "ae_digits.h"

static bool is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

bool ae_names_dns_ok(const char *s)
{
	size_t n, label = 0, i;

	if (s == NULL) {
		return false;
	}
	if (strncmp(s, "*.", 2) == 0) {
		s += 2;
	}
	n = strlen(s);
	if (n == 0 || n > 253) {
		return false;
	}
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-') {
				return false;
			}
			label = 0;
		} else if (!is_ldh(s[i])) {
			return false;
		} else {
			label++;
		}
	}
	return true;
}

bool ae_names_ip_ok(const char *s)
{
	unsigned char buf[16];

	return s != NULL && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

static bool mailbox_ok(const char *s, bool ascii)
{
	const char *at = s != NULL ? strchr(s, '@') : NULL;
	size_t n, i;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL) {
		return false;
	}
	n = strlen(s);
	if (n > AE_NAMES_VALUE_MAX) {
		return false;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ' ' || (ascii && c > 0x7f)) {
			return false;
		}
	}
	return true;
}

bool ae_names_mailbox_ok(const char *s)
{
	return mailbox_ok(s, false);
}

/* rfc822Name is an IA5String (RFC 5280 4.2.1.6): ASCII only */
static bool email_ok(const char *s)
{
	return mailbox_ok(s, true);
}

/* One "type=value" of s[0..n) (unescaped in place into buf) added to name. */
static bool add_rdn(X509_NAME *name, const char *s, size_t n)
{
	char buf[AE_NAMES_DN_MAX + 1], type[64];
	const char *eq = NULL;
	size_t tl, i, w = 0;
	ASN1_OBJECT *obj = NULL;
	bool ok;

	while (n > 0 && *s == ' ') {	/* "CN=a, O=b": the blank after a comma */
		s++;
		n--;
	}
	eq = memchr(s, '=', n);
	if (eq == NULL || eq == s || (size_t)(eq - s) >= sizeof(type)) {
		return false;
	}
	tl = (size_t)(eq - s);
	memcpy(type, s, tl);
	type[tl] = '\0';
	for (i = tl + 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			return false;
		}
		if (c == '\\') {
			int h = i + 1 < n ? ae_hex_digit(s[i + 1]) : -1;
			int l = i + 2 < n ? ae_hex_digit(s[i + 2]) : -1;
			if (h >= 0 && l >= 0) {
				c = (unsigned char)(h * 16 + l);
				i += 2;
			} else if (i + 1 < n && strchr(" \"#+,;<=>\\", s[i + 1]) != NULL) {
				c = (unsigned char)s[++i];
			} else {
				return false;
			}
			if (c < 0x20 || c == 0x7f) {
				return false;
			}
		} else if (c == '+' || (c == '#' && i == tl + 1) || c == '"' || c == ';' ||
			   c == '<' || c == '>') {
			return false;	/* multi-valued RDN, hex value, unescaped specials */
		}
		buf[w++] = (char)c;
	}
	buf[w] = '\0';
	if (w == 0) {
		return false;
	}
	obj = OBJ_txt2obj(type, 0);	/* short names (CN, O, DC, ...) or a dotted OID */
	ok = obj != NULL && OBJ_obj2nid(obj) != NID_undef &&
	     X509_NAME_add_entry_by_OBJ(name, obj, MBSTRING_UTF8, (unsigned char *)buf,
					(int)w, -1, 0) == 1;
	ASN1_OBJECT_free(obj);
	return ok;
}

/* RFC 4514 string -> X509_NAME (most general RDN first). */
static X509_NAME *parse_dn(const char *dn)
{
	size_t n = strlen(dn), starts[AE_NAMES_RDNS_MAX], lens[AE_NAMES_RDNS_MAX];
	size_t k = 0, i, start = 0;
	X509_NAME *name = NULL;

	if (n == 0 || n > AE_NAMES_DN_MAX) {
		return NULL;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && dn[i] == '\\') {
			i++;	/* the escaped character (or first hex digit) */
			if (i == n) {
				return NULL;
			}
			continue;
		}
		if (i == n || dn[i] == ',') {
			if (k == AE_NAMES_RDNS_MAX || i == start) {
				return NULL;
			}
			starts[k] = start;
			lens[k++] = i - start;
			start = i + 1;
		}
	}
	name = X509_NAME_new();
	if (name == NULL) {
		return NULL;
	}
	for (i = k; i > 0; i--) {
		if (!add_rdn(name, dn + starts[i - 1], lens[i - 1])) {
			X509_NAME_free(name);
			return NULL;
		}
	}
	return name;
}

static size_t count(const char *const *l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL) {
		n++;
	}
	return n;
}

/*
 * The first value that fails its check: *_what is the option, *_desc what
 * is wrong, *_val the value (NULL: the count of names, or a UPN or e-mail
 * address, which are not echoed). false when all pass.
 */
static bool first_fault(const struct ae_names_input *in, const char **_what, const char **_desc,
			const char **_val)
{
	size_t i;

	*_val = NULL;
	if (count(in->dns) + count(in->ip) + 2 > AE_NAMES_SAN_MAX) {
		*_what = "--dns/--ip";
		*_desc = "too many subject alternative names";
		return true;
	}
	for (i = 0; in->dns != NULL && in->dns[i] != NULL; i++) {
		if (!ae_names_dns_ok(in->dns[i])) {
			*_what = "--dns";
			*_desc = "not a DNS name (LDH labels of 1 to 63 characters, at most 253, a "
				 "leading '*.' allowed)";
			*_val = in->dns[i];
			return true;
		}
	}
	for (i = 0; in->ip != NULL && in->ip[i] != NULL; i++) {
		if (!ae_names_ip_ok(in->ip[i])) {
			*_what = "--ip";
			*_desc = "not an IPv4 or IPv6 address";
			*_val = in->ip[i];
			return true;
		}
	}
	if (in->upn != NULL && !ae_names_mailbox_ok(in->upn)) {
		*_what = "--upn";
		*_desc = "not name@domain (one '@', no spaces or control characters)";
		return true;
	}
	if (in->email != NULL && !email_ok(in->email)) {
		*_what = "--email";
		*_desc = "not local@domain (one '@', ASCII, no spaces or control characters)";
		return true;
	}
	return false;
}

/* AE_ERR_INVALID with *_why (on mem) naming the value that fails; AE_OK when all pass. */
static ae_err check_values(TALLOC_CTX *mem, const struct ae_names_input *in, char **_why)
{
	const char *what = NULL, *desc = NULL, *val = NULL;

	if (!first_fault(in, &what, &desc, &val)) {
		return AE_OK;
	}
	*_why = val != NULL ? talloc_asprintf(mem, "%s '%s': %s", what, val, desc) :
			      talloc_asprintf(mem, "%s: %s", what, desc);
	return *_why != NULL ? AE_ERR_INVALID : AE_ERR_NOMEM;
}

ae_err ae_names_build(TALLOC_CTX *mem, const struct ae_names_input *in,
		      struct ae_names **_out, char **_why)
{
	struct ae_names *o = NULL;
	X509_NAME *name = NULL;
	unsigned char *der = NULL;
	char *why = NULL;
	ae_err err = AE_OK;
	int n;

	if (in == NULL || _out == NULL || _why == NULL) {
		return AE_ERR_INVALID;
	}
	o = talloc_zero(mem, struct ae_names);
	if (o == NULL) {
		return AE_ERR_NOMEM;
	}
	err = check_values(o, in, &why);
	if (err == AE_OK && in->subject != NULL) {
		name = parse_dn(in->subject);
		if (name == NULL) {
			why = talloc_asprintf(o, "--subject '%s': not an RFC 4514 distinguished name "
					      "(type=value, comma-separated, at most %u characters "
					      "and %u RDNs, no '+' or '#' values)", in->subject,
					      AE_NAMES_DN_MAX, AE_NAMES_RDNS_MAX);
			err = why != NULL ? AE_ERR_INVALID : AE_ERR_NOMEM;
		} else {
			n = i2d_X509_NAME(name, &der);
			err = ae_req_der_to_talloc(o, der, n, &o->subject_der, &o->subject_len);
		}
	}
	X509_NAME_free(name);
	ERR_clear_error();
	if (err == AE_ERR_INVALID) {
		*_why = talloc_steal(mem, why);
		talloc_free(o);
		return err;
	}
	if (err == AE_OK) {
		err = ae_names_build_san(o, in, o);
	}
	ERR_clear_error();
	if (err != AE_OK) {
		talloc_free(o);
		return err;
	}
	*_out = o;
	return AE_OK;
}

