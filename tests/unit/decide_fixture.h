/*
 * decide_fixture.h: the decision cases as data, shared by the decide tests
 * (test_decide.c, test_decide_api.c, test_decide_record.c). A case is
 * templates with their eligibility, store certificates, pending requests,
 * revocation status, AEPolicy and a fixed 'now' (seconds after T0), with
 * the exact list of actions expected and a piece of each reason. The
 * functions are in decide_fixture.c, linked into each of those programs
 * (unit_extra_sources in meson.build).
 */
#ifndef DECIDE_FIXTURE_H
#define DECIDE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_decide.h"

#define T0	((int64_t)1704067200)	/* 2024-01-01T00:00:00Z */
#define HOUR	((int64_t)3600)
#define DAY	((int64_t)86400)
#define WEEK	(7 * DAY)

#define MAXT 3
#define MAXC 3
#define MAXP 2
#define MAXR 2
#define MAXW 7

struct tpl_spec {
	const char *cn;			/* NULL ends the list */
	const char *oid;		/* NULL: a v1 template */
	uint32_t major;
	uint32_t eflag, pkflag, ra;
	int64_t overlap, validity;	/* seconds */
	const char *supersede;		/* one msPKI-Supersede-Templates value, or NULL */
	enum ae_inelig code;
};

struct cert_spec {
	const char *serial;		/* NULL ends the list */
	const char *oid, *v1;		/* the template extension */
	uint32_t major;
	bool has_major;
	int64_t nb, na;			/* seconds after T0 */
	bool no_key;
	enum ae_cert_state state;	/* AE_CERT_NONE here means ISSUED */
};

struct pend_spec {
	const char *tpl;		/* NULL ends the list */
	uint32_t id;
};

struct rev_spec {
	const char *serial;		/* NULL ends the list */
	enum ae_revocation_status status;
};

struct want {
	enum ae_action_kind kind;
	enum ae_action_cause cause;
	const char *tpl;		/* NULL ends the list */
	const char *serial;		/* the action's cert, NULL for none */
	uint32_t pending_id;		/* 0: no pending */
	size_t after;			/* 1-based index, 0: AE_ACTION_NONE */
	bool same_key;
	const char *reason;		/* a substring, or NULL */
};

struct dcase {
	const char *name;
	bool pol_present;
	uint32_t pol;
	bool pct_present;
	uint32_t pct;
	struct tpl_spec t[MAXT];
	struct cert_spec c[MAXC];
	struct pend_spec p[MAXP];
	struct rev_spec r[MAXR];
	int64_t now;			/* seconds after T0 */
	struct want w[MAXW];
};

/* AEPolicy value present, OfflineExpirationPercent absent. */
#define POL(v)		true, (v), false, 0
#define POL_ABSENT	false, 0, false, 0
#define POL_PCT(v, p)	true, (v), true, (p)

/* The usual machine template: v2, 1 year, 6 weeks overlap, major 100. */
#define TMF(e, pk, ra)	{ "Mach", "1.2.3.1", 100, (e), (pk), (ra), 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE }
#define TM		TMF(0, 0, 0)
#define TMI(code)	{ "Mach", "1.2.3.1", 100, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, (code) }
#define TMX(e)		{ "Mach", "1.2.3.1", 100, (e), 0, 0, 42 * DAY, 365 * DAY, NULL, AE_INELIG_NO_ENROLL }
/* A template of the usual shape with its own periods. */
#define TMP(ov, val)	{ "Mach", "1.2.3.1", 100, 0, 0, 0, (ov), (val), NULL, AE_ELIGIBLE }
#define TMV(major)	{ "Mach", "1.2.3.1", (major), 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE }

/* Certificates of "Mach" (major 100). */
#define CM(s, nb, na)	{ (s), "1.2.3.1", NULL, 100, true, (nb), (na), false, AE_CERT_NONE }
#define CY(s)		CM(s, 0, 365 * DAY)
#define CMV(s, major)	{ (s), "1.2.3.1", NULL, (major), true, 0, 365 * DAY, false, AE_CERT_NONE }

#define W(k, c, t, s)	{ AE_ACTION_##k, AE_CAUSE_##c, (t), (s), 0, 0, false, NULL }
#define WR(k, c, t, s, r) { AE_ACTION_##k, AE_CAUSE_##c, (t), (s), 0, 0, false, (r) }
#define WP(k, c, t, s, id) { AE_ACTION_##k, AE_CAUSE_##c, (t), (s), (id), 0, false, NULL }
#define ARCH(t, s, a)	{ AE_ACTION_ARCHIVE, AE_CAUSE_REPLACED, (t), (s), 0, (a), false, NULL }

#define REVOKED(s)	{ { (s), AE_REVSTAT_REVOKED } }
#define REMOVE_FLAG	CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE

/* The inputs of ae_decide built from a case (see decide_build). */
struct decide_fixture {
	struct ae_template **templates;
	struct ae_eligibility *elig;
	struct ae_store_snapshot snap;
	struct ae_revocation_entry *revs;
	struct ae_decide_input in;
};

/* The inputs of dc in f, allocated on ctx (one talloc_free releases them). */
void decide_build(TALLOC_CTX *ctx, const struct dcase *dc, struct decide_fixture *f);
/* a[0..n), one line each, for the message of a failed case. */
void decide_print_actions(const struct ae_action *a, size_t n);
/* Whether a is the action w describes (w->reason: a substring of a's). */
bool decide_action_matches(const struct ae_action *a, const struct want *w);
/* Decides dc and compares with dc->w; fails the test on a difference or a leak. */
void decide_run_case(const struct dcase *dc);

#endif
