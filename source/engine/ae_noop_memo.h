/*
 * ae_noop_memo.h: the memo of the last full cycle that ended with nothing
 * to do (ae_noop.h uses it for the no-op fast path). A small text file in
 * the context's GPO cache directory (root's for the machine, the user's
 * own for the user), one field per line in a fixed order:
 *
 *   ae-noop-memo 2
 *   dc <host>                      the DC the full read talked to
 *   ds_service_name <DN>           its NTDS Settings object (rootDSE dsServiceName)
 *   invocation_id <32 hex>         that object's invocationId ([MS-ADTS] 3.1.1.1.9)
 *   configuration_nc <DN>          the rootDSE's naming contexts and dnsHostName
 *   root_domain_nc <DN>
 *   default_nc <DN>
 *   dns_host_name <host>
 *   usn <decimal>                  highestCommittedUSN read before the full read
 *   principal_sid <S-1-...>
 *   principal <64 hex>             SHA-256 of the principal as read (ae_noop.c)
 *   site <DN> | site -             the site SOM (configuration NC)
 *   watch <DN>                     0..AE_NOOP_WATCH_MAX: SOM chain and linked GPOs
 *   templates all|listed           which templates the fast path watches: every
 *                                  pKICertificateTemplate, or only these:
 *   tpl <DN>                       0..AE_NOOP_TPL_MAX (listed): the templates an
 *                                  Enrollment Service publishes and those of
 *                                  the store's certificates
 *   full_read <decimal>            when the full read happened (epoch seconds)
 *   due <decimal>                  the earliest time a decision could change
 *   config <64 hex>                SHA-256 of the effective configuration
 *   store <64 hex>                 SHA-256 of the store directory's entries
 *   item <tpl>\t<action>\t<cause>\t<result>\t<ca>\t<reason>   0..AE_NOOP_ITEMS_MAX
 *   end
 *
 * Values are UTF-8 text without control bytes (tab separates item fields).
 */
#ifndef AE_NOOP_MEMO_H
#define AE_NOOP_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_NOOP_MEMO_VERSION	2
#define AE_NOOP_MEMO_MAX	(4 * 1024 * 1024)	/* bytes of the file */
#define AE_NOOP_LINE_MAX	4096		/* bytes of one line */
#define AE_NOOP_WATCH_MAX	256
#define AE_NOOP_TPL_MAX		256	/* more relevant templates: every template watched */
#define AE_NOOP_ITEMS_MAX	10000	/* a forest with thousands of templates still gets its no-op */
#define AE_NOOP_DIGEST_LEN	32
#define AE_NOOP_MEMO_NAME	"noop.memo"

struct ae_noop_item {
	char *template_name;
	const char *action;	/* the item's words: [a-z0-9-], 1..32 bytes */
	const char *cause;
	const char *result;	/* "skipped" or "warned" */
	char *ca;		/* NULL when none */
	char *reason;
};

struct ae_noop_memo {
	char *dc;
	char *ds_service_name;
	uint8_t invocation_id[16];
	char *configuration_nc, *root_domain_nc, *default_nc, *dns_host_name;
	uint64_t usn;
	char *principal_sid;
	uint8_t principal[AE_NOOP_DIGEST_LEN];
	char *site;		/* NULL: none */
	char **watch;
	size_t num_watch;
	bool tpls_listed;	/* false: every template is watched */
	char **tpls;		/* listed: the template DNs watched (may be none) */
	size_t num_tpls;
	int64_t full_read;
	int64_t due;
	uint8_t config[AE_NOOP_DIGEST_LEN];
	uint8_t store[AE_NOOP_DIGEST_LEN];
	struct ae_noop_item *items;
	size_t num_items;
};

/*
 * Parse a memo. AE_ERR_PARSE (a line out of order, a bad value, a control
 * byte, trailing data after "end"), AE_ERR_TOO_LARGE (above the caps),
 * AE_ERR_NOMEM. *_m on mem_ctx, set only on success.
 */
ae_err ae_noop_memo_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  struct ae_noop_memo **_m);

/* The text of m (NULL-terminated, on mem_ctx); AE_ERR_INVALID when a value
 * could not be parsed back (a control byte, a cap). */
ae_err ae_noop_memo_format(TALLOC_CTX *mem_ctx, const struct ae_noop_memo *m, char **_text);

#endif
