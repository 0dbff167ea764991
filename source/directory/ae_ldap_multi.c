/*
 * ae_ldap_multi.c: several searches pipelined on the one sealed connection
 * (ae_ldap.h: ae_ldap_search_multi). RFC 4511 4.1.1: a client may send
 * several requests without waiting for the answers; each is matched to
 * its result by message ID. The no-op cycle (engine/ae_noop.c) sends its
 * three change-detection searches this way: one round trip.
 */
#include <string.h>
#include <sys/time.h>
#include <ldap.h>
#include <lber.h>
#include "ae_log.h"
#include "ae_ldap.h"
#include "ae_ldap_private.h"

static int scope_of(enum ae_ldap_scope scope)
{
	return scope == AE_LDAP_SCOPE_SUBTREE ? LDAP_SCOPE_SUBTREE :
	       scope == AE_LDAP_SCOPE_ONE ? LDAP_SCOPE_ONELEVEL : LDAP_SCOPE_BASE;
}

/* The entries of one complete result chain into q (on mem). */
static ae_err collect(struct ae_ldap *c, LDAPMessage *res, TALLOC_CTX *mem,
		      struct ae_ldap_multi *q)
{
	LDAPMessage *m;
	ae_err err;

	for (m = ldap_first_entry(c->ld, res); m != NULL; m = ldap_next_entry(c->ld, m)) {
		struct ae_ldap_entry **grown;

		if (q->num >= AE_LDAP_ENTRIES_MAX) {
			return AE_ERR_LDAP;
		}
		grown = talloc_realloc(mem, q->entries, struct ae_ldap_entry *, q->num + 1);
		if (grown == NULL) {
			return AE_ERR_NOMEM;
		}
		q->entries = grown;
		err = ae_ldap_convert_entry(c, m, grown, &grown[q->num]);
		if (err != AE_OK) {
			return err;
		}
		q->num++;
	}
	return AE_OK;
}

/* Wait for the whole result of msgid and fill q. */
static ae_err answer(struct ae_ldap *c, int msgid, TALLOC_CTX *mem, struct ae_ldap_multi *q)
{
	struct timeval tv = { .tv_sec = AE_LDAP_OP_TIMEOUT_S };
	LDAPMessage *res = NULL;
	int rc, code = LDAP_OTHER;
	ae_err err;

	rc = ldap_result(c->ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc <= 0) {
		AE_ERROR("LDAP search of '%s' on %s: %s", q->base, c->server,
			 rc == 0 ? ae_net_no_answer() : ldap_err2string(rc));
		ldap_msgfree(res);
		return AE_ERR_LDAP;
	}
	err = collect(c, res, mem, q);
	if (err == AE_OK &&
	    ldap_parse_result(c->ld, res, &code, NULL, NULL, NULL, NULL, 0) != LDAP_SUCCESS) {
		err = AE_ERR_LDAP;
	}
	ldap_msgfree(res);
	if (err != AE_OK) {
		return err;
	}
	if (code == LDAP_SIZELIMIT_EXCEEDED) {
		q->truncated = true;
	} else if (code == LDAP_NO_SUCH_OBJECT) {
		q->err = AE_ERR_NOT_FOUND;
	} else if (code != LDAP_SUCCESS) {
		AE_ERROR("LDAP search of '%s' on %s failed: %s (%d)", q->base, c->server,
			 ldap_err2string(code), code);
		q->err = AE_ERR_LDAP;
	}
	AE_DEBUG("LDAP %s: '%s' %s: %zu entries%s (pipelined)", c->server, q->base, q->filter,
		 q->num, q->truncated ? ", size limit reached" : "");
	return AE_OK;
}

ae_err ae_ldap_search_multi(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
			    struct ae_ldap_multi *reqs, size_t n)
{
	struct timeval tv = { .tv_sec = AE_LDAP_OP_TIMEOUT_S };
	int msgid[AE_LDAP_MULTI_MAX];
	size_t i, sent = 0;
	ae_err err = AE_OK;

	if (conn == NULL || reqs == NULL || n == 0 || n > AE_LDAP_MULTI_MAX) {
		return AE_ERR_INVALID;
	}
	for (i = 0; i < n; i++) {
		if (reqs[i].base == NULL || reqs[i].filter == NULL) {
			return AE_ERR_INVALID;
		}
		reqs[i].err = AE_OK;
		reqs[i].truncated = false;
		reqs[i].entries = NULL;
		reqs[i].num = 0;
	}
	if (ae_net_deadline_passed()) {
		AE_ERROR("LDAP search of '%s' on %s: %s", reqs[0].base, conn->server,
			 ae_net_cycle_over());
		return AE_ERR_LDAP;
	}
	ldap_set_option(conn->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, NULL);
	for (i = 0; i < n; i++) {
		int rc = ldap_search_ext(conn->ld, reqs[i].base, scope_of(reqs[i].scope),
					 reqs[i].filter, (char **)reqs[i].attrs, 0, NULL, NULL,
					 &tv, reqs[i].sizelimit, &msgid[i]);
		if (rc != LDAP_SUCCESS) {
			AE_ERROR("LDAP search of '%s' on %s could not be sent: %s (%d)",
				 reqs[i].base, conn->server, ldap_err2string(rc), rc);
			err = AE_ERR_LDAP;
			break;
		}
		conn->searches++;
		sent++;
	}
	for (i = 0; i < sent; i++) {
		ae_err e = err == AE_OK ? answer(conn, msgid[i], mem_ctx, &reqs[i]) : AE_ERR_LDAP;

		if (e != AE_OK) {
			/* an unread answer must not be taken for a later request's */
			ldap_abandon_ext(conn->ld, msgid[i], NULL, NULL);
			err = e;
		}
	}
	return err;
}
