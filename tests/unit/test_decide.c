/*
 * test_decide.c: the MS-CAESO decisions (engine layer, ae_decide.h), a pure
 * function: every case is data (templates with their eligibility, store
 * certificates, pending requests, revocation status, AEPolicy, a fixed
 * 'now') and the exact list of actions expected, with a piece of each
 * reason. Then the renewal timing of the Microsoft article's example
 * (ae_decide_cert.c), the period bounds, the
 * exact reason texts, the pointers into the input and the argument checks.
 * Every test checks that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>
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

static const struct dcase cases[] = {
	/* ENROLL, SKIP, the renewal window (ae_decide_cert.c cites its source) */
	{ "no certificate: enroll", POL(7), { TM }, {}, {}, {}, 0,
	  { WR(ENROLL, NO_CERTIFICATE, "Mach", NULL, "no current certificate") } },
	{ "valid, early: skip, valid until X, renews at Y", POL(7), { TM }, { CY("01") }, {}, {},
	  100 * DAY, { WR(SKIP, VALID, "Mach", "01", "valid until 2024-12-31T00:00:00Z, renews "
			  "at 2024-11-19T00:00:00Z") } },
	{ "§7.3: 1 year, 42 d overlap: not renewed at 41.8 weeks (past 80 %)", POL(7), { TM },
	  { CY("01") }, {}, {}, 41 * WEEK + 6 * DAY, { W(SKIP, VALID, "Mach", "01") } },
	{ "§7.3: not renewed one second before 46.14 weeks", POL(7), { TM }, { CY("01") }, {}, {},
	  323 * DAY - 1, { W(SKIP, VALID, "Mach", "01") } },
	{ "§7.3: renewed at 46.14 weeks (323 d), new key, old one archived after", POL(7), { TM },
	  { CY("01") }, {}, {}, 323 * DAY,
	  { WR(RENEW, RENEWAL_DUE, "Mach", "01", "renew with a new key"), ARCH("Mach", "01", 1) } },
	{ "same key: CT_FLAG_REQUIRE_SAME_KEY_RENEWAL", POL(7),
	  { TMF(0, CT_FLAG_REQUIRE_SAME_KEY_RENEWAL, 0) }, { CY("01") }, {}, {}, 325 * DAY,
	  { { AE_ACTION_RENEW, AE_CAUSE_RENEWAL_DUE, "Mach", "01", 0, 0, true, "the same key" },
	    ARCH("Mach", "01", 1) } },
	{ "CT_FLAG_SKIP_AUTO_RENEWAL: renewal due, skipped", POL(7),
	  { TMF(CT_FLAG_SKIP_AUTO_RENEWAL, 0, 0) }, { CY("01") }, {}, {}, 325 * DAY,
	  { WR(SKIP, SKIP_AUTO_RENEWAL, "Mach", "01", "CT_FLAG_SKIP_AUTO_RENEWAL (0x40000)") } },
	{ "CT_FLAG_SKIP_AUTO_RENEWAL does not stop re-enrolling an expired one", POL(7),
	  { TMF(CT_FLAG_SKIP_AUTO_RENEWAL, 0, 0) }, { CY("01") }, {}, {}, 366 * DAY,
	  { W(REENROLL, EXPIRED, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "RA signatures: re-enrolled instead of renewed", POL(7), { TMF(0, 0, 1) },
	  { CY("01") }, {}, {}, 325 * DAY,
	  { WR(REENROLL, RA_SIGNATURES, "Mach", "01", "msPKI-RA-Signature 1"),
	    ARCH("Mach", "01", 1) } },
	{ "RA signatures, before the window: skip", POL(7), { TMF(0, 0, 1) }, { CY("01") }, {}, {},
	  300 * DAY, { W(SKIP, VALID, "Mach", "01") } },
	{ "overlap 100 d (27 % of 1 year): due at 80 %, re-enrolled", POL(7),
	  { TMP(100 * DAY, 365 * DAY) }, { CY("01") }, {}, {}, 292 * DAY,
	  { WR(REENROLL, UNSUPPORTED_PERIODS, "Mach", "01", "a new request, not a renewal"),
	    ARCH("Mach", "01", 1) } },
	{ "overlap 100 d: one second before 80 %: skip", POL(7), { TMP(100 * DAY, 365 * DAY) },
	  { CY("01") }, {}, {}, 292 * DAY - 1, { W(SKIP, VALID, "Mach", "01") } },
	{ "overlap 4 h (not more than 8 h): re-enrolled in the last 4 h", POL(7),
	  { TMP(4 * HOUR, 365 * DAY) }, { CY("01") }, {}, {}, 365 * DAY - HOUR,
	  { W(REENROLL, UNSUPPORTED_PERIODS, "Mach", "01"), ARCH("Mach", "01", 1),
	    W(WARN, EXPIRING, "Mach", "01") } },
	{ "overlap longer than the certificate's life (30 d issued): re-enrolled at 80 %",
	  POL(7), { TM }, { CM("01", 0, 30 * DAY) }, {}, {}, 24 * DAY,
	  { W(REENROLL, UNSUPPORTED_PERIODS, "Mach", "01"), ARCH("Mach", "01", 1) } },

	/* RE-ENROLL and its precedence over RENEW */
	{ "template major 101 above the certificate's 100", POL(7), { TMV(101) }, { CY("01") },
	  {}, {}, 10 * DAY,
	  { WR(REENROLL, MAJOR_REVISION, "Mach", "01", "major version 101 is above the "
	       "certificate's 100"), ARCH("Mach", "01", 1) } },
	{ "template major 100 below the certificate's 101: nothing", POL(7), { TMV(100) },
	  { CMV("01", 101) }, {}, {}, 10 * DAY, { W(SKIP, VALID, "Mach", "01") } },
	{ "major revision in the renewal window: re-enroll wins over renew", POL(7), { TMV(101) },
	  { CY("01") }, {}, {}, 325 * DAY,
	  { W(REENROLL, MAJOR_REVISION, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "expired", POL(7), { TM }, { CY("01") }, {}, {}, 365 * DAY,
	  { WR(REENROLL, EXPIRED, "Mach", "01", "expired at 2024-12-31T00:00:00Z"),
	    ARCH("Mach", "01", 1) } },
	{ "revoked", POL(7), { TM }, { CY("01") }, {}, REVOKED("01"), 10 * DAY,
	  { WR(REENROLL, REVOKED, "Mach", "01", "is revoked"), ARCH("Mach", "01", 1) } },
	{ "revoked in the renewal window and major bump: revoked first", POL(7), { TMV(101) },
	  { CY("01") }, {}, REVOKED("01"), 330 * DAY,
	  { W(REENROLL, REVOKED, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "revoked + 0x400: remove and re-enroll, no archive", POL(7), { TMF(REMOVE_FLAG, 0, 0) },
	  { CY("01") }, {}, REVOKED("01"), 10 * DAY,
	  { WR(REMOVE, REVOKED, "Mach", "01", "(0x400)"), W(REENROLL, REVOKED, "Mach", "01") } },
	{ "revoked + 0x400 without AEPolicy 0x2: re-enroll, archive", POL(5),
	  { TMF(REMOVE_FLAG, 0, 0) }, { CY("01") }, {}, REVOKED("01"), 10 * DAY,
	  { W(REENROLL, REVOKED, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "expired + 0x400: remove and re-enroll", POL(7), { TMF(REMOVE_FLAG, 0, 0) },
	  { CY("01") }, {}, {}, 400 * DAY,
	  { WR(REMOVE, EXPIRED, "Mach", "01", "expired at"), W(REENROLL, EXPIRED, "Mach", "01") } },
	{ "revocation unknown (CRL unreachable): noted, not re-enrolled", POL(7), { TM },
	  { CY("01") }, {}, { { "01", AE_REVSTAT_UNKNOWN } }, 10 * DAY,
	  { WR(SKIP, REVOCATION_UNKNOWN, "Mach", "01", "CRL unreachable") } },
	{ "revocation unknown in the renewal window: renewed, noted", POL(7), { TM }, { CY("01") },
	  {}, { { "01", AE_REVSTAT_UNKNOWN } }, 325 * DAY,
	  { WR(RENEW, RENEWAL_DUE, "Mach", "01", "CRL unreachable"), ARCH("Mach", "01", 1) } },
	{ "revoked status listed as GOOD: nothing", POL(7), { TM }, { CY("01") }, {},
	  { { "01", AE_REVSTAT_GOOD } }, 10 * DAY, { W(SKIP, VALID, "Mach", "01") } },
	{ "serials compare without case and leading zeros", POL(7), { TM }, { CY("AB") }, {},
	  { { "00ab", AE_REVSTAT_REVOKED } }, 10 * DAY,
	  { W(REENROLL, REVOKED, "Mach", "AB"), ARCH("Mach", "AB", 1) } },

	/* supersession */
	{ "superseded: the new template re-enrolls, the old certificate is archived", POL(7),
	  { { "New", "1.2.3.2", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "Mach", AE_ELIGIBLE },
	    TMI(AE_INELIG_SUPERSEDED) }, { CY("01") }, {}, {}, 10 * DAY,
	  { WR(REENROLL, SUPERSEDED, "New", "01", "of template Mach, which New supersedes"),
	    ARCH("New", "01", 1), WR(SKIP, NOT_ELIGIBLE, "Mach", NULL, "superseded") } },
	{ "superseded v1 certificate (name extension, template not listed)", POL(7),
	  { { "New", "1.2.3.2", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "machine", AE_ELIGIBLE } },
	  { { "01", NULL, "Machine", 0, false, 0, 365 * DAY, false, AE_CERT_NONE } }, {}, {},
	  10 * DAY, { W(REENROLL, SUPERSEDED, "New", "01"), ARCH("New", "01", 1) } },
	{ "superseded, but the new template has its own newer certificate", POL(7),
	  { { "New", "1.2.3.2", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "Mach", AE_ELIGIBLE },
	    TMI(AE_INELIG_SUPERSEDED) },
	  { CY("01"), { "02", "1.2.3.2", NULL, 1, true, 5 * DAY, 370 * DAY, false, AE_CERT_NONE } },
	  {}, {}, 10 * DAY, { W(SKIP, VALID, "New", "02"), W(SKIP, NOT_ELIGIBLE, "Mach", "01") } },
	{ "superseded by each other (cycle): each keeps its own", POL(7),
	  { { "A", "1.2.3.5", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "B", AE_ELIGIBLE },
	    { "B", "1.2.3.6", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "A", AE_ELIGIBLE } },
	  { { "01", "1.2.3.6", NULL, 1, true, 0, 365 * DAY, false, AE_CERT_NONE } }, {}, {},
	  10 * DAY, { W(ENROLL, NO_CERTIFICATE, "A", NULL), W(SKIP, VALID, "B", "01") } },

	/* pending requests */
	{ "pending, AEPolicy 0x4: retrieve", POL(7), { TM }, {}, { { "Mach", 17 } }, {}, 0,
	  { { AE_ACTION_RETRIEVE, AE_CAUSE_PENDING, "Mach", NULL, 17, 0, false,
	      "request 17 pending at LabCA since 2023-12-31T00:00:00Z: retrieve" } } },
	{ "pending without 0x4: not retrieved, no second request", POL(3), { TM }, {},
	  { { "mach", 17 } }, {}, 0,
	  { { AE_ACTION_SKIP, AE_CAUSE_PENDING_NOT_RETRIEVED, "Mach", NULL, 17, 0, false,
	      "lacks 0x4" } } },
	{ "pending renewal while the current one is due: retrieve, archive after", POL(7), { TM },
	  { CY("01") }, { { "Mach", 17 } }, {}, 325 * DAY,
	  { WP(RETRIEVE, PENDING, "Mach", "01", 17), ARCH("Mach", "01", 1) } },
	{ "pending of a template not among the inputs: retrieved", POL(7), { TM }, {},
	  { { "Gone", 9 } }, {}, 0,
	  { W(ENROLL, NO_CERTIFICATE, "Mach", NULL), WP(RETRIEVE, PENDING, "Gone", NULL, 9) } },

	/* the AEPolicy gate */
	{ "AEPolicy 0x8000: everything skipped", POL(0x8007), { TM }, { CY("01") },
	  { { "Mach", 17 } }, {}, 330 * DAY,
	  { WR(SKIP, POLICY_DISABLED, "Mach", "01", "0x8000 (disabled)"),
	    WP(SKIP, POLICY_DISABLED, "Mach", "01", 17) } },
	{ "AEPolicy absent: everything skipped, no warning", POL_ABSENT, { TM }, { CY("01") },
	  { { "Mach", 17 } }, {}, 360 * DAY,
	  { WR(SKIP, POLICY_ABSENT, "Mach", "01", "not configured"),
	    WP(SKIP, POLICY_ABSENT, "Mach", "01", 17) } },
	{ "AEPolicy 0x6 (no 0x1): pending retrieved", POL(6), { TM }, {},
	  { { "Mach", 17 } }, {}, 0, { WP(RETRIEVE, PENDING, "Mach", NULL, 17) } },
	{ "AEPolicy 0 (GPMC, no box ticked): nothing, pending not retrieved", POL(0), { TM }, {},
	  { { "Mach", 17 } }, {}, 0, { WP(SKIP, PENDING_NOT_RETRIEVED, "Mach", NULL, 17) } },
	{ "AEPolicy 0 (no box ticked): not enrolled", POL(0), { TM }, {}, {}, {}, 0,
	  { W(SKIP, POLICY_NO_TEMPLATE_CHECK, "Mach", NULL) } },

	/* AEPolicy: one component per bit (ae_decide.h); each also a cmocka test below */
	{ "aepolicy_1_enrolls_without_store_management", POL(1), { TM }, {}, {}, {}, 0,
	  { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) } },
	{ "aepolicy_1_does_not_renew_without_store_management", POL(1), { TM }, { CY("01") }, {},
	  {}, 325 * DAY,
	  { WR(SKIP, POLICY_NO_STORE_MANAGEMENT, "Mach", "01", "renewal due since "
	       "2024-11-19T00:00:00Z (valid until 2024-12-31T00:00:00Z), but AEPolicy "
	       "0x00000001 lacks 0x2 (renew expired certificates, update pending "
	       "certificates, and remove revoked certificates): nothing done") } },
	{ "aepolicy_1_reenrolls_on_major_revision", POL(1), { TMV(101) }, { CY("01") }, {}, {},
	  10 * DAY, { W(REENROLL, MAJOR_REVISION, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "aepolicy_1_reenrolls_superseded", POL(1),
	  { { "New", "1.2.3.2", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "Mach", AE_ELIGIBLE },
	    TMI(AE_INELIG_SUPERSEDED) }, { CY("01") }, {}, {}, 10 * DAY,
	  { W(REENROLL, SUPERSEDED, "New", "01"), ARCH("New", "01", 1),
	    W(SKIP, NOT_ELIGIBLE, "Mach", NULL) } },
	{ "aepolicy_1_reenrolls_expired", POL(1), { TM }, { CY("01") }, {}, {}, 365 * DAY,
	  { W(REENROLL, EXPIRED, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "aepolicy_1_does_not_remove_revoked", POL(1), { TMF(REMOVE_FLAG, 0, 0) }, { CY("01") },
	  {}, REVOKED("01"), 10 * DAY,
	  { W(REENROLL, REVOKED, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "aepolicy_1_does_not_fetch_pending", POL(1), { TM }, {}, { { "Mach", 17 } }, {}, 0,
	  { WP(SKIP, PENDING_NOT_RETRIEVED, "Mach", NULL, 17) } },
	{ "aepolicy_6_renews_and_fetches_pending_without_template_check", POL(6),
	  { TM, { "Pend", "1.2.3.3", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } },
	  { CY("01") }, { { "Pend", 17 } }, {}, 325 * DAY,
	  { WR(RENEW, RENEWAL_DUE, "Mach", "01", "renew with a new key"), ARCH("Mach", "01", 1),
	    WP(RETRIEVE, PENDING, "Pend", NULL, 17) } },
	{ "aepolicy_6_does_not_enroll_without_template_check", POL(6), { TM }, {}, {}, {}, 0,
	  { WR(SKIP, POLICY_NO_TEMPLATE_CHECK, "Mach", NULL, "no current certificate, but "
	       "AEPolicy 0x00000006 lacks 0x1 (update certificates that use certificate "
	       "templates): nothing done") } },
	{ "aepolicy_6_major_revision_waits_for_the_renewal_window", POL(6), { TMV(101) },
	  { CY("01") }, {}, {}, 10 * DAY,
	  { WR(SKIP, POLICY_NO_TEMPLATE_CHECK, "Mach", "01", "template major version 101 is "
	       "above the certificate's 100, but AEPolicy 0x00000006 lacks 0x1") } },
	{ "aepolicy_6_major_revision_renewed_in_the_window", POL(6), { TMV(101) }, { CY("01") },
	  {}, {}, 325 * DAY, { W(RENEW, RENEWAL_DUE, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "aepolicy_6_does_not_reenroll_superseded", POL(6),
	  { { "New", "1.2.3.2", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "Mach", AE_ELIGIBLE },
	    TMI(AE_INELIG_SUPERSEDED) }, { CY("01") }, {}, {}, 10 * DAY,
	  { WR(SKIP, POLICY_NO_TEMPLATE_CHECK, "New", "01", "which New supersedes"),
	    W(SKIP, NOT_ELIGIBLE, "Mach", NULL) } },
	{ "aepolicy_6_reenrolls_expired_and_removes_with_0x400", POL(6), { TMF(REMOVE_FLAG, 0, 0) },
	  { CY("01") }, {}, {}, 400 * DAY,
	  { W(REMOVE, EXPIRED, "Mach", "01"), W(REENROLL, EXPIRED, "Mach", "01") } },
	{ "aepolicy_2_removes_and_replaces_revoked_without_template_check", POL(2),
	  { TMF(REMOVE_FLAG, 0, 0) }, { CY("01") }, {}, REVOKED("01"), 10 * DAY,
	  { W(REMOVE, REVOKED, "Mach", "01"), W(REENROLL, REVOKED, "Mach", "01") } },
	{ "aepolicy_2_does_not_fetch_pending", POL(2), { TM }, {}, { { "Mach", 17 } }, {}, 0,
	  { WP(SKIP, PENDING_NOT_RETRIEVED, "Mach", NULL, 17) } },
	{ "aepolicy_4_only_fetches_pending", POL(4),
	  { TM, { "Pend", "1.2.3.3", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } },
	  { CY("01") }, { { "Pend", 17 } }, {}, 325 * DAY,
	  { W(SKIP, POLICY_NO_STORE_MANAGEMENT, "Mach", "01"),
	    WP(RETRIEVE, PENDING, "Pend", NULL, 17) } },
	{ "aepolicy_4_does_not_reenroll_expired", POL(4), { TM }, { CY("01") }, {}, {}, 365 * DAY,
	  { WR(SKIP, POLICY_NO_STORE_MANAGEMENT, "Mach", "01", "certificate 01 expired at "
	       "2024-12-31T00:00:00Z, but AEPolicy 0x00000004 lacks 0x2") } },
	{ "aepolicy_5_enrolls_and_fetches_but_does_not_renew", POL(5),
	  { TM, { "Pend", "1.2.3.3", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } },
	  { CY("01") }, { { "Pend", 17 } }, {}, 325 * DAY,
	  { W(SKIP, POLICY_NO_STORE_MANAGEMENT, "Mach", "01"),
	    WP(RETRIEVE, PENDING, "Pend", NULL, 17) } },
	{ "aepolicy_7_enrolls_renews_and_fetches", POL(7),
	  { TM, { "Pend", "1.2.3.3", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE },
	    { "New", "1.2.3.4", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } },
	  { CY("01") }, { { "Pend", 17 } }, {}, 325 * DAY,
	  { W(RENEW, RENEWAL_DUE, "Mach", "01"), ARCH("Mach", "01", 1),
	    WP(RETRIEVE, PENDING, "Pend", NULL, 17), W(ENROLL, NO_CERTIFICATE, "New", NULL) } },
	{ "aepolicy_0x8007_does_nothing", POL(0x8007),
	  { TM, { "Pend", "1.2.3.3", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE },
	    { "New", "1.2.3.4", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } },
	  { CY("01") }, { { "Pend", 17 } }, {}, 325 * DAY,
	  { W(SKIP, POLICY_DISABLED, "Mach", "01"), W(SKIP, POLICY_DISABLED, "Pend", NULL),
	    WP(SKIP, POLICY_DISABLED, "Pend", NULL, 17), W(SKIP, POLICY_DISABLED, "New", NULL) } },

	/* CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT (0x40) with RA signatures */
	{ "ra_0x40_renews_signed_with_the_current_certificate", POL(7),
	  { TMF(CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT, 0, 1) }, { CY("01") }, {}, {},
	  325 * DAY,
	  { WR(RENEW, RENEWAL_DUE, "Mach", "01", "signed with the current certificate "
	       "(CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT)"), ARCH("Mach", "01", 1) } },
	{ "ra_0x40_does_not_enroll_without_a_certificate", POL(7),
	  { TMF(CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT, 0, 1) }, {}, {}, {}, 0,
	  { WR(SKIP, NOT_ELIGIBLE, "Mach", NULL, "no current certificate; msPKI-RA-Signature 1 "
	       "with CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT (0x40): only a renewal") } },
	{ "ra_0x40_does_not_reenroll_expired", POL(7),
	  { TMF(CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT, 0, 1) }, { CY("01") }, {}, {},
	  366 * DAY, { WR(SKIP, NOT_ELIGIBLE, "Mach", "01", "expired at") } },
	{ "ra_0x40_renews_on_major_revision", POL(7),
	  { { "Mach", "1.2.3.1", 101, CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT, 0, 1,
	      42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } }, { CY("01") }, {}, {}, 10 * DAY,
	  { WR(RENEW, MAJOR_REVISION, "Mach", "01", "major version 101"),
	    ARCH("Mach", "01", 1) } },
	{ "ra_0x40_renews_with_unsupported_periods", POL(7),
	  { { "Mach", "1.2.3.1", 100, CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT, 0, 1,
	      100 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } }, { CY("01") }, {}, {}, 292 * DAY,
	  { W(RENEW, RENEWAL_DUE, "Mach", "01"), ARCH("Mach", "01", 1) } },

	/* eligibility */
	{ "not eligible: the eligibility reason", POL(7), { TMI(AE_INELIG_NO_ENROLL) }, {}, {}, {},
	  0, { WR(SKIP, NOT_ELIGIBLE, "Mach", NULL, "not eligible: no-enroll") } },
	{ "not eligible, revoked + 0x400: still removed (housekeeping)", POL(7),
	  { TMX(REMOVE_FLAG) }, { CY("01") }, {}, REVOKED("01"), 10 * DAY,
	  { W(REMOVE, REVOKED, "Mach", "01"), W(SKIP, NOT_ELIGIBLE, "Mach", "01") } },
	{ "not eligible, pending: still retrieved", POL(7), { TMI(AE_INELIG_NO_ENROLL) }, {},
	  { { "Mach", 17 } }, {}, 0,
	  { W(SKIP, NOT_ELIGIBLE, "Mach", NULL), WP(RETRIEVE, PENDING, "Mach", NULL, 17) } },

	/* WARN: OfflineExpirationPercent */
	{ "exactly 10 % left: no warning", POL(7), { TMF(CT_FLAG_SKIP_AUTO_RENEWAL, 0, 0) },
	  { CY("01") }, {}, {}, 365 * DAY - 365 * DAY / 10,
	  { W(SKIP, SKIP_AUTO_RENEWAL, "Mach", "01") } },
	{ "just under 10 % left (default): warning", POL(7), { TMF(CT_FLAG_SKIP_AUTO_RENEWAL, 0, 0) },
	  { CY("01") }, {}, {}, 365 * DAY - 365 * DAY / 10 + 1,
	  { W(SKIP, SKIP_AUTO_RENEWAL, "Mach", "01"),
	    WR(WARN, EXPIRING, "Mach", "01", "below OfflineExpirationPercent 10") } },
	{ "warning next to a renewal", POL(7), { TM }, { CY("01") }, {}, {}, 340 * DAY,
	  { W(RENEW, RENEWAL_DUE, "Mach", "01"), ARCH("Mach", "01", 1),
	    W(WARN, EXPIRING, "Mach", "01") } },
	{ "OfflineExpirationPercent 25: 17 % left warns", POL_PCT(7, 25), { TM }, { CY("01") },
	  {}, {}, 300 * DAY,
	  { W(SKIP, VALID, "Mach", "01"), WR(WARN, EXPIRING, "Mach", "01", "17% of its life") } },
	{ "OfflineExpirationPercent 0: never warns", POL_PCT(7, 0), { TM }, { CY("01") }, {}, {},
	  364 * DAY, { W(RENEW, RENEWAL_DUE, "Mach", "01"), ARCH("Mach", "01", 1) } },
	{ "warns without any component (log only)", POL(0), { TM }, { CY("01") }, {}, {},
	  360 * DAY,
	  { W(SKIP, POLICY_NO_STORE_MANAGEMENT, "Mach", "01"), W(WARN, EXPIRING, "Mach", "01") } },
	{ "no warning for a revoked one", POL(5), { TM }, { CY("01") }, {}, REVOKED("01"),
	  360 * DAY, { W(REENROLL, REVOKED, "Mach", "01"), ARCH("Mach", "01", 1) } },

	/* which certificate is current */
	{ "key not present: not current, enroll", POL(7), { TM },
	  { { "01", "1.2.3.1", NULL, 100, true, 0, 365 * DAY, true, AE_CERT_NONE } }, {}, {},
	  10 * DAY, { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) } },
	{ "archived record: not current", POL(7), { TM },
	  { { "01", "1.2.3.1", NULL, 100, true, 0, 365 * DAY, false, AE_CERT_ARCHIVED } }, {},
	  {}, 10 * DAY, { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) } },
	{ "no template extension: not managed", POL(7), { TM },
	  { { "01", NULL, NULL, 0, false, 0, 365 * DAY, false, AE_CERT_NONE } }, {}, {},
	  10 * DAY, { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) } },
	{ "a template OID nobody has: not managed", POL(7), { TM },
	  { { "01", "1.2.3.99", NULL, 1, true, 0, 365 * DAY, false, AE_CERT_NONE } }, {}, {},
	  10 * DAY, { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) } },
	{ "v1 template and name, compared without case", POL(7),
	  { { "Machine", NULL, 5, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE } },
	  { { "01", NULL, "MACHINE", 0, false, 0, 365 * DAY, false, AE_CERT_NONE } }, {}, {},
	  10 * DAY, { W(SKIP, VALID, "Machine", "01") } },
	{ "two valid: the newest is current", POL(7), { TM },
	  { CY("01"), CM("02", 100 * DAY, 465 * DAY) }, {}, {}, 200 * DAY,
	  { W(SKIP, VALID, "Mach", "02") } },
	{ "newest revoked, older valid: older current, revoked one removed (0x400)", POL(7),
	  { TMF(REMOVE_FLAG, 0, 0) }, { CY("01"), CM("02", 100 * DAY, 465 * DAY) }, {},
	  REVOKED("02"), 200 * DAY,
	  { W(REMOVE, REVOKED, "Mach", "02"), W(SKIP, VALID, "Mach", "01") } },
	{ "both expired: the newest is current and re-enrolled", POL(7), { TM },
	  { CY("01"), CM("02", 10 * DAY, 375 * DAY) }, {}, {}, 400 * DAY,
	  { W(REENROLL, EXPIRED, "Mach", "02"), ARCH("Mach", "02", 1) } },
	{ "templates in input order", POL(7),
	  { { "B", "1.2.3.6", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL, AE_ELIGIBLE }, TM }, {}, {},
	  {}, 0, { W(ENROLL, NO_CERTIFICATE, "B", NULL), W(ENROLL, NO_CERTIFICATE, "Mach", NULL) } },
};

struct fixture {
	struct ae_template **templates;
	struct ae_eligibility *elig;
	struct ae_store_snapshot snap;
	struct ae_revocation_entry *revs;
	struct ae_decide_input in;
};

static void build(TALLOC_CTX *ctx, const struct dcase *dc, struct fixture *f)
{
	size_t nt = 0, nc = 0, np = 0, nr = 0, i;

	while (nt < MAXT && dc->t[nt].cn != NULL) {
		nt++;
	}
	while (nc < MAXC && dc->c[nc].serial != NULL) {
		nc++;
	}
	while (np < MAXP && dc->p[np].tpl != NULL) {
		np++;
	}
	while (nr < MAXR && dc->r[nr].serial != NULL) {
		nr++;
	}
	f->templates = talloc_zero_array(ctx, struct ae_template *, nt + 1);
	f->elig = talloc_zero_array(ctx, struct ae_eligibility, nt + 1);
	f->snap.certs = talloc_zero_array(ctx, struct ae_store_cert, nc + 1);
	f->snap.pending = talloc_zero_array(ctx, struct ae_store_pending_req, np + 1);
	f->revs = talloc_zero_array(ctx, struct ae_revocation_entry, nr + 1);
	assert_non_null(f->templates);
	assert_non_null(f->elig);
	assert_non_null(f->snap.certs);
	assert_non_null(f->snap.pending);
	assert_non_null(f->revs);
	for (i = 0; i < nt; i++) {
		const struct tpl_spec *s = &dc->t[i];
		struct ae_template *t = talloc_zero(f->templates, struct ae_template);

		assert_non_null(t);
		t->cn = talloc_strdup(t, s->cn);
		t->oid = s->oid != NULL ? talloc_strdup(t, s->oid) : NULL;
		t->schema_version = s->oid != NULL ? 2 : 1;
		t->major_revision = s->major;
		t->enrollment_flag = s->eflag;
		t->private_key_flag = s->pkflag;
		t->ra_signatures = s->ra;
		t->overlap_s = s->overlap;
		t->expiration_s = s->validity;
		t->present = AE_TPL_HAS_REVISION | AE_TPL_HAS_EXPIRATION | AE_TPL_HAS_OVERLAP;
		if (s->supersede != NULL) {
			t->supersede = talloc_array(t, char *, 1);
			assert_non_null(t->supersede);
			t->supersede[0] = talloc_strdup(t, s->supersede);
			t->num_supersede = 1;
		}
		f->templates[i] = t;
		f->elig[i].code = s->code;
		f->elig[i].code_name = ae_inelig_name(s->code);
		f->elig[i].reason = s->code == AE_ELIGIBLE ?
			talloc_strdup(f->elig, "eligible: published by LabCA") :
			talloc_asprintf(f->elig, "not eligible: %s", ae_inelig_name(s->code));
	}
	for (i = 0; i < nc; i++) {
		const struct cert_spec *s = &dc->c[i];
		struct ae_store_cert *c = &f->snap.certs[i];

		c->template_name = talloc_strdup(f->snap.certs, "Mach");
		c->template_oid = s->oid != NULL ? talloc_strdup(f->snap.certs, s->oid) : NULL;
		c->template_v1_name = s->v1 != NULL ? talloc_strdup(f->snap.certs, s->v1) : NULL;
		c->major = s->major;
		c->has_major = s->has_major;
		c->ca = talloc_strdup(f->snap.certs, "LabCA");
		c->serial_hex = talloc_strdup(f->snap.certs, s->serial);
		c->not_before = (time_t)(T0 + s->nb);
		c->not_after = (time_t)(T0 + s->na);
		c->key_present = !s->no_key;
		c->state = s->state == AE_CERT_NONE ? AE_CERT_ISSUED : s->state;
	}
	for (i = 0; i < np; i++) {
		struct ae_store_pending_req *p = &f->snap.pending[i];

		p->ca = talloc_strdup(f->snap.pending, "LabCA");
		p->template_name = talloc_strdup(f->snap.pending, dc->p[i].tpl);
		p->request_id = dc->p[i].id;
		p->submitted = (time_t)(T0 - DAY);
	}
	for (i = 0; i < nr; i++) {
		f->revs[i].serial_hex = dc->r[i].serial;
		f->revs[i].status = dc->r[i].status;
	}
	f->snap.num_certs = nc;
	f->snap.num_pending = np;
	f->in = (struct ae_decide_input) {
		.aepolicy = { .present = dc->pol_present, .value = dc->pol },
		.offline_expiration_percent = { .present = dc->pct_present, .value = dc->pct },
		.templates = f->templates,
		.eligibility = f->elig,
		.num_templates = nt,
		.snapshot = &f->snap,
		.revocations = f->revs,
		.num_revocations = nr,
		.now = (time_t)(T0 + dc->now),
	};
}

static void print_actions(const struct ae_action *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		print_message("  [%zu] %s/%s %s cert=%s pending=%u after=%zd same_key=%d: %s\n", i,
			      ae_action_kind_name(a[i].kind), ae_action_cause_name(a[i].cause),
			      a[i].template_name, a[i].cert != NULL ? a[i].cert->serial_hex : "-",
			      a[i].pending != NULL ? a[i].pending->request_id : 0,
			      a[i].after == AE_ACTION_NONE ? (ssize_t)-1 : (ssize_t)a[i].after,
			      a[i].same_key, a[i].reason);
	}
}

static bool action_matches(const struct ae_action *a, const struct want *w)
{
	size_t after = w->after == 0 ? AE_ACTION_NONE : w->after - 1;

	if (a->kind != w->kind || a->cause != w->cause || strcmp(a->template_name, w->tpl) != 0 ||
	    a->after != after || a->same_key != w->same_key || a->reason == NULL) {
		return false;
	}
	if ((w->serial == NULL) != (a->cert == NULL)) {
		return false;
	}
	if (w->serial != NULL && strcmp(a->cert->serial_hex, w->serial) != 0) {
		return false;
	}
	if ((w->pending_id == 0) != (a->pending == NULL)) {
		return false;
	}
	if (w->pending_id != 0 && a->pending->request_id != w->pending_id) {
		return false;
	}
	return w->reason == NULL || strstr(a->reason, w->reason) != NULL;
}

static void run_case(const struct dcase *dc)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct fixture f = {0};
	struct ae_action *acts = NULL;
	size_t n = 0, nw = 0, i;
	bool ok;
	ae_err err;

	assert_non_null(mem);
	assert_non_null(inputs);
	build(inputs, dc, &f);
	while (nw < MAXW && dc->w[nw].tpl != NULL) {
		nw++;
	}
	err = ae_decide(mem, &f.in, &acts, &n);
	assert_int_equal(err, AE_OK);
	assert_non_null(acts);
	ok = n == nw;
	for (i = 0; ok && i < n; i++) {
		ok = action_matches(&acts[i], &dc->w[i]);
	}
	if (!ok) {
		print_message("case '%s': got %zu actions, want %zu\n", dc->name, n, nw);
		print_actions(acts, n);
		fail_msg("case '%s' failed", dc->name);
	}
	assert_ptr_equal(talloc_parent(acts), mem);
	talloc_free(acts);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(&cases[i]);
	}
}

/* The named cases of the table, one cmocka test each (the AEPolicy components, 0x40). */
static void run_named(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(cases[i].name, name) == 0) {
			run_case(&cases[i]);
			return;
		}
	}
	fail_msg("no case '%s'", name);
}

#define NAMED(fn) static void fn(void **state) { (void)state; run_named(#fn); }
NAMED(aepolicy_1_enrolls_without_store_management)
NAMED(aepolicy_1_does_not_renew_without_store_management)
NAMED(aepolicy_1_reenrolls_on_major_revision)
NAMED(aepolicy_1_reenrolls_superseded)
NAMED(aepolicy_1_reenrolls_expired)
NAMED(aepolicy_1_does_not_remove_revoked)
NAMED(aepolicy_1_does_not_fetch_pending)
NAMED(aepolicy_6_renews_and_fetches_pending_without_template_check)
NAMED(aepolicy_6_does_not_enroll_without_template_check)
NAMED(aepolicy_6_major_revision_waits_for_the_renewal_window)
NAMED(aepolicy_6_major_revision_renewed_in_the_window)
NAMED(aepolicy_6_does_not_reenroll_superseded)
NAMED(aepolicy_6_reenrolls_expired_and_removes_with_0x400)
NAMED(aepolicy_2_removes_and_replaces_revoked_without_template_check)
NAMED(aepolicy_2_does_not_fetch_pending)
NAMED(aepolicy_4_only_fetches_pending)
NAMED(aepolicy_4_does_not_reenroll_expired)
NAMED(aepolicy_5_enrolls_and_fetches_but_does_not_renew)
NAMED(aepolicy_7_enrolls_renews_and_fetches)
NAMED(aepolicy_0x8007_does_nothing)
NAMED(ra_0x40_renews_signed_with_the_current_certificate)
NAMED(ra_0x40_does_not_enroll_without_a_certificate)
NAMED(ra_0x40_does_not_reenroll_expired)
NAMED(ra_0x40_renews_on_major_revision)
NAMED(ra_0x40_renews_with_unsupported_periods)

/*
 * The example of the Microsoft article "Approval required for certificate
 * renewals when certificate autoenrollment configured": 1 year, 6-week
 * (42 d) overlap: 80 % at 41.71 weeks, renew at 46.14 weeks.
 */
static void test_renew_at(void **state)
{
	time_t nb = (time_t)T0, na = (time_t)(T0 + 365 * DAY);
	time_t at;

	(void)state;
	at = ae_decide_renew_at(nb, na, 42 * DAY);
	assert_int_equal((int64_t)at - T0, 323 * DAY);
	/* 46.14 weeks, not 41.7 */
	assert_int_equal(((int64_t)at - T0) * 100 / WEEK, 4614);
	/* no overlap or a negative one: notAfter */
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, 0) - T0, 365 * DAY);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, -5 * DAY) - T0, 365 * DAY);
	/* an overlap of 20 % or more: the 80 % point (41.71 weeks) */
	assert_int_equal(((int64_t)ae_decide_renew_at(nb, na, 100 * DAY) - T0) * 100 / WEEK, 4171);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, 1000 * DAY) - T0, 292 * DAY);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, INT64_MAX) - T0, 292 * DAY);
	/* 73 d overlap (20 %): both points coincide */
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, 73 * DAY) - T0, 292 * DAY);
	/* nonsense inputs give notAfter */
	assert_int_equal((int64_t)ae_decide_renew_at(na, nb, 42 * DAY), (int64_t)nb);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, nb, 42 * DAY), (int64_t)nb);
	assert_int_equal((int64_t)ae_decide_renew_at((time_t)(AE_DECIDE_TIME_MIN - 1), na, 0),
			 (int64_t)na);
}

static void test_periods(void **state)
{
	time_t nb = (time_t)T0, na = (time_t)(T0 + 365 * DAY);

	(void)state;
	assert_true(ae_decide_periods_supported(365 * DAY, 42 * DAY, nb, na));
	/* more than 8 hours */
	assert_false(ae_decide_periods_supported(365 * DAY, 8 * HOUR, nb, na));
	assert_true(ae_decide_periods_supported(365 * DAY, 8 * HOUR + 1, nb, na));
	assert_false(ae_decide_periods_supported(365 * DAY, 0, nb, na));
	assert_false(ae_decide_periods_supported(365 * DAY, -DAY, nb, na));
	/* less than 20 % of the template's validity */
	assert_false(ae_decide_periods_supported(365 * DAY, 73 * DAY, nb, na));
	assert_true(ae_decide_periods_supported(365 * DAY, 73 * DAY - 1, nb, na));
	assert_false(ae_decide_periods_supported(100 * DAY, 42 * DAY, nb, na));
	/* no template validity: the certificate's life */
	assert_true(ae_decide_periods_supported(0, 42 * DAY, nb, na));
	assert_false(ae_decide_periods_supported(0, 42 * DAY, nb, (time_t)(T0 + 100 * DAY)));
	/* shorter than the certificate's life */
	assert_false(ae_decide_periods_supported(365 * DAY, 42 * DAY, nb, (time_t)(T0 + 42 * DAY)));
	assert_false(ae_decide_periods_supported(365 * DAY, 42 * DAY, na, nb));
	assert_false(ae_decide_periods_supported(INT64_MAX, INT64_MAX, nb, na));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ae_action_kind_name(AE_ACTION_ENROLL), "enroll");
	assert_string_equal(ae_action_kind_name(AE_ACTION_REENROLL), "re-enroll");
	assert_string_equal(ae_action_kind_name(AE_ACTION_SKIP), "skip");
	assert_string_equal(ae_action_kind_name((enum ae_action_kind)99), "unknown");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_NO_CERTIFICATE), "no-certificate");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_POLICY_NO_TEMPLATE_CHECK),
			    "policy-no-template-check");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_POLICY_NO_STORE_MANAGEMENT),
			    "policy-no-store-management");
	assert_string_equal(ae_action_cause_name((enum ae_action_cause)99), "unknown");
}

/* Whole reasons, the GPO that set AEPolicy, and where the pointers point. */
static void test_reasons_and_pointers(void **state)
{
	static const struct dcase dc = {
		"reasons", POL(7), { TM, { "Old", "1.2.3.9", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL,
					   AE_INELIG_NOT_PUBLISHED } },
		{ CY("01") }, { { "Old", 4 } }, {}, 325 * DAY, {}
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct fixture f = {0};
	struct ae_action *acts = NULL;
	size_t n = 0;

	(void)state;
	build(inputs, &dc, &f);
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_int_equal(n, 4);
	assert_string_equal(acts[0].reason, "renewal due since 2024-11-19T00:00:00Z (valid until "
			    "2024-12-31T00:00:00Z): renew with a new key");
	assert_ptr_equal(acts[0].t, f.templates[0]);
	assert_ptr_equal(acts[0].cert, &f.snap.certs[0]);
	assert_ptr_equal(acts[0].template_name, f.templates[0]->cn);
	assert_null(acts[0].pending);
	assert_int_equal((int64_t)acts[0].renew_at, T0 + 323 * DAY);
	assert_string_equal(acts[1].reason, "certificate 01 is replaced by the renew (action 0): "
			    "archive it once the new certificate is installed");
	assert_int_equal(acts[1].after, 0);
	assert_string_equal(acts[2].reason, "not eligible: not-published");
	assert_int_equal(acts[3].kind, AE_ACTION_RETRIEVE);
	assert_ptr_equal(acts[3].pending, &f.snap.pending[0]);
	assert_ptr_equal(acts[3].t, f.templates[1]);
	assert_int_equal((int64_t)acts[3].renew_at, 0);
	talloc_free(acts);

	f.in.aepolicy = (struct ae_setting_u32) { true, 0x8001, "{31B2F340-016D-11D2-945F}" };
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(acts[0].reason, "AEPolicy 0x00008001 (set by {31B2F340-016D-11D2-945F}) "
			    "has 0x8000 (disabled): autoenrollment does nothing");
	assert_string_equal(acts[2].reason, "request 4 pending at LabCA: not retrieved: AEPolicy "
			    "0x00008001 (set by {31B2F340-016D-11D2-945F}) has 0x8000 (disabled): "
			    "autoenrollment does nothing");
	talloc_free(acts);

	f.in.aepolicy = (struct ae_setting_u32) { true, 0x5, "{31B2F340-016D-11D2-945F}" };
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_string_equal(acts[0].reason, "renewal due since 2024-11-19T00:00:00Z (valid until "
			    "2024-12-31T00:00:00Z), but AEPolicy 0x00000005 (set by "
			    "{31B2F340-016D-11D2-945F}) lacks 0x2 (renew expired certificates, "
			    "update pending certificates, and remove revoked certificates): "
			    "nothing done");
	talloc_free(acts);

	f.in.aepolicy = (struct ae_setting_u32) { false, 7, NULL };
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_string_equal(acts[0].reason, "AEPolicy is not configured: autoenrollment does nothing");
	talloc_free(acts);

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

static void test_api(void **state)
{
	static const struct dcase dc = { "api", POL(7), { TM }, { CY("01") }, {}, {}, 0, {} };
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct fixture f = {0};
	struct ae_decide_input in;
	struct ae_store_snapshot snap;
	struct ae_action *acts = (struct ae_action *)&f;	/* untouched on failure */
	struct ae_action *empty = NULL;
	size_t n = 42;

	(void)state;
	build(inputs, &dc, &f);
	assert_int_equal(ae_decide(mem, NULL, &acts, &n), AE_ERR_INVALID);
	assert_int_equal(ae_decide(mem, &f.in, NULL, &n), AE_ERR_INVALID);
	assert_int_equal(ae_decide(mem, &f.in, &acts, NULL), AE_ERR_INVALID);

	in = f.in;
	in.templates = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.eligibility = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.now = (time_t)(AE_DECIDE_TIME_MAX + 1);
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.revocations = NULL;
	in.num_revocations = 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.num_revocations = AE_DECIDE_REVOCATIONS_MAX + 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	in = f.in;
	in.num_templates = AE_ELIGIBILITY_TEMPLATES_MAX + 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	in = f.in;
	snap = f.snap;
	snap.num_certs = AE_DECIDE_CERTS_MAX + 1;
	in.snapshot = &snap;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	snap = f.snap;
	snap.num_pending = AE_DECIDE_PENDING_MAX + 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	snap = f.snap;
	snap.pending = NULL;
	snap.num_pending = 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	f.templates[0]->cn = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	f.templates[0] = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	assert_ptr_equal(acts, (struct ae_action *)&f);
	assert_int_equal(n, 42);
	assert_int_equal(talloc_total_blocks(mem), 1);

	/* nothing at all: an empty array */
	memset(&in, 0, sizeof(in));
	in.now = (time_t)T0;
	assert_int_equal(ae_decide(mem, &in, &empty, &n), AE_OK);
	assert_non_null(empty);
	assert_int_equal(n, 0);
	talloc_free(empty);

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

/* Many templates and certificates: every action is built, the array grows. */
static void test_many(void **state)
{
	enum { N = 50 };
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct ae_template **tpl = talloc_zero_array(inputs, struct ae_template *, N);
	struct ae_eligibility *elig = talloc_zero_array(inputs, struct ae_eligibility, N);
	struct ae_store_cert *certs = talloc_zero_array(inputs, struct ae_store_cert, N);
	struct ae_store_snapshot snap = { certs, N, NULL, 0 };
	struct ae_decide_input in = {
		.aepolicy = { true, 7, NULL }, .templates = tpl, .eligibility = elig,
		.num_templates = N, .snapshot = &snap, .now = (time_t)(T0 + 325 * DAY),
	};
	struct ae_action *acts = NULL;
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < N; i++) {
		tpl[i] = talloc_zero(tpl, struct ae_template);
		tpl[i]->cn = talloc_asprintf(tpl[i], "T%zu", i);
		tpl[i]->oid = talloc_asprintf(tpl[i], "1.2.3.%zu", i);
		tpl[i]->overlap_s = 42 * DAY;
		tpl[i]->expiration_s = 365 * DAY;
		elig[i].reason = talloc_strdup(elig, "eligible");
		certs[i].template_oid = talloc_asprintf(certs, "1.2.3.%zu", N - 1 - i);
		certs[i].serial_hex = talloc_asprintf(certs, "%zx", i + 1);
		certs[i].not_before = (time_t)T0;
		certs[i].not_after = (time_t)(T0 + 365 * DAY);
		certs[i].key_present = true;
		certs[i].state = AE_CERT_ISSUED;
	}
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_OK);
	assert_int_equal(n, 2 * N);
	assert_int_equal(talloc_array_length(acts), 2 * N);
	for (i = 0; i < N; i++) {
		assert_int_equal(acts[2 * i].kind, AE_ACTION_RENEW);
		assert_ptr_equal(acts[2 * i].cert, &certs[N - 1 - i]);
		assert_int_equal(acts[2 * i + 1].kind, AE_ACTION_ARCHIVE);
		assert_int_equal(acts[2 * i + 1].after, 2 * i);
	}
	talloc_free(acts);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}


/* ---- the template binding of the state record, the back-off, force_renew ---- */

/* Decide the fixture of dc after 'tweak' changed it; compare with w[0..nw). */
static void run_tweaked(const struct dcase *dc, void (*tweak)(struct fixture *f, void *arg),
			void *arg, const struct want *w, size_t nw, uint32_t want_failures)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct fixture f = {0};
	struct ae_action *acts = NULL;
	size_t n = 0, i;
	bool ok;

	assert_non_null(mem);
	assert_non_null(inputs);
	build(inputs, dc, &f);
	tweak(&f, arg);
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	ok = n == nw;
	for (i = 0; ok && i < n; i++) {
		ok = action_matches(&acts[i], &w[i]);
	}
	if (!ok) {
		print_message("case '%s': got %zu actions, want %zu\n", dc->name, n, nw);
		print_actions(acts, n);
		fail_msg("case '%s' failed", dc->name);
	}
	assert_int_equal(acts[0].failures, want_failures);
	talloc_free(acts);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

/* What the state record adds: the binding, the failures, the forced template. */
struct rec_tweak {
	bool record;
	const char *name;		/* the record's template (file stem) */
	uint32_t failures;
	int64_t next;			/* seconds after T0 */
	const char *force;
};

static void apply_rec(struct fixture *f, void *arg)
{
	const struct rec_tweak *r = arg;
	size_t i;

	for (i = 0; i < f->snap.num_certs; i++) {
		struct ae_store_cert *c = &f->snap.certs[i];

		c->has_record = r->record;
		c->template_name = talloc_strdup(f->snap.certs, r->name);
		c->failures = r->failures;
		c->next_attempt = (time_t)(T0 + r->next);
		c->reason = r->failures ? talloc_strdup(f->snap.certs, "CERTSRV_E_TEMPLATE_DENIED")
					: NULL;
	}
	f->in.force_renew = r->force;
}

/* A certificate without the extension, as a CA that omits it issues them. */
#define CNOEXT(s)	{ (s), NULL, NULL, 100, true, 0, 365 * DAY, false, AE_CERT_NONE }
/* A record without a usable certificate (no key, no validity), as after a failure. */
#define CNONE		{ "00", NULL, NULL, 0, false, 0, 0, true, AE_CERT_NONE }

/*
 * Issue D finding 5: a certificate issued without the template extension was
 * never matched to its template, so every cycle enrolled again. The record
 * (the client's own, for the template it requested) binds it.
 */
static void cert_without_template_extension_is_matched_by_record(void **state)
{
	static const struct dcase valid = { "bound: valid", POL(7), { TM }, { CNOEXT("01") },
					    {}, {}, 10 * DAY, {} };
	static const struct dcase due = { "bound: renewal due", POL(7), { TM },
					  { CNOEXT("01") }, {}, {}, 325 * DAY, {} };
	static const struct dcase bumped = { "bound: major bump", POL(7), { TMV(101) },
					     { CNOEXT("01") }, {}, {}, 10 * DAY, {} };
	struct rec_tweak mine = { true, "Mach", 0, 0, NULL };
	struct rec_tweak other = { true, "Other", 0, 0, NULL };
	struct rec_tweak none = { false, "Mach", 0, 0, NULL };
	const struct want w_valid[] = { WR(SKIP, VALID, "Mach", "01", "valid until") };
	const struct want w_due[] = { W(RENEW, RENEWAL_DUE, "Mach", "01"), ARCH("Mach", "01", 1) };
	const struct want w_bump[] = { W(REENROLL, MAJOR_REVISION, "Mach", "01"),
				       ARCH("Mach", "01", 1) };
	const struct want w_enroll[] = { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) };

	(void)state;
	run_tweaked(&valid, apply_rec, &mine, w_valid, 1, 0);
	run_tweaked(&due, apply_rec, &mine, w_due, 2, 0);
	run_tweaked(&bumped, apply_rec, &mine, w_bump, 2, 0);
	/* another template's record, or none (installed by hand): not this template's */
	run_tweaked(&valid, apply_rec, &other, w_enroll, 1, 0);
	run_tweaked(&valid, apply_rec, &none, w_enroll, 1, 0);
}

/* A bound certificate of a superseded template is superseded like any other. */
static void cert_without_template_extension_of_superseded_template(void **state)
{
	static const struct dcase dc = { "bound: superseded", POL(7),
		{ { "New", "1.2.3.2", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "Mach", AE_ELIGIBLE },
		  TMI(AE_INELIG_SUPERSEDED) }, { CNOEXT("01") }, {}, {}, 10 * DAY, {} };
	struct rec_tweak mine = { true, "Mach", 0, 0, NULL };
	const struct want w[] = { W(REENROLL, SUPERSEDED, "New", "01"), ARCH("New", "01", 1),
				  W(SKIP, NOT_ELIGIBLE, "Mach", NULL) };

	(void)state;
	run_tweaked(&dc, apply_rec, &mine, w, 3, 0);
}

/*
 * Issue D finding 5: a denied (or failed) request was asked again every
 * cycle. The record's failures and next_attempt hold the template back.
 */
static void failed_request_backs_off(void **state)
{
	static const struct dcase fresh = { "back-off: no certificate", POL(7), { TM }, { CNONE },
					    {}, {}, 0, {} };
	static const struct dcase due = { "back-off: renewal due", POL(7), { TM }, { CY("01") },
					  {}, {}, 325 * DAY, {} };
	struct rec_tweak waiting = { true, "Mach", 2, 2 * HOUR, NULL };
	struct rec_tweak over = { true, "Mach", 2, 0, NULL };
	struct rec_tweak waiting_due = { true, "Mach", 1, 325 * DAY + HOUR, NULL };
	const struct want w_wait[] = {
		WR(SKIP, BACKING_OFF, "Mach", NULL, "backing off after 2 failed requests until "
		   "2024-01-01T02:00:00Z (last: CERTSRV_E_TEMPLATE_DENIED): no enroll now "
		   "(no current certificate: enroll)") };
	const struct want w_enroll[] = { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) };
	const struct want w_wait_due[] = {
		WR(SKIP, BACKING_OFF, "Mach", "01", "after 1 failed request until") };
	const struct want w_renew[] = { W(RENEW, RENEWAL_DUE, "Mach", "01"),
					ARCH("Mach", "01", 1) };
	struct rec_tweak over_due = { true, "Mach", 1, 325 * DAY, NULL };

	(void)state;
	run_tweaked(&fresh, apply_rec, &waiting, w_wait, 1, 2);
	/* next_attempt reached: asked again, and the cycle learns the count */
	run_tweaked(&fresh, apply_rec, &over, w_enroll, 1, 2);
	/* a renewal too, and nothing is archived while it waits */
	run_tweaked(&due, apply_rec, &waiting_due, w_wait_due, 1, 1);
	run_tweaked(&due, apply_rec, &over_due, w_renew, 2, 1);
}

static void backoff_doubles_up_to_8_hours(void **state)
{
	(void)state;
	assert_int_equal(ae_decide_backoff_s(0), 0);
	assert_int_equal(ae_decide_backoff_s(1), HOUR);
	assert_int_equal(ae_decide_backoff_s(2), 2 * HOUR);
	assert_int_equal(ae_decide_backoff_s(3), 4 * HOUR);
	assert_int_equal(ae_decide_backoff_s(4), 8 * HOUR);
	assert_int_equal(ae_decide_backoff_s(5), 8 * HOUR);
	assert_int_equal(ae_decide_backoff_s(UINT32_MAX), 8 * HOUR);
	assert_string_equal(ae_action_cause_name(AE_CAUSE_BACKING_OFF), "backing-off");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_FORCED), "forced");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_NOTHING_TO_RENEW), "nothing-to-renew");
}

/* `autoenroll renew T`: RENEW now, whatever the window, the back-off or AEPolicy. */
static void forced_renewal_renews_a_valid_certificate_now(void **state)
{
	static const struct dcase early = { "forced: early", POL(7), { TM }, { CY("01") }, {}, {},
					    10 * DAY, {} };
	static const struct dcase absent = { "forced: no AEPolicy", POL_ABSENT, { TM },
					     { CY("01") }, {}, {}, 10 * DAY, {} };
	static const struct dcase bound = { "forced: bound", POL(7), { TM }, { CNOEXT("01") },
					    {}, {}, 10 * DAY, {} };
	struct rec_tweak force = { false, "Mach", 0, 0, "MACH" };
	struct rec_tweak force_rec = { true, "Mach", 3, 10 * DAY + HOUR, "Mach" };
	struct rec_tweak other = { false, "Mach", 0, 0, "Other" };
	const struct want w[] = { WR(RENEW, FORCED, "Mach", "01", "renewal asked for (valid until "
				     "2024-12-31T00:00:00Z): renew with a new key, signed with the "
				     "current certificate"), ARCH("Mach", "01", 1) };
	const struct want w_other[] = { W(SKIP, VALID, "Mach", "01") };

	(void)state;
	run_tweaked(&early, apply_rec, &force, w, 2, 0);
	run_tweaked(&early, apply_rec, &force_rec, w, 2, 3);	/* backing off: forced anyway */
	run_tweaked(&absent, apply_rec, &force, w, 2, 0);
	run_tweaked(&bound, apply_rec, &force_rec, w, 2, 3);
	run_tweaked(&early, apply_rec, &other, w_other, 1, 0);
}

static void forced_renewal_without_a_valid_certificate_is_refused(void **state)
{
	static const struct dcase none = { "forced: nothing", POL(7), { TM }, {}, {}, {}, 0, {} };
	static const struct dcase expired = { "forced: expired", POL(7), { TM }, { CY("01") }, {},
					      {}, 400 * DAY, {} };
	static const struct dcase pending = { "forced: pending", POL(7), { TM }, { CY("01") },
					      { { "Mach", 17 } }, {}, 10 * DAY, {} };
	struct rec_tweak force = { false, "Mach", 0, 0, "Mach" };
	const struct want w_none[] = { WR(SKIP, NOTHING_TO_RENEW, "Mach", NULL, "no valid "
					  "certificate to sign it with: use 'autoenroll request "
					  "Mach'") };
	const struct want w_expired[] = { WR(SKIP, NOTHING_TO_RENEW, "Mach", "01",
					     "(it expired)") };
	const struct want w_pending[] = { WP(RETRIEVE, PENDING, "Mach", "01", 17),
					  WR(SKIP, NOTHING_TO_RENEW, "Mach", "01", "pending"),
					  ARCH("Mach", "01", 1) };

	(void)state;
	run_tweaked(&none, apply_rec, &force, w_none, 1, 0);
	run_tweaked(&expired, apply_rec, &force, w_expired, 1, 0);
	run_tweaked(&pending, apply_rec, &force, w_pending, 3, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(aepolicy_1_enrolls_without_store_management),
		cmocka_unit_test(aepolicy_1_does_not_renew_without_store_management),
		cmocka_unit_test(aepolicy_1_reenrolls_on_major_revision),
		cmocka_unit_test(aepolicy_1_reenrolls_superseded),
		cmocka_unit_test(aepolicy_1_reenrolls_expired),
		cmocka_unit_test(aepolicy_1_does_not_remove_revoked),
		cmocka_unit_test(aepolicy_1_does_not_fetch_pending),
		cmocka_unit_test(aepolicy_6_renews_and_fetches_pending_without_template_check),
		cmocka_unit_test(aepolicy_6_does_not_enroll_without_template_check),
		cmocka_unit_test(aepolicy_6_major_revision_waits_for_the_renewal_window),
		cmocka_unit_test(aepolicy_6_major_revision_renewed_in_the_window),
		cmocka_unit_test(aepolicy_6_does_not_reenroll_superseded),
		cmocka_unit_test(aepolicy_6_reenrolls_expired_and_removes_with_0x400),
		cmocka_unit_test(aepolicy_2_removes_and_replaces_revoked_without_template_check),
		cmocka_unit_test(aepolicy_2_does_not_fetch_pending),
		cmocka_unit_test(aepolicy_4_only_fetches_pending),
		cmocka_unit_test(aepolicy_4_does_not_reenroll_expired),
		cmocka_unit_test(aepolicy_5_enrolls_and_fetches_but_does_not_renew),
		cmocka_unit_test(aepolicy_7_enrolls_renews_and_fetches),
		cmocka_unit_test(aepolicy_0x8007_does_nothing),
		cmocka_unit_test(ra_0x40_renews_signed_with_the_current_certificate),
		cmocka_unit_test(ra_0x40_does_not_enroll_without_a_certificate),
		cmocka_unit_test(ra_0x40_does_not_reenroll_expired),
		cmocka_unit_test(ra_0x40_renews_on_major_revision),
		cmocka_unit_test(ra_0x40_renews_with_unsupported_periods),
		cmocka_unit_test(test_renew_at),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reasons_and_pointers),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_many),
		cmocka_unit_test(cert_without_template_extension_is_matched_by_record),
		cmocka_unit_test(cert_without_template_extension_of_superseded_template),
		cmocka_unit_test(failed_request_backs_off),
		cmocka_unit_test(backoff_doubles_up_to_8_hours),
		cmocka_unit_test(forced_renewal_renews_a_valid_certificate_now),
		cmocka_unit_test(forced_renewal_without_a_valid_certificate_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
