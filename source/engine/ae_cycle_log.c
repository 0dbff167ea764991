/*
 * ae_cycle_log.c: each item of the cycle's report as a structured journal
 * entry (util/ae_log_event.h): MESSAGE_ID per outcome, TEMPLATE, CA,
 * SERIAL, ACTION, RESULT. Without a journal, what was done (done,
 * pending) goes to syslog as a notice, as before; failures and warnings
 * were logged when they happened.
 */
#include <string.h>
#include <syslog.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_log_event.h"

/* The MESSAGE_ID and priority of an item; false: not an outcome (skipped, planned). */
bool ae_cycle_log_kind(const struct ae_cycle_item *it, const char **_id, int *_prio)
{
	const char *a = it->action, *r = it->result;
	bool done = strcmp(r, "done") == 0, warned = strcmp(r, "warned") == 0;

	*_prio = LOG_NOTICE;
	if ((strcmp(a, "deploy") == 0 || strcmp(a, "nssdb") == 0) &&
	    (done || warned || strcmp(r, "failed") == 0)) {
		/* a deploy target, or the user's NSS database (ae_cycle_nssdb.c) */
		*_id = done ? AE_MSGID_DEPLOYED : AE_MSGID_DEPLOY_FAILED;
		*_prio = done ? LOG_NOTICE : (warned ? LOG_WARNING : LOG_ERR);
	} else if (strcmp(a, "hook") == 0 && (done || warned)) {
		*_id = done ? AE_MSGID_HOOK_OK : AE_MSGID_HOOK_FAILED;
		*_prio = done ? LOG_INFO : LOG_WARNING;
	} else if (done) {
		*_id = strcmp(a, "archive") == 0 || strcmp(a, "remove") == 0 ? AE_MSGID_REMOVED :
			AE_MSGID_ISSUED;
	} else if (strcmp(r, "pending") == 0) {
		*_id = AE_MSGID_PENDING;
	} else if (strcmp(r, "denied") == 0) {
		*_id = AE_MSGID_DENIED;
		*_prio = LOG_ERR;
	} else if (strcmp(r, "failed") == 0) {
		*_id = AE_MSGID_FAILED;
		*_prio = LOG_ERR;
	} else if (warned) {
		*_id = AE_MSGID_WARNED;
		*_prio = LOG_WARNING;
	} else {
		return false;
	}
	return true;
}

void ae_cycle_log_item(const struct ae_cycle_item *it)
{
	struct ae_log_event ev = { 0 };
	char *msg;

	if (!ae_cycle_log_kind(it, &ev.message_id, &ev.priority)) {
		return;
	}
	msg = talloc_asprintf(NULL, "%s: %s %s: %s", it->template_name, it->action, it->result,
			      it->reason ? it->reason : "");
	if (msg == NULL) {
		return;
	}
	ev.message = msg;
	ev.template_name = it->template_name;
	ev.ca = it->ca;
	ev.serial = it->serial;
	ev.action = it->action;
	ev.result = it->result;
	/* without a journal: done and pending as syslog notices (as before);
	 * failures and warnings were logged as errors when they happened */
	ae_log_event(&ev, ev.priority == LOG_NOTICE && strcmp(it->action, "deploy") != 0);
	talloc_free(msg);
}
