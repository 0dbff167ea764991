/*
 * Fuzz target: the user's userCertificate values as ae_ds_certs_find
 * (ae_ds_cert.h) reads them: the directory is untrusted, every value goes
 * through ae_cert_parse_der, the template extension, the validity and the
 * chain check against an enterprise CA's cACertificate (also untrusted).
 *
 * Input: chunks of u16le length + bytes; the first chunk is the CA's
 * cACertificate value, the others (at most 8) userCertificate values.
 * Seeds (corpus/ds_cert/) were made from corpus/cert/ with
 * tests/fuzz/gen_ds_cert_corpus.py: ca_root.der + leaf_v2_template.der
 * (chains; the template's OID), + leaf_v1_bmpstring.der (v1 name
 * "Machine"), + garbage and a truncated leaf.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_ds_cert.h"

#define MAX_VALUES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const time_t nows[] = { 1796000000, 1830000000, 0x7fffffff };
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_principal_blob chunks[MAX_VALUES + 1];
	struct ae_template tpl[2] = { { 0 }, { 0 } };
	struct ae_template *tp[2] = { &tpl[0], &tpl[1] };
	struct ae_der_blob ca_cert = { 0 };
	struct ae_enrollment_service es = { 0 };
	struct ae_enrollment_service *esp = &es;
	size_t n = 0, i, total = size;

	if (mem == NULL) {
		return 0;
	}
	while (size >= 2 && n < MAX_VALUES + 1) {
		size_t len = (size_t)data[0] | ((size_t)data[1] << 8);

		data += 2;
		size -= 2;
		if (len > size) {
			len = size;
		}
		chunks[n].data = (uint8_t *)data;
		chunks[n++].len = len;
		data += len;
		size -= len;
	}
	if (n == 0) {
		talloc_free(mem);
		return 0;
	}
	tpl[0].cn = (char *)"LabUserRoaming";
	tpl[0].oid = (char *)"1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.14";
	tpl[0].schema_version = 2;
	tpl[0].enrollment_flag = CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE;
	tpl[1].cn = (char *)"Machine";
	tpl[1].schema_version = 1;
	tpl[1].enrollment_flag = CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE;
	ca_cert.der = chunks[0].data;
	ca_cert.len = chunks[0].len;
	es.cn = (char *)"LabCA";
	es.ca_certs = &ca_cert;
	es.num_ca_certs = 1;
	/* one 'now' per input, chosen by its size: every input is checked at one
	 * of the three times, the corpus covers all three */
	{
		struct ae_ds_cert *out = NULL;
		size_t num = 0, rejected = 0;

		i = total % (sizeof(nows) / sizeof(nows[0]));
		if (ae_ds_certs_find(mem, &chunks[1], n - 1, tp, 2, &esp, 1, nows[i], &out, &num,
				     &rejected) == AE_OK) {
			if (num > 2 || rejected > n - 1 || (num > 0 && (out == NULL ||
			    out[0].serial_hex == NULL || out[0].template_cn == NULL))) {
				abort();
			}
			talloc_free(out);
		}
	}
	talloc_free(mem);
	return 0;
}
