/*
 * ae_decide_private.h: what ae_decide.c (the decisions) and
 * ae_decide_cert.c (certificates: matching, the current one, timing,
 * revocation) share. Not for other files.
 */
#ifndef AE_DECIDE_PRIVATE_H
#define AE_DECIDE_PRIVATE_H

#include "ae_decide.h"

/* "No index" for certificates and templates. */
#define AE_DECIDE_NONE ((size_t)-1)

/* Room for ae_decide_format_time: "9999-12-31T23:59:59Z" and a NUL. */
#define AE_DECIDE_TIME_BUF 32

/* What ae_decide_scan_certs learns of each store certificate. */
struct ae_decide_cert_info {
	bool usable;		/* installed and its times are sane */
	bool expired;		/* now >= not_after */
	enum ae_revocation_status rev;
	size_t tpl;		/* index of the template its extension names, or NONE */
	const char *cn;		/* that template's cn (or the v1 name), or NULL */
	size_t current_of;	/* the template it is current for, or NONE */
	bool handled;		/* an ARCHIVE or REMOVE was emitted for it */
};

/*
 * Per-certificate facts (info[0..num_certs)) and the current certificate of
 * every template (current[0..num_templates), AE_DECIDE_NONE when none), as
 * ae_decide.h describes. Both arrays are allocated by the caller.
 */
void ae_decide_scan_certs(const struct ae_decide_input *in, struct ae_decide_cert_info *info,
			  size_t *current);

/* True when the certificate's extension names t itself (OID or v1 name). */
bool ae_decide_cert_is_of(const struct ae_template *t, const struct ae_store_cert *c);

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf; "?" when out of range. */
const char *ae_decide_format_time(char buf[AE_DECIDE_TIME_BUF], time_t t);

#endif
