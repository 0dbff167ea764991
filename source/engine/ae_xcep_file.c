/*
 * ae_xcep_file.c: `autoenroll xcep FILE` (see ae_xcep_file.h).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include "ae_file.h"
#include "ae_json.h"
#include "ae_xcep.h"
#include "ae_xcep_file.h"
#include "ae_xml.h"

ae_err ae_xcep_file(TALLOC_CTX *mem_ctx, const char *path, struct ae_xcep_file_result **_r)
{
	struct ae_xcep_file_result *r = talloc_zero(mem_ctx, struct ae_xcep_file_result);
	uint8_t *data = NULL;
	size_t len = 0;
	char why[256] = "";
	ae_err err;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	*_r = r;
	err = ae_file_read_at(r, AT_FDCWD, path, AE_XML_MAX_LEN, AE_FILE_FOLLOW, &data, &len,
			      why, sizeof(why));
	if (err != AE_OK) {
		snprintf(r->error, sizeof(r->error), "cannot read %s: %s", path,
			 err == AE_ERR_TOO_LARGE ? "larger than the XML cap" :
			 why[0] != '\0' ? why : ae_strerror(err));
		return err;
	}
	err = ae_xcep_parse_response(r, data, len, &r->resp, why, sizeof(why));
	talloc_free(data);
	if (err != AE_OK) {
		snprintf(r->error, sizeof(r->error), "%s is not a valid MS-XCEP GetPoliciesResponse: %s",
			 path, why[0] != '\0' ? why : ae_strerror(err));
	}
	return err;
}

static void text_template(FILE *f, const struct ae_template *t)
{
	size_t i;

	fprintf(f, "policy %s (%s)\n", t->cn, t->display_name ? t->display_name : "-");
	fprintf(f, "  oid %s  schema %" PRIu32 "  revision %" PRIu32 ".%" PRIu32 "\n", t->oid,
		t->schema_version, t->major_revision, t->minor_revision);
	fprintf(f, "  permission enroll %s  autoEnroll %s\n",
		t->xcep_permission.enroll ? "yes" : "no",
		t->xcep_permission.auto_enroll ? "yes" : "no");
	fprintf(f, "  flags 0x%08" PRIx32 "  enrollment 0x%08" PRIx32 "  name 0x%08" PRIx32
		"  private key 0x%08" PRIx32 "\n", t->flags, t->enrollment_flag, t->name_flag,
		t->private_key_flag);
	fprintf(f, "  minimal key %" PRIu32 "  key spec %" PRIu32 "  hash %s  RA signatures %" PRIu32
		"\n", t->min_key_size, t->default_key_spec,
		t->hash_algorithm_oid ? t->hash_algorithm_oid : "-", t->ra_signatures);
	fprintf(f, "  validity %" PRId64 " s  renewal %" PRId64 " s\n", t->expiration_s,
		t->overlap_s);
	for (i = 0; i < t->num_supersede; i++) {
		fprintf(f, "  supersedes %s\n", t->supersede[i]);
	}
	for (i = 0; i < t->num_extensions; i++) {
		fprintf(f, "  extension %s%s (%zu bytes)\n", t->extensions[i].oid,
			t->extensions[i].critical ? " critical" : "", t->extensions[i].value_len);
	}
	for (i = 0; i < t->num_ca_refs; i++) {
		fprintf(f, "  CA %" PRId32 "\n", t->ca_refs[i]);
	}
}

static void print_text(FILE *f, const struct ae_xcep_response *r)
{
	size_t i, j;

	fprintf(f, "policy ID %s\nfriendly name %s\n", r->policy_id,
		r->friendly_name ? r->friendly_name : "-");
	if (r->has_next_update) {
		fprintf(f, "next update in %" PRIu32 " hours\n", r->next_update_hours);
	}
	fprintf(f, "policies not changed: %s\n", r->policies_not_changed ? "yes" : "no");
	for (i = 0; i < r->num_templates; i++) {
		text_template(f, r->templates[i]);
	}
	for (i = 0; i < r->num_cas; i++) {
		const struct ae_xcep_ca *ca = &r->cas[i];

		fprintf(f, "CA %" PRId32 ": certificate %zu bytes, enroll permission %s\n",
			ca->ref_id, ca->cert_len, ca->enroll_permission ? "yes" : "no");
		for (j = 0; j < ca->num_uris; j++) {
			fprintf(f, "  %s  auth %" PRIu32 "  priority %" PRIu32 "%s\n",
				ca->uris[j].uri, ca->uris[j].client_auth, ca->uris[j].priority,
				ca->uris[j].renewal_only ? "  renewal only" : "");
		}
	}
	for (i = 0; i < r->num_oids; i++) {
		fprintf(f, "OID %" PRId32 ": %s group %" PRIu32 " %s\n", r->oids[i].ref_id,
			r->oids[i].value, r->oids[i].group,
			r->oids[i].default_name ? r->oids[i].default_name : "");
	}
}

static void json_strings(FILE *f, char **v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? "," : "", f);
		ae_json_string(f, v[i]);
	}
	fputc(']', f);
}

static void json_template(FILE *f, const struct ae_template *t)
{
	size_t i;

	fputs("{\"name\":", f);
	ae_json_string(f, t->cn);
	fputs(",\"display_name\":", f);
	ae_json_string(f, t->display_name);
	fputs(",\"oid\":", f);
	ae_json_string(f, t->oid);
	fprintf(f, ",\"schema\":%" PRIu32 ",\"revision\":%" PRIu32 ",\"minor_revision\":%" PRIu32
		",\"enroll\":%s,\"auto_enroll\":%s,\"flags\":%" PRIu32 ",\"enrollment_flags\":%"
		PRIu32 ",\"name_flags\":%" PRIu32 ",\"private_key_flags\":%" PRIu32
		",\"minimal_key_size\":%" PRIu32 ",\"key_spec\":%" PRIu32 ",\"ra_signatures\":%"
		PRIu32 ",\"validity_s\":%" PRId64 ",\"renewal_s\":%" PRId64 ",\"hash_algorithm\":",
		t->schema_version, t->major_revision, t->minor_revision,
		t->xcep_permission.enroll ? "true" : "false",
		t->xcep_permission.auto_enroll ? "true" : "false", t->flags, t->enrollment_flag,
		t->name_flag, t->private_key_flag, t->min_key_size, t->default_key_spec,
		t->ra_signatures, t->expiration_s, t->overlap_s);
	ae_json_string(f, t->hash_algorithm_oid);
	fputs(",\"supersedes\":", f);
	json_strings(f, t->supersede, t->num_supersede);
	fputs(",\"extensions\":[", f);
	for (i = 0; i < t->num_extensions; i++) {
		fputs(i ? ",{\"oid\":" : "{\"oid\":", f);
		ae_json_string(f, t->extensions[i].oid);
		fprintf(f, ",\"critical\":%s,\"length\":%zu}",
			t->extensions[i].critical ? "true" : "false", t->extensions[i].value_len);
	}
	fputs("],\"cas\":[", f);
	for (i = 0; i < t->num_ca_refs; i++) {
		fprintf(f, "%s%" PRId32, i ? "," : "", t->ca_refs[i]);
	}
	fputs("]}", f);
}

static void json_ca(FILE *f, const struct ae_xcep_ca *ca)
{
	size_t j;

	fprintf(f, "{\"id\":%" PRId32 ",\"certificate_length\":%zu,\"enroll_permission\":%s,"
		"\"uris\":[", ca->ref_id, ca->cert_len, ca->enroll_permission ? "true" : "false");
	for (j = 0; j < ca->num_uris; j++) {
		fputs(j ? ",{\"uri\":" : "{\"uri\":", f);
		ae_json_string(f, ca->uris[j].uri);
		fprintf(f, ",\"client_authentication\":%" PRIu32 ",\"priority\":%" PRIu32
			",\"renewal_only\":%s}", ca->uris[j].client_auth, ca->uris[j].priority,
			ca->uris[j].renewal_only ? "true" : "false");
	}
	fputs("]}", f);
}

static void print_json(FILE *f, const struct ae_xcep_response *r)
{
	size_t i;

	fputs("{\"policy_id\":", f);
	ae_json_string(f, r->policy_id);
	fputs(",\"friendly_name\":", f);
	ae_json_string(f, r->friendly_name);
	if (r->has_next_update) {
		fprintf(f, ",\"next_update_hours\":%" PRIu32, r->next_update_hours);
	} else {
		fputs(",\"next_update_hours\":null", f);
	}
	fprintf(f, ",\"policies_not_changed\":%s,\"policies\":[",
		r->policies_not_changed ? "true" : "false");
	for (i = 0; i < r->num_templates; i++) {
		fputs(i ? "," : "", f);
		json_template(f, r->templates[i]);
	}
	fputs("],\"cas\":[", f);
	for (i = 0; i < r->num_cas; i++) {
		fputs(i ? "," : "", f);
		json_ca(f, &r->cas[i]);
	}
	fputs("],\"oids\":[", f);
	for (i = 0; i < r->num_oids; i++) {
		fprintf(f, "%s{\"id\":%" PRId32 ",\"value\":", i ? "," : "", r->oids[i].ref_id);
		ae_json_string(f, r->oids[i].value);
		fprintf(f, ",\"group\":%" PRIu32 ",\"name\":", r->oids[i].group);
		ae_json_string(f, r->oids[i].default_name);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

ae_err ae_xcep_print(FILE *f, const struct ae_xcep_file_result *r, bool json)
{
	if (r == NULL || r->resp == NULL) {
		return AE_ERR_INVALID;
	}
	if (json) {
		print_json(f, r->resp);
	} else {
		print_text(f, r->resp);
	}
	return ferror(f) ? AE_ERR_IO : AE_OK;
}
