/*
 * ae_cycle_report.c: the cycle's report (ae_cycle.h): one item per action
 * (and per trust change), the plan of a dry run, and the worst outcome
 * that becomes the exit code.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_decide.h"
#include "ae_log.h"

struct ae_cycle_item *ae_cycle_item_add(struct ae_cycle_report *r, const char *template_name,
					const char *action, const char *cause)
{
	struct ae_cycle_item *items = talloc_realloc(r, r->items, struct ae_cycle_item,
						     r->num_items + 1);
	struct ae_cycle_item *it;

	if (items == NULL) {
		return NULL;
	}
	r->items = items;
	it = &items[r->num_items++];
	memset(it, 0, sizeof(*it));
	it->template_name = talloc_strdup(items, template_name ? template_name : "");
	it->action = action;
	it->cause = cause;
	it->result = "skipped";
	it->outcome = AE_OUTCOME_ISSUED;
	return it;
}

void ae_cycle_item_fail(struct ae_cycle_report *r, struct ae_cycle_item *it,
			enum ae_outcome o, const char *fmt, ...)
{
	va_list ap;

	it->outcome = o;
	it->result = o == AE_OUTCOME_REJECTED ? "denied" : "failed";
	va_start(ap, fmt);
	it->reason = talloc_vasprintf(r, fmt, ap);
	va_end(ap);
	/* every failure line names the template, the CA and the cause */
	AE_ERROR("%s", it->reason ? it->reason : "failure");
}

const char *ae_cycle_time(TALLOC_CTX *mem, time_t t)
{
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		return "?";
	}
	return talloc_strdup(mem, buf);
}

void ae_cycle_report_plan(struct ae_cycle_report *r, const struct ae_action *actions,
			  size_t num_actions)
{
	size_t i;

	for (i = 0; i < num_actions; i++) {
		const struct ae_action *a = &actions[i];
		struct ae_cycle_item *it = ae_cycle_item_add(r, a->template_name,
							     ae_action_kind_name(a->kind),
							     ae_action_cause_name(a->cause));
		if (it != NULL) {
			it->result = a->kind == AE_ACTION_SKIP ? "skipped" : "planned";
			it->reason = talloc_strdup(r, a->reason);
		}
	}
}

enum ae_outcome ae_cycle_outcome_worse(enum ae_outcome a, enum ae_outcome b)
{
	/* the exit code says the worst thing that happened */
	static const enum ae_outcome order[] = {
		AE_OUTCOME_INTERNAL, AE_OUTCOME_STORE, AE_OUTCOME_UNVERIFIED,
		AE_OUTCOME_UNREACHABLE, AE_OUTCOME_REJECTED, AE_OUTCOME_MISCONFIGURED,
		AE_OUTCOME_PENDING, AE_OUTCOME_ISSUED,
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (a == order[i] || b == order[i]) {
			return order[i];
		}
	}
	return a;
}

void ae_cycle_report_tally(struct ae_cycle_report *r)
{
	size_t i;

	for (i = 0; i < r->num_items; i++) {
		const struct ae_cycle_item *it = &r->items[i];

		r->worst = ae_cycle_outcome_worse(r->worst, it->outcome);
		r->any_pending |= it->outcome == AE_OUTCOME_PENDING;
		ae_cycle_log_item(it);	/* the journal's entry (ae_cycle_log.c) */
	}
}
