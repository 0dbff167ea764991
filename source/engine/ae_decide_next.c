/*
 * ae_decide_next.c: the next instant decide() could change its mind
 * (ae_decide_next.h). Every comparison with in->now in ae_decide*.c has
 * its instant here: ae_decide_cert.c (expired: notAfter),
 * ae_decide_current.c and ae_decide_manual.c (renew_at with the template's
 * overlap), ae_decide.c decide_warn (the OfflineExpirationPercent point),
 * ae_decide_override.c (next_attempt), ae_decide_ds.c (a DS certificate's
 * notAfter). A new comparison there needs its instant here
 * (tests/unit/test_decide_next.c checks decide's answer just before and at
 * each instant).
 */
#include <stdint.h>
#include "ae_decide_next.h"

struct next {
	int64_t now, best;
};

static void consider(struct next *n, int64_t t)
{
	if (t > n->now && t < n->best) {
		n->best = t;
	}
}

/*
 * decide_warn: no warning while (notAfter - now) * 100 >= percent * life,
 * i.e. until now = notAfter - ceil(percent * life / 100) + 1.
 */
static void warn_point(struct next *n, int64_t nb, int64_t na, uint32_t percent)
{
	int64_t life = na - nb, part;

	if (percent == 0 || life <= 0) {
		return;
	}
	part = ((int64_t)percent * life + 99) / 100;
	consider(n, na - part + 1);
}

time_t ae_decide_next_change(const struct ae_decide_input *in)
{
	struct next n;
	uint32_t percent;
	size_t i, j;

	if (in == NULL || (int64_t)in->now < AE_DECIDE_TIME_MIN ||
	    (int64_t)in->now > AE_DECIDE_TIME_MAX ||
	    (in->num_templates > 0 && in->templates == NULL) ||
	    (in->num_ds_certs > 0 && in->ds_certs == NULL)) {
		return in != NULL ? in->now : 0;
	}
	n.now = (int64_t)in->now;
	n.best = AE_DECIDE_TIME_MAX;
	percent = in->offline_expiration_percent.present ?
		  in->offline_expiration_percent.value : AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT;
	if (percent > 100) {
		percent = 100;
	}
	for (i = 0; in->snapshot != NULL && i < in->snapshot->num_certs; i++) {
		const struct ae_store_cert *c = &in->snapshot->certs[i];
		int64_t nb = (int64_t)c->not_before, na = (int64_t)c->not_after;

		consider(&n, nb);
		consider(&n, na);
		if (c->renew_at != 0) {
			consider(&n, (int64_t)c->renew_at);
		}
		if (c->failures > 0) {
			consider(&n, (int64_t)c->next_attempt);
		}
		warn_point(&n, nb, na, percent);
		for (j = 0; j < in->num_templates; j++) {
			if (in->templates[j] != NULL) {
				consider(&n, (int64_t)ae_decide_renew_at(c->not_before, c->not_after,
									 in->templates[j]->overlap_s));
			}
		}
	}
	for (i = 0; i < in->num_ds_certs; i++) {
		consider(&n, (int64_t)in->ds_certs[i].not_after);
	}
	return (time_t)n.best;
}
