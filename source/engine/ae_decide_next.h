/*
 * ae_decide_next.h: when could decide() (ae_decide.h) answer differently
 * for the same inputs? decide() reads the clock only through in->now, and
 * only by comparing it with instants derived from its inputs: a
 * certificate's notAfter (expired; the DS certificate's validity), its
 * renewal point for each template's overlap (ae_decide_renew_at: renewal
 * due, needs-manual-request), its OfflineExpirationPercent threshold
 * (warn), a record's next_attempt (back-off). Between two such instants
 * every comparison keeps its value, so the actions stay the same. The
 * no-op fast path (ae_noop.h) trusts its memo only until the earliest of
 * them after now. Pure: no I/O, no clock.
 */
#ifndef AE_DECIDE_NEXT_H
#define AE_DECIDE_NEXT_H

#include <time.h>
#include "ae_decide.h"

/*
 * The earliest instant strictly after in->now at which a comparison of
 * decide() with now may change its value (a little earlier is allowed:
 * the caller then only decides again); AE_DECIDE_TIME_MAX when none.
 * The certificates' notBefore and the store check's instants are included
 * too (a certificate not yet valid becomes valid). Inputs as for
 * ae_decide(); invalid inputs give in->now (decide again at once).
 */
time_t ae_decide_next_change(const struct ae_decide_input *in);

#endif
