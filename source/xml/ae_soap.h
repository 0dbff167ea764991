/*
 * ae_soap.h: the SOAP 1.2 envelope (SOAP Version 1.2 Part 1, §5) of a
 * parsed document: the Body's first element, and a Fault's Code/Value,
 * Subcode/Value, Reason/Text and Detail (§5.4).
 */
#ifndef AE_SOAP_H
#define AE_SOAP_H

#include "ae_xml.h"

#define AE_SOAP12_NS	"http://www.w3.org/2003/05/soap-envelope"
#define AE_WSA_NS	"http://www.w3.org/2005/08/addressing"
#define AE_SOAP_TEXT_MAX 4096	/* bytes of a fault's reason, code */

/*
 * The first element of the Body of document d: the root must be a SOAP 1.2
 * Envelope, with an optional Header and then the Body, which must hold an
 * element (AE_ERR_PARSE otherwise; a SOAP 1.1 envelope is refused).
 */
ae_err ae_soap_body_first(const struct ae_xml_doc *d, const xmlNode **out);

/* Whether n is a SOAP 1.2 Fault element. */
bool ae_soap_is_fault(const xmlNode *n);

/*
 * A parsed Fault. code and subcode are the QName texts of Code/Value and
 * Code/Subcode/Value ("s:Receiver", "a:InternalServiceFault"); code_local
 * and subcode_local their local parts; subcode NULL when absent; reason the
 * first Reason/Text (NULL when absent); detail the Detail element (NULL when
 * absent), a pointer into the document: valid while the document lives.
 */
struct ae_soap_fault {
	char *code;
	const char *code_local;
	char *subcode;
	const char *subcode_local;
	char *reason;
	const xmlNode *detail;
};

/* Read the Fault element n (ae_soap_is_fault) into *out on mem. */
ae_err ae_soap_fault_parse(TALLOC_CTX *mem, const xmlNode *n, struct ae_soap_fault **out);

#endif
