/*
 * The cycle's phases, shared by its files: ae_cycle.c (the sequence),
 * ae_cycle_revoke.c (revocation), ae_cycle_dispatch.c (the actions in
 * order), ae_cycle_act.c (keygen, request, retrieve), ae_cycle_attempt.c
 * (back-off), ae_cycle_report.c (items and the worst outcome).
 */
#ifndef AE_CYCLE_PRIVATE_H
#define AE_CYCLE_PRIVATE_H

#include <stdbool.h>
#include <time.h>
#include "ae_cycle.h"
#include "ae_step.h"
#include "ae_wstep_ca.h"

#define AE_CYCLE_CAS_MAX 64

struct ae_action;
struct ae_template;
struct ae_key;
struct ae_key_spec;
struct ae_keypool;
struct ae_store;
struct ae_store_lock;
struct icpr_conn;
struct ae_enrollment_service;

struct ae_store_snapshot;
struct ae_revocation_entry;

struct ae_cycle_ctx {
	struct ae_session *s;
	TALLOC_CTX *mem;			/* temporaries of this cycle */
	struct ae_cycle_report *r;
	struct ae_store *store;
	struct ae_store_lock *lock;		/* held from open to the end (not in a dry run) */
	struct ae_action *actions;
	size_t num_actions;
	struct ae_key **keys;			/* per action: its new key once taken, or NULL */
	char **key_errors;			/* per action: why there is no key spec */
	char **key_skips;			/* per action: why the template is skipped */
	struct ae_keypool *keypool;		/* the new keys, generated ahead (ae_keypool.h) */
	size_t *key_slot;			/* per action: its key in keypool, or SIZE_MAX */
	struct { char *host; struct icpr_conn *conn; char *why; } conns[AE_CYCLE_CAS_MAX];
	size_t num_conns;
	/* the CA call of requests and retrievals (ae_step_call_fn, ae_step.h):
	 * NULL = CertServerRequest over conns[] (ae_cycle_act.c); set only by
	 * unit tests, to put a fake CA behind it (tests/unit/test_cycle_act.c) */
	ae_step_call_fn ca_call;
	void *ca_priv;
	/* the CAs of MS-XCEP policy servers go over MS-WSTEP (ae_wstep_ca.h):
	 * NULL = ae_https_post / ae_polsrv_https_opts; set only by unit tests
	 * (tests/unit/test_wstep_ca.c), to put a fake HTTPS exchange behind it */
	ae_wstep_post_fn wstep_post;
	ae_wstep_opts_fn wstep_opts;
};

/* ae_cycle_dispatch.c: the key pool started, then every action in order. */
ae_err ae_cycle_dispatch(struct ae_cycle_ctx *c);
/* ae_cycle_dispatch.c: helpers of the actions. */
bool ae_cycle_needs_new_key(const struct ae_action *a);
/*
 * ae_cycle_key_tpm.c: the key source of action idx's template
 * (ae_key_choose); a TPM key is made here, in the main thread (the TPM
 * serialises anyway), a skip recorded in c->key_skips. true: handled (no
 * thread needed); false: a file key, for the threads.
 */
bool ae_cycle_keygen_tpm(struct ae_cycle_ctx *c, size_t idx, const struct ae_key_spec *spec);

ae_err ae_cycle_key_spec(struct ae_cycle_ctx *c, const struct ae_template *t,
			 struct ae_key_spec *spec, char *why, size_t why_len);
const struct ae_enrollment_service *ae_cycle_ca_for(struct ae_cycle_ctx *c,
						    const struct ae_template *t);
const struct ae_enrollment_service *ae_cycle_ca_by_name(struct ae_cycle_ctx *c, const char *cn);
/* The usable CA named cn among those serving t's policy server (t NULL: any). */
const struct ae_enrollment_service *ae_cycle_ca_named(struct ae_cycle_ctx *c,
						      const struct ae_template *t, const char *cn);
/* ae_cycle_act.c: one request (its new key taken from c->keypool), one retrieval. */
void ae_cycle_do_request(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it);
void ae_cycle_do_retrieve(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it);
/* ae_cycle_attempt.c: the back-off after a request. */
void ae_cycle_note_attempt(struct ae_cycle_ctx *c, const struct ae_action *a,
			   struct ae_cycle_item *it);
/* ae_cycle_revoke.c: revoked / good / unknown per issued certificate (on c->mem). */
ae_err ae_cycle_revocations(struct ae_cycle_ctx *c, const struct ae_store_snapshot *snap,
			    struct ae_revocation_entry **_rev, size_t *_n);

/*
 * ae_cycle_nssdb.c: <t><sfx> of the store, a regular file of at most max
 * bytes read through the store's descriptor (ae_file_read_at); why names
 * the file and the cause. For the phases that hand installed pairs on
 * (the NSS database, deploy targets).
 */
ae_err ae_cycle_read_store_file(TALLOC_CTX *mem, const struct ae_store *st, const char *t,
				const char *sfx, size_t max, uint8_t **_d, size_t *_n, char *why,
				size_t why_len);

/* ae_cycle_report.c: the report. */
const char *ae_cycle_time(TALLOC_CTX *mem, time_t t);
/* A dry run's items: each action "planned" (or "skipped"). */
void ae_cycle_report_plan(struct ae_cycle_report *r, const struct ae_action *actions,
			  size_t num_actions);
/* The worse of two outcomes (the exit code says the worst thing that happened). */
enum ae_outcome ae_cycle_outcome_worse(enum ae_outcome a, enum ae_outcome b);
/* ae_cycle_log.c: an item as a structured journal entry (syslog without a journal). */
void ae_cycle_log_item(const struct ae_cycle_item *it);
bool ae_cycle_log_kind(const struct ae_cycle_item *it, const char **_id, int *_prio);
/* r->worst and r->any_pending from the items. */
void ae_cycle_report_tally(struct ae_cycle_report *r);

#endif
