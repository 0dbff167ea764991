/*
 * fuzz_secdesc.c: the security layer's parser of untrusted bytes
 * (self-relative SECURITY_DESCRIPTORs from nTSecurityDescriptor) and what
 * is done with its result.
 *
 * Input: the descriptor's bytes. Oracles (abort on violation):
 *   - a failed parse leaves nothing on the context and sets no output;
 *   - a parsed descriptor rebuilds (ae_secdesc_build), the rebuilt bytes
 *     parse to the same structure, and rebuilding that gives the same bytes;
 *   - SDDL renders; the access check answers every right consistently.
 * The input is also tried as a binary SID and, NUL-terminated, as a SID
 * and a GUID string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_access.h"
#include "ae_guid.h"
#include "ae_secdesc.h"
#include "ae_sid.h"
#include "ae_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok) {
		abort();
	}
}

static bool ace_same(const struct ae_ace *a, const struct ae_ace *b)
{
	return a->type == b->type && a->flags == b->flags && a->size == b->size &&
	       a->kind == b->kind && a->is_object == b->is_object && a->mask == b->mask &&
	       a->object_flags == b->object_flags &&
	       a->has_object_type == b->has_object_type &&
	       memcmp(a->object_type, b->object_type, AE_GUID_LEN) == 0 &&
	       a->has_inherited_object_type == b->has_inherited_object_type &&
	       memcmp(a->inherited_object_type, b->inherited_object_type, AE_GUID_LEN) == 0 &&
	       (a->kind == AE_ACE_KIND_UNKNOWN || ae_sid_equal(&a->sid, &b->sid)) &&
	       a->extra_len == b->extra_len &&
	       (a->extra_len == 0 || memcmp(a->extra, b->extra, a->extra_len) == 0);
}

static bool acl_same(const struct ae_acl *a, const struct ae_acl *b)
{
	uint32_t i;

	if (a == NULL || b == NULL) {
		return a == b;
	}
	if (a->revision != b->revision || a->size != b->size || a->num_aces != b->num_aces) {
		return false;
	}
	for (i = 0; i < a->num_aces; i++) {
		if (!ace_same(&a->aces[i], &b->aces[i])) {
			return false;
		}
	}
	return true;
}

static bool sd_same(const struct ae_secdesc *a, const struct ae_secdesc *b)
{
	return a->revision == b->revision && a->sbz1 == b->sbz1 && a->control == b->control &&
	       a->has_owner == b->has_owner && (!a->has_owner || ae_sid_equal(&a->owner, &b->owner)) &&
	       a->has_group == b->has_group && (!a->has_group || ae_sid_equal(&a->group, &b->group)) &&
	       acl_same(a->sacl, b->sacl) && acl_same(a->dacl, b->dacl);
}

static void check_access(TALLOC_CTX *mem, const struct ae_secdesc *sd)
{
	static const enum ae_right rights[] = {
		AE_RIGHT_ENROLL, AE_RIGHT_AUTOENROLL, AE_RIGHT_APPLY_GROUP_POLICY, AE_RIGHT_READ
	};
	struct ae_sid dc;
	struct ae_token *t = NULL;
	size_t i;

	check(ae_sid_from_string("S-1-5-21-1-2-3-515", &dc) == AE_OK);
	t = ae_token_new(mem, &dc);
	check(t != NULL);
	check(ae_token_add_implicit(t) == AE_OK);
	for (i = 0; i < sizeof(rights) / sizeof(rights[0]); i++) {
		struct ae_access_result r;

		check(ae_access_check(sd, t, rights[i], &r) == AE_OK);
		check(!(r.granted && r.denied));
		if (sd->dacl == NULL) {
			check(r.granted && r.deciding_ace == -1);
		} else if (r.deciding_ace >= 0) {
			check((uint32_t)r.deciding_ace < sd->dacl->num_aces);
			check(r.granted || r.denied);
			check(ae_token_has(t, &r.deciding_sid));
		} else {
			check(r.deciding_ace == -1 && !r.granted && !r.denied);
		}
	}
	talloc_free(t);
}

static void fuzz_strings(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct ae_sid sid, sid2;
	uint8_t guid[AE_GUID_LEN], guid2[AE_GUID_LEN];
	char buf[AE_SID_STR_MAX], gbuf[AE_GUID_STR_MAX];
	size_t used = 0;

	check(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (ae_sid_from_string(s, &sid) == AE_OK) {
		check(ae_sid_from_string(ae_sid_format(&sid, buf), &sid2) == AE_OK);
		check(ae_sid_equal(&sid, &sid2));
	}
	if (ae_guid_from_string(s, guid) == AE_OK) {
		check(ae_guid_from_string(ae_guid_format(guid, gbuf), guid2) == AE_OK);
		check(memcmp(guid, guid2, AE_GUID_LEN) == 0);
	}
	free(s);
	if (ae_sid_parse(data, size, &sid, &used) == AE_OK) {
		uint8_t wire[AE_SID_MAX_LEN];

		check(used <= size && used == ae_sid_wire_len(&sid));
		check(ae_sid_push(&sid, wire, sizeof(wire)) == AE_OK);
		check(memcmp(wire, data, used) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_secdesc *sd = NULL, *sd2 = NULL;
	uint8_t *built = NULL, *built2 = NULL;
	size_t built_len = 0, built2_len = 0;
	char why[256];
	char *sddl = NULL;
	ae_err err;

	check(mem != NULL);
	fuzz_strings(data, size);
	err = ae_secdesc_parse_why(mem, data, size, &sd, why, sizeof(why));
	if (err != AE_OK) {
		check(sd == NULL && why[0] != '\0');
		check(talloc_total_blocks(mem) == 1);
		talloc_free(mem);
		return 0;
	}
	check(sd != NULL && why[0] == '\0');
	sddl = ae_secdesc_to_sddl(mem, sd);
	check(sddl != NULL);
	check_access(mem, sd);

	check(ae_secdesc_build(mem, sd, &built, &built_len) == AE_OK);
	check(ae_secdesc_parse(mem, built, built_len, &sd2) == AE_OK);
	check(sd_same(sd, sd2));
	check(ae_secdesc_build(mem, sd2, &built2, &built2_len) == AE_OK);
	check(built_len == built2_len && memcmp(built, built2, built_len) == 0);

	talloc_free(mem);
	return 0;
}
