/*
 * ae_cycle.h: one autoenrollment cycle for the machine context (`autoenroll
 * run`): lock the store, recover a half-done transition, read the policy
 * (ae_policy_collect), check revocation of the managed certificates (CRL
 * from their CDP), decide (ae_decide, a pure function), act (enroll,
 * renew signed with the old key, re-enroll, retrieve, archive, remove;
 * one MS-ICPR connection per CA, keys generated in parallel), sync the
 * trust anchors, and report one line per template.
 */
#ifndef AE_CYCLE_H
#define AE_CYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_session.h"
#include "ae_enroll.h"

struct ae_policy_report;

struct ae_cycle_opts {
	bool dry_run;		/* decide and print; change nothing, send nothing */
	const char *renew_template;	/* `autoenroll renew T`: renew T now (decide's force_renew) */
	bool full_read;		/* `run --full`: no no-op fast path, whatever the memo says */
};

struct ae_cycle_item {
	char *template_name;
	const char *action;	/* ae_action_kind_name() */
	const char *cause;	/* ae_action_cause_name() */
	const char *result;	/* planned, done, pending, denied, failed, skipped, warned */
	char *reason;		/* decide's reason, or what happened (template, CA, cause) */
	char *ca;
	uint32_t request_id;
	uint32_t hresult;
	const char *hresult_name;
	char *serial;		/* the certificate's serial (hex) once known, for the journal */
	enum ae_outcome outcome;	/* for the exit code */
};

struct ae_cycle_report {
	struct ae_policy_report *policy;
	struct ae_cycle_item *items;
	size_t num_items;
	char **notes;		/* what recovery did (NULL-terminated) */
	char **check_notes;	/* the store check's findings: INVALID, key mode (NULL-terminated) */
	char *store_dir;
	char *trust_dir;
	bool trust_changed;
	unsigned requests;	/* requests sent to CAs: CertServerRequest, MS-WSTEP messages */
	unsigned binds;		/* MS-ICPR connections */
	enum ae_outcome worst;	/* ISSUED when everything that was tried worked */
	bool any_pending;
	/* read at the end of the cycle: every request of the cycle */
	unsigned ldap_searches;	/* LDAP searches (pipelined ones each count) */
	unsigned smb_reads;	/* SMB file reads (GPT.INI, Registry.pol) */
	bool noop;		/* the fast path decided: nothing changed (ae_noop.h) */
	time_t noop_full_read;	/* then: when the full read it relies on happened */
};

ae_err ae_cycle_run(TALLOC_CTX *mem_ctx, struct ae_session *s, const struct ae_cycle_opts *o,
		    struct ae_cycle_report **_r);

/* Shared by the cycle's files. */
struct ae_cycle_item *ae_cycle_item_add(struct ae_cycle_report *r, const char *template_name,
					const char *action, const char *cause);
void ae_cycle_item_fail(struct ae_cycle_report *r, struct ae_cycle_item *it,
			enum ae_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Trust anchors from AD into the system trust store (ae_cycle_trust.c). */
ae_err ae_cycle_trust_sync(struct ae_session *s, TALLOC_CTX *mem, struct ae_cycle_report *r,
			   const char *store_dir);

#endif
