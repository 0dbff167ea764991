/*
 * Fuzz target: a SOAP 1.2 response as an MS-XCEP / MS-WSTEP client gets it:
 * ae_xml_parse, ae_soap_body_first, and ae_soap_fault_parse when the Body
 * holds a Fault (SOAP 1.2 Part 1 §5.4), and its MS-WSTEP
 * CertificateEnrollmentWSDetail ([MS-WSTEP] 3.1.4.1.2.1).
 *
 * Seeds (corpus/soap_fault/): fault.xml (Code, Subcode, Reason, a
 * CertificateEnrollmentWSDetail Detail), fault_no_code.xml, soap11.xml
 * (SOAP 1.1, refused), body.xml (no fault), empty_body.xml.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <talloc.h>
#include "ae_soap_wstep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_xml_doc *d = NULL;
	struct ae_soap_fault *f = NULL;
	const xmlNode *first = NULL;

	if (mem == NULL) {
		abort();
	}
	if (ae_xml_parse(mem, data, size, &d) != AE_OK) {
		if (d != NULL || talloc_total_blocks(mem) != 1) {
			abort();
		}
		talloc_free(mem);
		return 0;
	}
	if (ae_soap_body_first(d, &first) == AE_OK) {
		if (first == NULL) {
			abort();
		}
		if (ae_soap_is_fault(first) && ae_soap_fault_parse(mem, first, &f) == AE_OK) {
			if (f->code == NULL || f->code_local == NULL ||
			    (f->subcode != NULL && f->subcode_local == NULL)) {
				abort();
			}
			struct ae_wstep_fault_detail *w = NULL;

			if (ae_soap_wstep_detail(mem, f, &w) == AE_OK) {
				if (((w->present & AE_WSTEP_HAS_REQUEST_ID) != 0) !=
				    (w->request_id != NULL)) {
					abort();
				}
				talloc_free(w);
			} else if (w != NULL) {
				abort();
			}
			talloc_free(f);
		}
	}
	talloc_free(d);
	if (talloc_total_blocks(mem) != 1) {
		abort();
	}
	talloc_free(mem);
	return 0;
}
