/*
 * ca_names.h: subject and SAN of the issued certificate (internal to
 * ca_cert.c; see ca_cert.h for the rules' public half).
 */
#ifndef CA_NAMES_H
#define CA_NAMES_H

#include <stdbool.h>
#include <openssl/x509.h>
#include "ae_error.h"
#include "ca.h"
#include "ca_request.h"

/*
 * Subject: from the request when the template has ENROLLEE_SUPPLIES_SUBJECT,
 * else from a (DIRECTORY_PATH > DNS_AS_CN > COMMON_NAME, plus EMAIL).
 * SAN: copied from the request when the enrollee supplies it (0x1 or
 * 0x10000), else DNS / UPN / email / directory GUID from a. *_san is NULL
 * when there is no name to put in it; it is critical when san_critical or
 * the subject is empty. The caller frees both (OpenSSL objects).
 */
ae_err ca_names_build(const struct ca_template *t, const struct ca_account *a,
		      const struct ca_csr *csr, X509_NAME **_subject,
		      X509_EXTENSION **_san, bool san_critical);

#endif
