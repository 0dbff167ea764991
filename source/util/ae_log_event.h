/*
 * ae_log_event.h: one outcome of a run (a certificate issued, a request
 * pending, a deploy target written, a hook failed, ...) as a structured
 * journal entry, so that `journalctl TEMPLATE=LabMachine` or
 * `journalctl MESSAGE_ID=<id>` finds it.
 *
 * Where journald runs (its socket /run/systemd/journal/socket exists) and
 * the build has libsystemd, the entry goes through sd_journal_sendv with
 * the fields below; elsewhere the message goes to syslog as a plain line
 * (when the caller asks for that: failures were logged when they happened).
 * Nothing is sent unless ae_log_to_syslog(1) is on (the CLI's runs).
 *
 * Fields: MESSAGE_ID (32 hex digits, fixed per outcome: the AE_MSGID_*
 * below, listed in README.md), MESSAGE, PRIORITY (syslog level),
 * SYSLOG_IDENTIFIER=autoenroll, and those set of TEMPLATE, CA, SERIAL,
 * ACTION, RESULT, AE_WHO (whom a user run works for). Values are cut at
 * AE_LOG_FIELD_MAX bytes and control characters become spaces.
 */
#ifndef AE_LOG_EVENT_H
#define AE_LOG_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_error.h"

/* MESSAGE_ID per outcome (sd-id128 form; never change one once released) */
#define AE_MSGID_ISSUED        "fe4eb259874b40edb7d91ea3d00686bc"	/* enroll/renew/re-enroll/retrieve done */
#define AE_MSGID_PENDING       "5cb77dbb6b0d4a9b8c2c105845a94798"	/* the CA holds the request */
#define AE_MSGID_DENIED        "72453525304d4756b72e0acbfbf4e078"	/* the CA denied it */
#define AE_MSGID_FAILED        "dd11f7de12054d69bccdf33042ff14c1"	/* any other failure of an action */
#define AE_MSGID_REMOVED       "40887ac0bf73448d83d0ad189d8acd3d"	/* archived or removed */
#define AE_MSGID_WARNED        "f0392f76265f4abaaa27d04fa6d27422"	/* a warning (expiring, ...) */
#define AE_MSGID_DEPLOYED      "93cf920f522546aabcbe14a78ce623e6"	/* a deploy target written */
#define AE_MSGID_DEPLOY_FAILED "d35c19bce6b6433da4beb3de11c42cf7"	/* a deploy target refused/failed */
#define AE_MSGID_HOOK_OK       "f79719d791fd47f590f1f5f81d847cfe"	/* the hooks of a change ran */
#define AE_MSGID_HOOK_FAILED   "f2d5b891fded491d8d0175cb8bb10c36"	/* a hook failed (runs again) */

#define AE_LOG_FIELD_MAX 2048
#define AE_LOG_FIELDS_MAX 12

struct ae_log_event {
	const char *message_id;		/* AE_MSGID_* */
	int priority;			/* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO */
	const char *message;		/* the human line */
	const char *template_name;	/* NULL: no such field */
	const char *ca;
	const char *serial;
	const char *action;
	const char *result;
	const char *who;		/* NULL or "": the machine */
};

/*
 * The entry's fields as "NAME=value" strings (pure: no I/O), in this order:
 * MESSAGE_ID, PRIORITY, SYSLOG_IDENTIFIER, MESSAGE, then TEMPLATE, CA,
 * SERIAL, ACTION, RESULT, AE_WHO for those set and non-empty. *_fields
 * (NULL-terminated, on mem_ctx) and *_n only on AE_OK; AE_ERR_INVALID
 * without a message_id of 32 lower-case hex digits or a message.
 */
ae_err ae_log_event_fields(TALLOC_CTX *mem_ctx, const struct ae_log_event *ev,
			   char ***_fields, size_t *_n);

/*
 * Send ev (see above). syslog_fallback: without a journal, also write the
 * message to syslog (with priority ev->priority, "<who>: " first as
 * ae_log does). Returns nothing: logging never fails a run.
 */
void ae_log_event(const struct ae_log_event *ev, bool syslog_fallback);

#endif
