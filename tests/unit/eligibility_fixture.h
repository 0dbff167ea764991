/*
 * eligibility_fixture.h: templates, descriptors, tokens and CAs for the
 * eligibility tests (test_eligibility.c, test_eligibility_supersede.c,
 * test_eligibility_api.c). A template is filled by hand from a tspec, its
 * descriptor marshalled with ae_secdesc_build from up to four ACEs; a
 * token is the machine's (in Domain Computers and, through it, a nested
 * group), the same without Domain Computers, or a user's. The functions
 * are in eligibility_fixture.c, linked into each of those programs
 * (unit_extra_sources in meson.build).
 */
#ifndef ELIGIBILITY_FIXTURE_H
#define ELIGIBILITY_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_access.h"
#include "ae_eligibility.h"
#include "ae_secdesc.h"
#include "ae_sid.h"
#include "ae_template.h"
#include "ae_token.h"

#define DOM	"S-1-5-21-1-2-3"
#define MACHINE	DOM "-1104"	/* the machine account */
#define DCS	DOM "-515"	/* Domain Computers */
#define NESTED	DOM "-1105"	/* a group the machine is in through Domain Computers */
#define OTHER	DOM "-1200"	/* a group nobody here is in */
#define USER	DOM "-1106"	/* a user */
#define DU	DOM "-513"	/* Domain Users */

#define CR	AE_ADS_RIGHT_DS_CONTROL_ACCESS
#define ENR	ae_guid_enroll
#define AUTO	ae_guid_autoenroll
#define MT	CT_FLAG_MACHINE_TYPE
#define AEF	CT_FLAG_AUTO_ENROLLMENT

struct tace {
	uint8_t type;
	uint32_t mask;
	const uint8_t *ot;		/* ObjectType or NULL */
	const char *sid;		/* NULL ends the list */
};

#define OA(g, s)	{ AE_ACE_ACCESS_ALLOWED_OBJECT, CR, (g), (s) }
#define OD(g, s)	{ AE_ACE_ACCESS_DENIED_OBJECT, CR, (g), (s) }
#define A_(m, s)	{ AE_ACE_ACCESS_ALLOWED, (m), NULL, (s) }
#define CB(t, g, s)	{ (t), CR, (g), (s) }
#define BOTH(s)		OA(ENR, s), OA(AUTO, s)

enum sd_mode { SD_ACES, SD_EMPTY, SD_NULL_DACL, SD_NONE, SD_BAD };
enum tok_mode { TOK_MACHINE, TOK_NO_DCS, TOK_USER };

struct tspec {
	uint32_t schema, flags, eflag, pkflag, ra;
	enum sd_mode sd;
	struct tace aces[4];
};

/* A v2 machine template that passes everything. */
#define GOOD	{ 2, MT | AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }

#define M	AE_CONTEXT_MACHINE
#define U	AE_CONTEXT_USER
#define NOT	"not eligible: "
#define OK_R	"eligible: published by LabCA"

/* What the namer saw (elig_lab_namer's private data). */
struct elig_namer_state {
	size_t calls;
};

/* A token of mode (its user, groups and the implicit SIDs), on mem. */
struct ae_token *elig_make_token(TALLOC_CTX *mem, enum tok_mode mode);
/* The flags, versions and descriptor of s into t (the old descriptor is freed). */
void elig_set_spec(struct ae_template *t, const struct tspec *s);
/* t's msPKI-Supersede-Templates: a and b, each NULL for none. */
void elig_set_supersede(struct ae_template *t, const char *a, const char *b);
/* A template cn with s, on mem. */
struct ae_template *elig_make_tpl(TALLOC_CTX *mem, const char *cn, const struct tspec *s);
/* A CA publishing the NULL-terminated list of template names. */
struct ae_enrollment_service *elig_make_ca(TALLOC_CTX *mem, const char *cn, ...);
/* Names the lab's SIDs (LAB\HOST$, LAB\Domain Computers, LAB\Nested Group). */
const char *elig_lab_namer(void *private_data, const struct ae_sid *s);
/* Compute for templates t[0..n) against cas; checks the invariants of every verdict. */
struct ae_eligibility *elig_compute(TALLOC_CTX *mem, struct ae_template **t, size_t n,
				    struct ae_enrollment_service **cas, size_t num_cas,
				    const struct ae_token *tok, enum ae_context ctx);
/* GOOD, listing sup1 and sup2 (each NULL for none) as superseded. */
struct ae_template *elig_good_tpl(TALLOC_CTX *mem, const char *cn, const char *sup1,
				  const char *sup2);
/* Fails unless e has code and exactly reason, and superseded_by is by (or NULL). */
void elig_want(const struct ae_eligibility *e, enum ae_inelig code, const char *reason,
	       const char *by);

#endif
