/* Shared by ae_cycle.c and ae_cycle_act.c. */
#ifndef AE_CYCLE_PRIVATE_H
#define AE_CYCLE_PRIVATE_H

#include <stdbool.h>
#include <time.h>
#include "ae_cycle.h"

#define AE_CYCLE_CAS_MAX 64

struct ae_action;
struct ae_template;
struct ae_key;
struct ae_key_spec;
struct ae_store;
struct icpr_conn;
struct ae_enrollment_service;

struct ae_store_snapshot;
struct ae_revocation_entry;

struct ae_cycle_ctx {
	struct ae_session *s;
	TALLOC_CTX *mem;			/* temporaries of this cycle */
	struct ae_cycle_report *r;
	struct ae_store *store;
	struct ae_action *actions;
	size_t num_actions;
	struct ae_key **keys;			/* per action: pre-generated new key, or NULL */
	char **key_errors;			/* per action: why there is no key */
	struct { char *host; struct icpr_conn *conn; char *why; } conns[AE_CYCLE_CAS_MAX];
	size_t num_conns;
};

bool ae_cycle_needs_new_key(const struct ae_action *a);
ae_err ae_cycle_key_spec(struct ae_cycle_ctx *c, const struct ae_template *t,
			 struct ae_key_spec *spec, char *why, size_t why_len);
ae_err ae_cycle_keygen(struct ae_cycle_ctx *c);
const struct ae_enrollment_service *ae_cycle_ca_for(struct ae_cycle_ctx *c,
						    const struct ae_template *t);
const struct ae_enrollment_service *ae_cycle_ca_by_name(struct ae_cycle_ctx *c, const char *cn);
const char *ae_cycle_time(TALLOC_CTX *mem, time_t t);
void ae_cycle_do_request(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it);
void ae_cycle_do_retrieve(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it);
/* ae_cycle_attempt.c: the back-off after a request. */
void ae_cycle_note_attempt(struct ae_cycle_ctx *c, const struct ae_action *a,
			   struct ae_cycle_item *it);
ae_err ae_cycle_revocations(struct ae_cycle_ctx *c, const struct ae_store_snapshot *snap,
			    struct ae_revocation_entry **_rev, size_t *_n);

#endif
