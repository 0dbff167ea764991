/*
 * ae_cycle_trust.h: which CA certificates from AD become system trust
 * anchors and which are only intermediates (ae_cycle_trust_plan.c, a pure
 * function), used by the cycle's trust phase (ae_cycle_trust.c).
 *
 * Only a self-signed certificate published in CN=Certification Authorities
 * (the forest's root store) is a trust anchor. Certificates of CN=AIA
 * (intermediates, cross-certificates) and the issuing CAs' cACertificate
 * are intermediates: they help build a path to an anchor and must never
 * end one (RFC 5280 §6.1: the trust anchor is an input of path validation,
 * not a certificate found on the way). A self-signed certificate found only
 * in CN=AIA or on an enrollment service was not published as a root: it is
 * neither an anchor nor a useful intermediate, and is reported.
 */
#ifndef AE_CYCLE_TRUST_H
#define AE_CYCLE_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_store_trust.h"
#include "ae_enroll.h"

struct ae_cycle_report;

#define AE_TRUST_VALUES_MAX 4096	/* cACertificate values looked at in one run */
#define AE_TRUST_ITEM "(trust anchors)"	/* the report lines of the trust phase */

enum ae_trust_source {
	AE_TRUST_SRC_ROOTS,	/* CN=Certification Authorities */
	AE_TRUST_SRC_AIA,	/* CN=AIA */
	AE_TRUST_SRC_CA,	/* an enrollment service's cACertificate */
};

/* One cACertificate value as read from AD (untrusted bytes). */
struct ae_trust_value {
	enum ae_trust_source source;
	const char *dn;		/* the object it came from, for the report */
	size_t index;		/* which of the object's cACertificate values */
	const uint8_t *der;
	size_t len;
};

struct ae_trust_plan {
	struct ae_trust_cert *anchors;	/* for the trust dir: the first AE_TRUST_MAX roots */
	size_t num_anchors;
	const char **keep;		/* names of roots left out by the cap: files kept */
	size_t num_keep;
	const char **intermediates;	/* PEM, for the intermediates bundle (AE_TRUST_MAX) */
	size_t num_intermediates;
	char **problems;		/* "<dn>: cACertificate value N: <what and why>" */
	size_t num_problems;
};

/*
 * Sort the n values (n <= AE_TRUST_VALUES_MAX) into anchors and
 * intermediates. Each value is parsed on its own: one that does not parse,
 * or is refused, or is left out by a cap becomes a problem naming its
 * object and attribute, and the others are still used. Duplicates (by
 * SHA-1) are kept once; a root wins over the same certificate elsewhere.
 * Anchor names are ae_store_trust_name(<SHA-1 hex>). *_p on mem_ctx; only
 * AE_ERR_NOMEM / AE_ERR_INVALID (bad arguments) fail.
 */
ae_err ae_trust_plan_build(TALLOC_CTX *mem_ctx, const struct ae_trust_value *v, size_t n,
			   struct ae_trust_plan **_p);

/*
 * Write what the directory answered for: the trust dir (anchors + keep)
 * only when CN=Certification Authorities was read (roots_read), the
 * intermediates bundle at inter_path only when CN=AIA was read too. A
 * container that could not be read leaves its files as they are (absence
 * of evidence is not evidence of removal). *_changed: the trust dir
 * changed. Failures become report items of r (AE_TRUST_ITEM); the first
 * error is returned (AE_ERR_LDAP when a container was not read).
 */
ae_err ae_trust_plan_apply(struct ae_cycle_report *r, const struct ae_trust_plan *p,
			   bool roots_read, bool aia_read, const char *inter_path,
			   bool *_changed);

/*
 * Offer the trust dir r->trust_dir to the system: run cmd (NULL or "" =
 * update-ca-certificates; "none": nothing) when changed or when
 * ae_store_trust_pending() says it has not succeeded for these files, and
 * record success with ae_store_trust_mark_synced(). Sets r->trust_changed
 * only when the command succeeded (or with "none", when the files changed).
 * A failing command is a failed report item ("trust command 'X' failed:
 * exit N; the anchors will be offered again on the next run") and
 * AE_ERR_IO: the cycle then exits 8.
 */
ae_err ae_cycle_trust_offer(struct ae_cycle_report *r, const char *cmd, bool changed);

/* A report line of the trust phase: warned / failed with o (reason is taken). */
void ae_cycle_trust_item(struct ae_cycle_report *r, const char *result, enum ae_outcome o,
			 char *reason);

/* ae_store_write_pem_bundle, a failure reported as an item naming what and path. */
ae_err ae_cycle_trust_bundle(struct ae_cycle_report *r, const char *path,
			     const char *const *pems, size_t n, const char *what);

#endif
