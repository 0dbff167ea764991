#include <stdio.h>
#include <stdbool.h>
#include <talloc.h>
#include "ae_pol.h"
#include "ae_file.h"
#include "ae_preg.h"
#include "ae_aesettings.h"

ae_err ae_pol_file(TALLOC_CTX *mem_ctx, const char *path, struct ae_pol_result **_r)
{
	struct ae_pol_result *r = talloc_zero(mem_ctx, struct ae_pol_result);
	struct ae_regview *view = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[AE_PREG_WHY_MAX] = "";
	ae_err err;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	*_r = r;
	err = ae_file_read(r, path, AE_PREG_MAX, &data, &len);
	if (err != AE_OK) {
		snprintf(r->error, sizeof(r->error), "cannot read %s: %s", path,
			 err == AE_ERR_TOO_LARGE ? "larger than a Registry.pol may be" : ae_strerror(err));
		return err;
	}
	err = ae_preg_parse(r, data, len, &r->pol, why, sizeof(why));
	if (err != AE_OK) {
		snprintf(r->error, sizeof(r->error), "%s is not a valid Registry.pol: %s", path,
			 why[0] ? why : ae_strerror(err));
		return err;
	}
	view = ae_regview_new(r);
	if (view == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_preg_apply(view, r->pol, path);
	if (err == AE_OK) {
		err = ae_aesettings_from_view(r, view, &r->settings);
	}
	if (err != AE_OK) {
		snprintf(r->error, sizeof(r->error), "%s: cannot apply its entries: %s", path,
			 ae_strerror(err));
	}
	return err;
}

ae_err ae_pol_print(FILE *f, const struct ae_pol_result *r, bool json)
{
	ae_err err;

	if (json) {
		return ae_pol_write_json(f, r->pol, r->settings);
	}
	err = ae_preg_dump(f, r->pol);
	if (err == AE_OK) {
		err = ae_aesettings_dump(f, r->settings);
	}
	return err;
}
