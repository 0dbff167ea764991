/*
 * ca_certdb.c: the certificate index (format in ca_certdb.h).
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include "ae_file.h"
#include "ae_log.h"
#include "ca_certdb.h"
#include "ca_db.h"

#define CRL_NUMBER_MAX		((uint64_t)1 << 62)

static const char *state_names[] = { "valid", "revoked" };

bool ca_serial_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > CA_SERIAL_HEX_MAX || n % 2 != 0 ||
	    strspn(s, "0123456789ABCDEF") != n) {
		return false;
	}
	/* as BN_bn2hex writes it: no leading zero byte unless the value is 0 */
	return !(n > 2 && s[0] == '0' && s[1] == '0');
}

ae_err ca_serial_text(TALLOC_CTX *mem_ctx, const ASN1_INTEGER *serial, char **_hex)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = NULL, *out = NULL;

	if (bn == NULL) {
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	if (BN_is_negative(bn)) {
		BN_free(bn);
		return AE_ERR_PARSE;
	}
	hex = BN_bn2hex(bn);
	BN_free(bn);
	if (hex == NULL) {
		return AE_ERR_NOMEM;
	}
	if (strcmp(hex, "0") == 0) {	/* BN_bn2hex writes zero as one digit */
		out = talloc_strdup(mem_ctx, "00");
	} else if (ca_serial_valid(hex)) {
		out = talloc_strdup(mem_ctx, hex);
	} else {
		OPENSSL_free(hex);
		return AE_ERR_PARSE;
	}
	OPENSSL_free(hex);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	*_hex = out;
	return AE_OK;
}

ae_err ca_certrec_format(TALLOC_CTX *mem_ctx, const struct ca_cert_record *r, char **_text)
{
	char *sid = ca_sid_string(mem_ctx, &r->sid);
	char *text = NULL;

	if (sid == NULL) {
		return AE_ERR_NOMEM;
	}
	if (!ca_serial_valid(r->serial) || (unsigned)r->state > CA_CERT_REVOKED ||
	    (r->template_name != NULL && strchr(r->template_name, '\n') != NULL)) {
		talloc_free(sid);
		return AE_ERR_INVALID;
	}
	text = talloc_asprintf(mem_ctx,
			       "version=1\nserial=%s\nid=%" PRIu32 "\nstate=%s\ntemplate=%s\n"
			       "sid=%s\nnot_after=%" PRId64 "\nrevoked=%" PRId64 "\n"
			       "reason=%" PRIu32 "\nrenews=%s\nrenewed_by=%s\n",
			       r->serial, r->request_id, state_names[r->state],
			       r->template_name ? r->template_name : "", sid, r->not_after,
			       r->revoked, r->reason, r->renews ? r->renews : "",
			       r->renewed_by ? r->renewed_by : "");
	talloc_free(sid);
	if (text == NULL) {
		return AE_ERR_NOMEM;
	}
	*_text = text;
	return AE_OK;
}

static ae_err take_serial(struct ca_cert_record *r, const char *val, bool may_be_empty,
			  char **_field)
{
	if (!(may_be_empty && val[0] == '\0') && !ca_serial_valid(val)) {
		return AE_ERR_PARSE;
	}
	*_field = talloc_strdup(r, val);
	return *_field == NULL ? AE_ERR_NOMEM : AE_OK;
}

/* One key=value pair; 'seen' is a bit per known key (duplicates refused). */
static ae_err take_pair(struct ca_cert_record *r, const char *key, const char *val,
			unsigned *seen)
{
	static const char *keys[] = { "version", "serial", "id", "state", "template", "sid",
				      "not_after", "revoked", "reason", "renews",
				      "renewed_by" };
	uint64_t v = 0;
	unsigned i;
	ae_err err;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i]) == 0) {
			break;
		}
	}
	if (i == sizeof(keys) / sizeof(keys[0])) {
		return AE_OK;	/* unknown keys: ignored (forward compatible) */
	}
	if (*seen & (1u << i)) {
		return AE_ERR_PARSE;
	}
	*seen |= 1u << i;
	switch (i) {
	case 0:
		return strcmp(val, "1") == 0 ? AE_OK : AE_ERR_PARSE;
	case 1:
		return take_serial(r, val, false, &r->serial);
	case 2:
		err = ca_parse_u64(val, CA_DB_ID_MAX, 10, &v);
		r->request_id = (uint32_t)v;
		return err;
	case 3:
		for (i = 0; i < 2; i++) {
			if (strcmp(val, state_names[i]) == 0) {
				r->state = (enum ca_cert_state)i;
				return AE_OK;
			}
		}
		return AE_ERR_PARSE;
	case 4:
		r->template_name = talloc_strdup(r, val);
		return r->template_name == NULL ? AE_ERR_NOMEM : AE_OK;
	case 5:
		return ca_sid_from_string(val, &r->sid);
	case 6:
	case 7:
		err = ca_parse_u64(val, INT64_MAX, 10, &v);
		*(i == 6 ? &r->not_after : &r->revoked) = (int64_t)v;
		return err;
	case 8:
		err = ca_parse_u64(val, 10, 10, &v);
		r->reason = (uint32_t)v;
		return (err == AE_OK && v == 7) ? AE_ERR_PARSE : err;	/* 7 is unused */
	case 9:
		return take_serial(r, val, true, &r->renews);
	default:
		return take_serial(r, val, true, &r->renewed_by);
	}
}

ae_err ca_certrec_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ca_cert_record **_r)
{
	struct ca_cert_record *r = NULL;
	char *text = NULL, *line, *next, *eq;
	unsigned seen = 0;
	const unsigned required = 0x6f;	/* version serial id state sid not_after */
	ae_err err = AE_OK;

	if (p == NULL || len == 0 || p[len - 1] != '\n' || memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	if (len > CA_CERTREC_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	r = talloc_zero(mem_ctx, struct ca_cert_record);
	text = r ? talloc_strndup(r, (const char *)p, len) : NULL;
	if (text == NULL) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	for (line = text; err == AE_OK && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';		/* text ends with '\n' */
		eq = strchr(line, '=');
		if (eq == NULL) {
			err = AE_ERR_PARSE;
			break;
		}
		*eq = '\0';
		err = take_pair(r, line, eq + 1, &seen);
	}
	if (err == AE_OK && (seen & required) != required) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK && r->template_name == NULL) {
		r->template_name = talloc_strdup(r, "");
		err = r->template_name == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (err == AE_OK && r->renews == NULL) {
		r->renews = talloc_strdup(r, "");
		err = r->renews == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (err == AE_OK && r->renewed_by == NULL) {
		r->renewed_by = talloc_strdup(r, "");
		err = r->renewed_by == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	talloc_free(text);
	if (err != AE_OK) {
		talloc_free(r);
		return err == AE_ERR_NOMEM ? err : AE_ERR_PARSE;
	}
	*_r = r;
	return AE_OK;
}

ae_err ca_certdb_store(const char *db_dir, const struct ca_cert_record *r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *path = NULL, *text = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ca_certrec_format(tmp, r, &text);
	if (err == AE_OK) {
		path = talloc_asprintf(tmp, "%s/cert-%s", db_dir, r->serial);
		err = path == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic(path, text, strlen(text), 0600);
	}
	talloc_free(tmp);
	return err;
}

/* Read and parse one record file (path), checking its serial when given. */
static ae_err load_path(TALLOC_CTX *mem_ctx, const char *path, const char *serial,
			struct ca_cert_record **_r)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	uint8_t *data = NULL;
	size_t len = 0;
	struct ca_cert_record *r = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_file_read(tmp, path, CA_CERTREC_MAX, &data, &len);
	if (err == AE_ERR_TOO_LARGE) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		err = ca_certrec_parse(mem_ctx, data, len, &r);
	}
	if (err == AE_OK && serial != NULL && strcmp(r->serial, serial) != 0) {
		talloc_free(r);
		err = AE_ERR_PARSE;
	}
	talloc_free(tmp);
	if (err == AE_OK) {
		*_r = r;
	}
	return err;
}

ae_err ca_certdb_load(TALLOC_CTX *mem_ctx, const char *db_dir, const char *serial,
		      struct ca_cert_record **_r)
{
	char *path = NULL;
	ae_err err;

	if (serial == NULL || !ca_serial_valid(serial)) {
		return AE_ERR_NOT_FOUND;
	}
	path = talloc_asprintf(mem_ctx, "%s/cert-%s", db_dir, serial);
	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	err = load_path(mem_ctx, path, serial, _r);
	talloc_free(path);
	return err;
}

ae_err ca_certdb_revoked(TALLOC_CTX *mem_ctx, const char *db_dir,
			 struct ca_cert_record ***_list, size_t *_n)
{
	DIR *d = opendir(db_dir);
	struct dirent *e;
	struct ca_cert_record **list = NULL, *r = NULL;
	size_t n = 0, files = 0;
	char *path;
	ae_err err = AE_OK;

	if (d == NULL) {
		return AE_ERR_IO;
	}
	list = talloc_array(mem_ctx, struct ca_cert_record *, 0);
	while (list != NULL && err == AE_OK && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "cert-", 5) != 0 || !ca_serial_valid(e->d_name + 5)) {
			continue;
		}
		if (++files > CA_CERTDB_SCAN_MAX) {
			err = AE_ERR_TOO_LARGE;
			break;
		}
		path = talloc_asprintf(list, "%s/%s", db_dir, e->d_name);
		err = path == NULL ? AE_ERR_NOMEM : load_path(list, path, e->d_name + 5, &r);
		talloc_free(path);
		if (err == AE_ERR_NOMEM) {
			break;
		}
		if (err != AE_OK) {
			AE_WARN("icpr_ca: %s/%s: unreadable (%s), left out of the CRL", db_dir,
				e->d_name, ae_strerror(err));
			err = AE_OK;
			continue;
		}
		if (r->state != CA_CERT_REVOKED) {
			talloc_free(r);
			continue;
		}
		list = talloc_realloc(mem_ctx, list, struct ca_cert_record *, n + 1);
		if (list != NULL) {
			list[n++] = r;
		}
	}
	closedir(d);
	if (list == NULL) {
		return AE_ERR_NOMEM;
	}
	if (err != AE_OK) {
		talloc_free(list);
		return err;
	}
	*_list = list;
	*_n = n;
	return AE_OK;
}

ae_err ca_certdb_next_crl_number(const char *db_dir, uint64_t *_n)
{
	char *path = talloc_asprintf(NULL, "%s/crl-number", db_dir);
	uint64_t last = 0;
	ae_err err;

	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ca_counter_read(path, CRL_NUMBER_MAX, 0, "CRL numbers start again", &last);
	if (err == AE_OK) {
		err = ca_counter_write(path, last + 1);
	}
	talloc_free(path);
	if (err == AE_OK) {
		*_n = last + 1;
	}
	return err;
}

/* An ASN1_TIME as unix time. */
static bool unix_time(const ASN1_TIME *t, int64_t *_v)
{
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int days = 0, secs = 0;
	bool ok = epoch != NULL && ASN1_TIME_diff(&days, &secs, epoch, t) == 1;

	ASN1_TIME_free(epoch);
	*_v = (int64_t)days * 86400 + secs;
	return ok;
}

ae_err ca_certdb_add_issued(const char *db_dir, const uint8_t *leaf, size_t len,
			    uint32_t request_id, const char *template_name,
			    const struct ca_sid *sid, const char *renews)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const unsigned char *q = leaf;
	X509 *x = len <= LONG_MAX ? d2i_X509(NULL, &q, (long)len) : NULL;
	struct ca_cert_record r = { .request_id = request_id, .state = CA_CERT_VALID,
				    .sid = *sid };
	struct ca_cert_record *old = NULL;
	ae_err err = AE_OK;

	if (tmp == NULL) {
		err = AE_ERR_NOMEM;
	} else if (x == NULL) {
		ERR_clear_error();
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		err = ca_serial_text(tmp, X509_get0_serialNumber(x), &r.serial);
	}
	if (err == AE_OK && !unix_time(X509_get0_notAfter(x), &r.not_after)) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		r.template_name = (char *)template_name;
		r.renews = (char *)(renews ? renews : "");
		r.renewed_by = (char *)"";
		err = ca_certdb_store(db_dir, &r);
	}
	if (err == AE_OK && renews != NULL && renews[0] != '\0') {
		ae_err e2 = ca_certdb_load(tmp, db_dir, renews, &old);
		if (e2 == AE_OK) {
			old->renewed_by = r.serial;
			err = ca_certdb_store(db_dir, old);
		} else if (e2 != AE_ERR_NOT_FOUND) {
			AE_WARN("icpr_ca: %s renews %s, whose record is unreadable: %s", r.serial,
				renews, ae_strerror(e2));
		}
	}
	X509_free(x);
	talloc_free(tmp);
	return err;
}
