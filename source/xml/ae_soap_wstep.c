/*
 * ae_soap_wstep.c: CertificateEnrollmentWSDetail ([MS-WSTEP] 3.1.4.1.2.1)
 * out of a SOAP fault's Detail (see ae_soap_wstep.h).
 */
#include <string.h>
#include "ae_soap_wstep.h"

static const xmlNode *value_of(const xmlNode *d, const char *name)
{
	const xmlNode *n = ae_xml_child(d, AE_WSTEP_NS, name);

	return n == NULL || ae_xml_is_nil(n) ? NULL : n;
}

static ae_err read_request_id(struct ae_wstep_fault_detail *w, const xmlNode *n)
{
	size_t i;
	ae_err err = ae_xml_text(w, n, AE_WSTEP_REQUEST_ID_MAX, &w->request_id);

	if (err != AE_OK) {
		return err;
	}
	for (i = 0; w->request_id[i] != '\0'; i++) {
		if (w->request_id[i] < '0' || w->request_id[i] > '9') {
			return AE_ERR_PARSE;
		}
	}
	if (i == 0) {
		return AE_ERR_PARSE;
	}
	w->present |= AE_WSTEP_HAS_REQUEST_ID;
	return AE_OK;
}

static ae_err read_detail(struct ae_wstep_fault_detail *w, const xmlNode *d)
{
	const xmlNode *n;
	int64_t code = 0;
	ae_err err;

	if ((n = value_of(d, "ErrorCode")) != NULL) {
		if (ae_xml_int(n, INT32_MIN, UINT32_MAX, &code) != AE_OK) {
			return AE_ERR_PARSE;
		}
		w->hresult = (uint32_t)(code & 0xFFFFFFFF);
		w->present |= AE_WSTEP_HAS_ERROR_CODE;
	}
	if ((n = value_of(d, "InvalidRequest")) != NULL) {
		err = ae_xml_bool(n, &w->invalid_request);
		if (err != AE_OK) {
			return err;
		}
		w->present |= AE_WSTEP_HAS_INVALID_REQUEST;
	}
	if ((n = value_of(d, "RequestID")) != NULL) {
		err = read_request_id(w, n);
		if (err != AE_OK) {
			return err;
		}
	}
	if ((n = value_of(d, "BinaryResponse")) != NULL) {
		err = ae_xml_base64(w, n, AE_WSTEP_BINARY_MAX, &w->binary_response,
				    &w->binary_response_len);
		if (err != AE_OK) {
			return err;
		}
		w->present |= AE_WSTEP_HAS_BINARY_RESPONSE;
	}
	return AE_OK;
}

ae_err ae_soap_wstep_detail(TALLOC_CTX *mem, const struct ae_soap_fault *f,
			    struct ae_wstep_fault_detail **out)
{
	const xmlNode *d = f != NULL ? ae_xml_child(f->detail, AE_WSTEP_NS,
						    "CertificateEnrollmentWSDetail") : NULL;
	struct ae_wstep_fault_detail *w;
	ae_err err;

	if (d == NULL) {
		return AE_ERR_NOT_FOUND;
	}
	w = talloc_zero(mem, struct ae_wstep_fault_detail);
	if (w == NULL) {
		return AE_ERR_NOMEM;
	}
	err = read_detail(w, d);
	if (err != AE_OK) {
		talloc_free(w);
		return err;
	}
	*out = w;
	return AE_OK;
}
