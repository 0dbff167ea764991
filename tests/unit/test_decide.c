/*
 * test_decide.c: the MS-CAESO decisions (engine layer, ae_decide.h), a pure
 * function: every case is data (templates with their eligibility, store
 * certificates, pending requests, revocation status, AEPolicy, a fixed
 * 'now') and the exact list of actions expected, with a piece of each
 * reason (decide_fixture.h); the AEPolicy components and the 0x40 cases
 * also run as cmocka tests of their own. The renewal timing, the period
 * bounds, the exact reasons, the pointers and the argument checks are in
 * test_decide_api.c; the state record, the back-off and the forced
 * renewal in test_decide_record.c.
 * Every test checks that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "decide_fixture.h"

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

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		decide_run_case(&cases[i]);
	}
}

/* The named cases of the table, one cmocka test each (the AEPolicy components, 0x40). */
static void run_named(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(cases[i].name, name) == 0) {
			decide_run_case(&cases[i]);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
