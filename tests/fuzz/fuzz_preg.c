/*
 * Fuzz target: Registry.pol (PReg). A file that parses is also applied to a
 * registry view twice (as two GPOs), turned into autoenrollment settings,
 * checked against a forest GUID and written out as JSON and text, so the
 * whole path from SYSVOL bytes to the CLI's output is exercised.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_preg.h"
#include "ae_aesettings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t guid[16] = { 0x0d, 0x0c, 0x0b, 0x0a, 0x0f, 0x0e, 0x01, 0x00,
					  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_preg *pol = NULL;
	struct ae_regview *view = NULL;
	struct ae_aesettings *s = NULL;
	char why[AE_PREG_WHY_MAX];
	FILE *null = NULL;

	if (ae_preg_parse(mem, data, size, &pol, why, sizeof(why)) != AE_OK) {
		talloc_free(mem);
		return 0;
	}
	view = ae_regview_new(mem);
	if (view != NULL && ae_preg_apply(view, pol, "{A}") == AE_OK &&
	    ae_preg_apply(view, pol, "{B}") == AE_OK &&
	    ae_aesettings_from_view(mem, view, &s) == AE_OK) {
		(void)ae_aesettings_check_forest(s, guid);
		null = fopen("/dev/null", "w");
		if (null != NULL) {
			(void)ae_pol_write_json(null, pol, s);
			(void)ae_preg_dump(null, pol);
			(void)ae_aesettings_dump(null, s);
			fclose(null);
		}
	}
	talloc_free(mem);
	return 0;
}
