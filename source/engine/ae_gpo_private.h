/*
 * ae_gpo_private.h: the two halves of ae_gpo_collect(): the directory half
 * (ae_gpo_collect.c: SOMs, GPO objects, the MS-GPOL list) and the SYSVOL
 * half (ae_gpo_sysvol.c: GPT.INI and Machine/ or User/Registry.pol of each applied
 * GPO, the cache, the last good policy, the merged settings).
 */
#ifndef AE_GPO_PRIVATE_H
#define AE_GPO_PRIVATE_H

#include "ae_policy_report.h"

/*
 * Read each GPO of r->gpolist->applied (lowest precedence first) and set
 * r->settings from the merged Registry.pol files. Policy processing stops
 * at the first GPO that cannot be read ([MS-GPOL] 3.2.5.1.5): then the
 * settings are those of the last complete collection (the cache's
 * last-good list), which r->errors says; when there is none, an error is
 * returned and s->error says that the autoenrollment policy could not be
 * determined. Temporaries on mem.
 */
ae_err ae_gpo_sysvol_settings(struct ae_session *s, struct ae_policy_report *r,
			      TALLOC_CTX *mem);

#endif
