/*
 * ae_gpolist_json.c: JSON and text output of a GPO list (autoenroll policy).
 */
#include <inttypes.h>
#include <stdio.h>
#include "ae_gpolist.h"
#include "ae_aesettings.h"	/* ae_json_string */

ae_err ae_gpolist_write_json(FILE *f, const struct ae_gpolist *l)
{
	if (f == NULL || l == NULL) {
		return AE_ERR_INVALID;
	}
	fputs("{\"applied\": [", f);
	for (size_t i = 0; i < l->num_applied; i++) {
		const struct ae_gpo_applied *a = &l->applied[i];
		fputs(i ? ",\n  {\"guid\": " : "\n  {\"guid\": ", f);
		ae_json_string(f, a->guid);
		fputs(", \"display_name\": ", f);
		ae_json_string(f, a->display_name);
		fputs(", \"dn\": ", f);
		ae_json_string(f, a->dn);
		fputs(", \"file_sys_path\": ", f);
		ae_json_string(f, a->file_sys_path);
		fprintf(f, ", \"version_number\": %" PRIu32 ", \"version\": %u, \"som_type\": \"%s\", "
			"\"som_dn\": ", a->version_number, (unsigned)a->version,
			ae_som_type_name(a->som_type));
		ae_json_string(f, a->som_dn);
		fprintf(f, ", \"link_order\": %" PRIu32 ", \"enforced\": %s, \"why\": ",
			a->link_order, a->enforced ? "true" : "false");
		ae_json_string(f, a->why);
		fputc('}', f);
	}
	fputs("],\n\"excluded\": [", f);
	for (size_t i = 0; i < l->num_excluded; i++) {
		const struct ae_gpo_excluded *x = &l->excluded[i];
		fputs(i ? ",\n  {\"dn\": " : "\n  {\"dn\": ", f);
		ae_json_string(f, x->dn);
		fputs(", \"display_name\": ", f);
		ae_json_string(f, x->display_name);
		fputs(", \"som_dn\": ", f);
		ae_json_string(f, x->som_dn);
		fprintf(f, ", \"reason\": \"%s\", \"why\": ", ae_gpo_exclusion_name(x->reason));
		ae_json_string(f, x->why);
		fputc('}', f);
	}
	fputs("]}", f);
	return ferror(f) ? AE_ERR_IO : AE_OK;
}

ae_err ae_gpolist_dump(FILE *f, const struct ae_gpolist *l)
{
	if (f == NULL || l == NULL) {
		return AE_ERR_INVALID;
	}
	fprintf(f, "GPOs applied (lowest precedence first): %zu\n", l->num_applied);
	for (size_t i = 0; i < l->num_applied; i++) {
		const struct ae_gpo_applied *a = &l->applied[i];
		fprintf(f, "  %zu. %s %s, version %u: %s\n", i + 1,
			a->guid ? a->guid : a->dn, a->display_name ? a->display_name : "",
			(unsigned)a->version, a->why);
	}
	if (l->num_excluded > 0) {
		fprintf(f, "GPOs not applied: %zu\n", l->num_excluded);
	}
	for (size_t i = 0; i < l->num_excluded; i++) {
		const struct ae_gpo_excluded *x = &l->excluded[i];
		fprintf(f, "  %s%s%s (linked to %s): %s: %s\n", x->dn,
			x->display_name ? " " : "", x->display_name ? x->display_name : "",
			x->som_dn, ae_gpo_exclusion_name(x->reason), x->why);
	}
	return ferror(f) ? AE_ERR_IO : AE_OK;
}
