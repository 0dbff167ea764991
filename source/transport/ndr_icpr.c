/*
 * ndr_icpr.c: CertServerRequest on libndr's public primitives.
 * Layout: idl/icpr.idl (and its wire notes).
 */
#include <stdbool.h>
#include <string.h>
#include <talloc.h>
#include <ndr.h>
#include "ndr_icpr.h"
#include "ae_utf16.h"

static ae_err ndr_to_ae(enum ndr_err_code e)
{
	switch (e) {
	case NDR_ERR_SUCCESS: return AE_OK;
	case NDR_ERR_ALLOC: return AE_ERR_NOMEM;
	default: return AE_ERR_PARSE;
	}
}

/* ---- push ------------------------------------------------------------- */

static ae_err push_blob(struct ndr_push *ndr, const struct icpr_blob *b)
{
	enum ndr_err_code e;
	if (b->pb == NULL && b->cb != 0) {
		return AE_ERR_INVALID;
	}
	if (b->cb > ICPR_BLOB_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	e = ndr_push_align(ndr, 4);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_push_uint32(ndr, NDR_SCALARS, b->cb);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_push_unique_ptr(ndr, b->pb);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	if (b->pb != NULL) {
		e = ndr_push_uint32(ndr, NDR_SCALARS, b->cb);	/* max_count */
		if (e != NDR_ERR_SUCCESS) {
			return ndr_to_ae(e);
		}
		e = ndr_push_array_uint8(ndr, NDR_SCALARS, b->pb, b->cb);
		if (e != NDR_ERR_SUCCESS) {
			return ndr_to_ae(e);
		}
	}
	return AE_OK;
}

static ae_err push_authority(TALLOC_CTX *tmp, struct ndr_push *ndr, const char *authority)
{
	enum ndr_err_code e;
	uint8_t *u16 = NULL;
	size_t len = 0;
	ae_err err;

	e = ndr_push_unique_ptr(ndr, authority);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	if (authority == NULL) {
		return AE_OK;
	}
	err = ae_utf8_to_utf16le(tmp, authority, true, &u16, &len);
	if (err != AE_OK) {
		return err;
	}
	if (len / 2 > ICPR_AUTHORITY_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	e = ndr_push_uint32(ndr, NDR_SCALARS, (uint32_t)(len / 2));	/* max_count */
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_push_uint32(ndr, NDR_SCALARS, 0);			/* offset */
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_push_uint32(ndr, NDR_SCALARS, (uint32_t)(len / 2));	/* actual_count */
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_push_bytes(ndr, u16, (uint32_t)len);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	return AE_OK;
}

static ae_err finish_push(TALLOC_CTX *mem_ctx, struct ndr_push *ndr, uint8_t **_out, size_t *_len)
{
	DATA_BLOB b = ndr_push_blob(ndr);
	uint8_t *out = talloc_memdup(mem_ctx, b.data, b.length);

	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	*_out = out;
	*_len = b.length;
	return AE_OK;
}

ae_err icpr_request_push(TALLOC_CTX *mem_ctx, const struct icpr_request *r,
			 uint8_t **_out, size_t *_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ndr_push *ndr = NULL;
	ae_err err = AE_ERR_NOMEM;

	if (tmp == NULL || (ndr = ndr_push_init_ctx(tmp)) == NULL) {
		goto done;
	}
	err = ndr_to_ae(ndr_push_uint32(ndr, NDR_SCALARS, r->flags));
	if (err == AE_OK) {
		err = push_authority(tmp, ndr, r->authority);
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_push_align(ndr, 4));
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_push_uint32(ndr, NDR_SCALARS, r->request_id));
	}
	if (err == AE_OK) {
		err = push_blob(ndr, &r->attribs);
	}
	if (err == AE_OK) {
		err = push_blob(ndr, &r->request);
	}
	if (err == AE_OK) {
		err = finish_push(mem_ctx, ndr, _out, _len);
	}
done:
	talloc_free(tmp);
	return err;
}

ae_err icpr_response_push(TALLOC_CTX *mem_ctx, const struct icpr_response *r,
			  uint8_t **_out, size_t *_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ndr_push *ndr = NULL;
	ae_err err = AE_ERR_NOMEM;

	if (tmp == NULL || (ndr = ndr_push_init_ctx(tmp)) == NULL) {
		goto done;
	}
	err = ndr_to_ae(ndr_push_uint32(ndr, NDR_SCALARS, r->request_id));
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_push_uint32(ndr, NDR_SCALARS, r->disposition));
	}
	if (err == AE_OK) {
		err = push_blob(ndr, &r->cert);
	}
	if (err == AE_OK) {
		err = push_blob(ndr, &r->encoded_cert);
	}
	if (err == AE_OK) {
		err = push_blob(ndr, &r->message);
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_push_align(ndr, 4));
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_push_uint32(ndr, NDR_SCALARS, r->status));
	}
	if (err == AE_OK) {
		err = finish_push(mem_ctx, ndr, _out, _len);
	}
done:
	talloc_free(tmp);
	return err;
}

/* ---- pull ------------------------------------------------------------- */

static ae_err pull_blob(TALLOC_CTX *mem_ctx, struct ndr_pull *ndr, struct icpr_blob *b)
{
	enum ndr_err_code e;
	uint32_t cb = 0, ptr = 0, max_count = 0;
	uint8_t *pb = NULL;

	e = ndr_pull_align(ndr, 4);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_pull_uint32(ndr, NDR_SCALARS, &cb);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_pull_generic_ptr(ndr, &ptr);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	if (cb > ICPR_BLOB_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (ptr == 0) {
		if (cb != 0) {
			return AE_ERR_PARSE;	/* a length without data */
		}
		b->cb = 0;
		b->pb = NULL;
		return AE_OK;
	}
	e = ndr_pull_uint32(ndr, NDR_SCALARS, &max_count);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	if (max_count != cb) {
		return AE_ERR_PARSE;
	}
	if (cb > ndr->data_size - ndr->offset) {
		return AE_ERR_PARSE;
	}
	/* a non-null empty array still gets a (zero-length) allocation */
	pb = talloc_array(mem_ctx, uint8_t, cb ? cb : 1);
	if (pb == NULL) {
		return AE_ERR_NOMEM;
	}
	if (cb > 0) {
		e = ndr_pull_array_uint8(ndr, NDR_SCALARS, pb, cb);
		if (e != NDR_ERR_SUCCESS) {
			talloc_free(pb);
			return ndr_to_ae(e);
		}
	}
	b->cb = cb;
	b->pb = pb;
	return AE_OK;
}

static ae_err pull_authority(TALLOC_CTX *mem_ctx, struct ndr_pull *ndr, const char **_s)
{
	enum ndr_err_code e;
	uint32_t ptr = 0, max_count = 0, offset = 0, actual = 0;
	const uint8_t *units = NULL;
	char *s = NULL;
	ae_err err;

	e = ndr_pull_generic_ptr(ndr, &ptr);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	if (ptr == 0) {
		*_s = NULL;
		return AE_OK;
	}
	e = ndr_pull_uint32(ndr, NDR_SCALARS, &max_count);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_pull_uint32(ndr, NDR_SCALARS, &offset);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	e = ndr_pull_uint32(ndr, NDR_SCALARS, &actual);
	if (e != NDR_ERR_SUCCESS) {
		return ndr_to_ae(e);
	}
	if (offset != 0 || actual == 0 || actual > max_count || max_count > ICPR_AUTHORITY_MAX) {
		return AE_ERR_PARSE;
	}
	if ((size_t)actual * 2 > ndr->data_size - ndr->offset) {
		return AE_ERR_PARSE;
	}
	units = ndr->data + ndr->offset;
	/* [string]: the last unit must be the terminator */
	if (units[actual * 2 - 2] != 0 || units[actual * 2 - 1] != 0) {
		return AE_ERR_PARSE;
	}
	err = ae_utf16le_to_utf8(mem_ctx, units, (size_t)actual * 2, &s);
	if (err != AE_OK) {
		return err;
	}
	ndr->offset += actual * 2;
	*_s = s;
	return AE_OK;
}

/*
 * The end of a stub: transports pad the stub to an alignment boundary with
 * zero bytes (Samba's server hands a 713-byte request over as 716 bytes).
 * Up to 7 zero bytes of padding are accepted; anything else is trailing
 * data and refused.
 */
#define ICPR_STUB_PAD_MAX 7

static ae_err check_end(const struct ndr_pull *ndr)
{
	uint32_t i, rest = ndr->data_size - ndr->offset;

	if (rest > ICPR_STUB_PAD_MAX) {
		return AE_ERR_TRAILING;
	}
	for (i = 0; i < rest; i++) {
		if (ndr->data[ndr->offset + i] != 0) {
			return AE_ERR_TRAILING;
		}
	}
	return AE_OK;
}

static struct ndr_pull *pull_init(TALLOC_CTX *tmp, const uint8_t *p, size_t len)
{
	DATA_BLOB blob = { .data = (uint8_t *)p, .length = len };

	if (len > UINT32_MAX) {
		return NULL;
	}
	return ndr_pull_init_blob(&blob, tmp);
}

ae_err icpr_request_pull(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct icpr_request **_r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct icpr_request *r = NULL;
	struct ndr_pull *ndr = NULL;
	ae_err err = AE_ERR_NOMEM;

	if (len > 3 * (size_t)ICPR_BLOB_MAX) {
		talloc_free(tmp);
		return AE_ERR_TOO_LARGE;
	}
	if (tmp == NULL || (r = talloc_zero(tmp, struct icpr_request)) == NULL ||
	    (ndr = pull_init(tmp, p, len)) == NULL) {
		goto done;
	}
	err = ndr_to_ae(ndr_pull_uint32(ndr, NDR_SCALARS, &r->flags));
	if (err == AE_OK) {
		err = pull_authority(r, ndr, &r->authority);
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_pull_align(ndr, 4));
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_pull_uint32(ndr, NDR_SCALARS, &r->request_id));
	}
	if (err == AE_OK) {
		err = pull_blob(r, ndr, &r->attribs);
	}
	if (err == AE_OK) {
		err = pull_blob(r, ndr, &r->request);
	}
	if (err == AE_OK) {
		err = check_end(ndr);
	}
	if (err == AE_OK) {
		*_r = talloc_steal(mem_ctx, r);
	}
done:
	talloc_free(tmp);
	return err;
}

ae_err icpr_response_pull(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  struct icpr_response **_r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct icpr_response *r = NULL;
	struct ndr_pull *ndr = NULL;
	ae_err err = AE_ERR_NOMEM;

	if (len > 3 * (size_t)ICPR_BLOB_MAX + 64) {
		talloc_free(tmp);
		return AE_ERR_TOO_LARGE;
	}
	if (tmp == NULL || (r = talloc_zero(tmp, struct icpr_response)) == NULL ||
	    (ndr = pull_init(tmp, p, len)) == NULL) {
		goto done;
	}
	err = ndr_to_ae(ndr_pull_uint32(ndr, NDR_SCALARS, &r->request_id));
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_pull_uint32(ndr, NDR_SCALARS, &r->disposition));
	}
	if (err == AE_OK) {
		err = pull_blob(r, ndr, &r->cert);
	}
	if (err == AE_OK) {
		err = pull_blob(r, ndr, &r->encoded_cert);
	}
	if (err == AE_OK) {
		err = pull_blob(r, ndr, &r->message);
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_pull_align(ndr, 4));
	}
	if (err == AE_OK) {
		err = ndr_to_ae(ndr_pull_uint32(ndr, NDR_SCALARS, &r->status));
	}
	if (err == AE_OK) {
		err = check_end(ndr);
	}
	if (err == AE_OK) {
		*_r = talloc_steal(mem_ctx, r);
	}
done:
	talloc_free(tmp);
	return err;
}

ae_err icpr_attribs_blob(TALLOC_CTX *mem_ctx, const char *lines, struct icpr_blob *_blob)
{
	uint8_t *u16 = NULL;
	size_t len = 0;
	ae_err err;

	err = ae_utf8_to_utf16le(mem_ctx, lines, true, &u16, &len);
	if (err != AE_OK) {
		return err;
	}
	if (len > ICPR_BLOB_MAX) {
		talloc_free(u16);
		return AE_ERR_TOO_LARGE;
	}
	_blob->cb = (uint32_t)len;
	_blob->pb = u16;
	return AE_OK;
}
