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
#include "ae_x509.h"

#define OID_UPN "1.3.6.1.4.1.311.20.2.3"

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

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
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
			int h = i + 1 < n ? hexval(s[i + 1]) : -1;
			int l = i + 2 < n ? hexval(s[i + 2]) : -1;
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

static bool push_string(GENERAL_NAMES *gens, int type, const void *v, int len)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_STRING *s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();

	if (g == NULL || s == NULL || ASN1_STRING_set(s, v, len) != 1) {
		GENERAL_NAME_free(g);
		ASN1_STRING_free(s);
		return false;
	}
	GENERAL_NAME_set0_value(g, type, s);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return false;
	}
	return true;
}

static bool push_ip(GENERAL_NAMES *gens, const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		return push_string(gens, GEN_IPADD, buf, 4);
	}
	return inet_pton(AF_INET6, s, buf) == 1 && push_string(gens, GEN_IPADD, buf, 16);
}

static bool push_upn(GENERAL_NAMES *gens, const char *upn)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OBJECT *obj = OBJ_txt2obj(OID_UPN, 1);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();

	if (g == NULL || obj == NULL || t == NULL || s == NULL ||
	    ASN1_STRING_set(s, upn, -1) != 1) {
		GENERAL_NAME_free(g);
		ASN1_OBJECT_free(obj);
		ASN1_TYPE_free(t);
		ASN1_STRING_free(s);
		return false;
	}
	ASN1_TYPE_set(t, V_ASN1_UTF8STRING, s);
	if (GENERAL_NAME_set0_othername(g, obj, t) != 1) {
		GENERAL_NAME_free(g);
		ASN1_OBJECT_free(obj);
		ASN1_TYPE_free(t);
		return false;
	}
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return false;
	}
	return true;
}

static size_t count(const char *const *l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL) {
		n++;
	}
	return n;
}

/* The values checked, each fault named; NULL when all pass. */
static char *check_values(TALLOC_CTX *mem, const struct ae_names_input *in)
{
	size_t i;

	if (count(in->dns) + count(in->ip) + 2 > AE_NAMES_SAN_MAX) {
		return talloc_asprintf(mem, "more than %u subject alternative names",
				       AE_NAMES_SAN_MAX - 2);
	}
	for (i = 0; in->dns != NULL && in->dns[i] != NULL; i++) {
		if (!ae_names_dns_ok(in->dns[i])) {
			return talloc_asprintf(mem, "--dns '%s': not a DNS name (LDH labels of 1 to "
					       "63 characters, at most 253, a leading '*.' allowed)",
					       in->dns[i]);
		}
	}
	for (i = 0; in->ip != NULL && in->ip[i] != NULL; i++) {
		if (!ae_names_ip_ok(in->ip[i])) {
			return talloc_asprintf(mem, "--ip '%s': not an IPv4 or IPv6 address",
					       in->ip[i]);
		}
	}
	if (in->upn != NULL && !ae_names_mailbox_ok(in->upn)) {
		return talloc_strdup(mem, "--upn: not name@domain (one '@', no spaces or control "
				     "characters)");
	}
	if (in->email != NULL && !email_ok(in->email)) {
		return talloc_strdup(mem, "--email: not local@domain (one '@', ASCII, no spaces or "
				     "control characters)");
	}
	return NULL;
}

static ae_err build_san(TALLOC_CTX *mem, const struct ae_names_input *in, struct ae_names *o)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	unsigned char *der = NULL;
	bool ok = gens != NULL;
	size_t i;
	int n;

	for (i = 0; ok && in->dns != NULL && in->dns[i] != NULL; i++) {
		ok = push_string(gens, GEN_DNS, in->dns[i], (int)strlen(in->dns[i]));
	}
	for (i = 0; ok && in->ip != NULL && in->ip[i] != NULL; i++) {
		ok = push_ip(gens, in->ip[i]);
	}
	if (ok && in->upn != NULL) {
		ok = push_upn(gens, in->upn);
	}
	if (ok && in->email != NULL) {
		ok = push_string(gens, GEN_EMAIL, in->email, (int)strlen(in->email));
	}
	if (!ok || sk_GENERAL_NAME_num(gens) == 0) {
		GENERAL_NAMES_free(gens);
		return ok ? AE_OK : AE_ERR_CRYPTO;
	}
	n = i2d_GENERAL_NAMES(gens, &der);
	GENERAL_NAMES_free(gens);
	return ae_req_der_to_talloc(mem, der, n, &o->san_der, &o->san_len);
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
	why = check_values(o, in);
	if (why == NULL && in->subject != NULL) {
		name = parse_dn(in->subject);
		if (name == NULL) {
			why = talloc_asprintf(o, "--subject '%s': not an RFC 4514 distinguished name "
					      "(type=value, comma-separated, at most %u characters "
					      "and %u RDNs, no '+' or '#' values)", in->subject,
					      AE_NAMES_DN_MAX, AE_NAMES_RDNS_MAX);
		} else {
			n = i2d_X509_NAME(name, &der);
			err = ae_req_der_to_talloc(o, der, n, &o->subject_der, &o->subject_len);
		}
	}
	X509_NAME_free(name);
	ERR_clear_error();
	if (why != NULL) {
		*_why = talloc_steal(mem, why);
		talloc_free(o);
		return AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		err = build_san(o, in, o);
	}
	ERR_clear_error();
	if (err != AE_OK) {
		talloc_free(o);
		return err;
	}
	*_out = o;
	return AE_OK;
}

ae_err ae_names_from_cert(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			  struct ae_names **_out)
{
	const unsigned char *q = p;
	X509 *x = NULL;
	struct ae_names *o = NULL;
	const ASN1_OCTET_STRING *san = NULL;
	unsigned char *der = NULL;
	ae_err err = AE_OK;
	int i, n;

	if (p == NULL || len == 0 || len > INT32_MAX || _out == NULL) {
		return AE_ERR_INVALID;
	}
	x = d2i_X509(NULL, &q, (long)len);
	if (x == NULL || q != p + len) {
		X509_free(x);
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	o = talloc_zero(mem, struct ae_names);
	if (o == NULL) {
		X509_free(x);
		return AE_ERR_NOMEM;
	}
	if (X509_NAME_entry_count(X509_get_subject_name(x)) > 0) {
		n = i2d_X509_NAME(X509_get_subject_name(x), &der);
		err = ae_req_der_to_talloc(o, der, n, &o->subject_der, &o->subject_len);
	}
	i = X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
	if (err == AE_OK && i >= 0) {
		san = X509_EXTENSION_get_data(X509_get_ext(x, i));
		o->san_der = talloc_memdup(o, ASN1_STRING_get0_data(san),
					   (size_t)ASN1_STRING_length(san));
		o->san_len = (size_t)ASN1_STRING_length(san);
		err = o->san_der == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	X509_free(x);
	ERR_clear_error();
	if (err == AE_OK && (o->subject_len > AE_NAMES_DER_MAX || o->san_len > AE_NAMES_DER_MAX)) {
		err = AE_ERR_TOO_LARGE;
	}
	if (err != AE_OK) {
		talloc_free(o);
		return err;
	}
	*_out = o;
	return AE_OK;
}

ae_err ae_names_of_cert(TALLOC_CTX *mem, const struct ae_cert *c, struct ae_names **_out)
{
	unsigned char *der = NULL;
	int n;
	ae_err err;

	if (c == NULL || c->x509 == NULL || _out == NULL) {
		return AE_ERR_INVALID;
	}
	n = i2d_X509(c->x509, &der);
	if (n <= 0) {
		ERR_clear_error();
		return AE_ERR_CRYPTO;
	}
	err = ae_names_from_cert(mem, der, (size_t)n, _out);
	OPENSSL_free(der);
	return err;
}
