/*
 * ae_cycle_trust_plan.c: roots become trust anchors, everything else at
 * most an intermediate (ae_cycle_trust.h). Pure: no I/O.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_trust.h"
#include "ae_log.h"
#include "ae_x509.h"

struct plan_state {
	TALLOC_CTX *mem;		/* the plan */
	struct ae_trust_plan *p;
	char **seen;			/* SHA-1 hex of every certificate taken */
	size_t num_seen;
};

static const char *source_name(enum ae_trust_source s)
{
	switch (s) {
	case AE_TRUST_SRC_ROOTS: return "CN=Certification Authorities";
	case AE_TRUST_SRC_AIA: return "CN=AIA";
	case AE_TRUST_SRC_CA: return "the enrollment service";
	}
	return "?";
}

static ae_err problem(struct plan_state *st, const struct ae_trust_value *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static ae_err problem(struct plan_state *st, const struct ae_trust_value *v, const char *fmt, ...)
{
	char **grown = talloc_realloc(st->p, st->p->problems, char *, st->p->num_problems + 1);
	char *what = NULL;
	va_list ap;

	if (grown == NULL) {
		return AE_ERR_NOMEM;
	}
	st->p->problems = grown;
	va_start(ap, fmt);
	what = talloc_vasprintf(st->p, fmt, ap);
	va_end(ap);
	grown[st->p->num_problems] = what ? talloc_asprintf(grown, "%s: cACertificate value %zu: %s",
							   v->dn ? v->dn : "?", v->index, what)
					  : NULL;
	talloc_free(what);
	if (grown[st->p->num_problems] == NULL) {
		return AE_ERR_NOMEM;
	}
	AE_WARN("trust anchors: %s", grown[st->p->num_problems]);
	st->p->num_problems++;
	return AE_OK;
}

static bool seen(struct plan_state *st, const char *thumb)
{
	size_t i;

	for (i = 0; i < st->num_seen; i++) {
		if (strcmp(st->seen[i], thumb) == 0) {
			return true;
		}
	}
	st->seen[st->num_seen++] = talloc_steal(st->seen, (char *)thumb);
	return false;
}

static ae_err add_intermediate(struct plan_state *st, const struct ae_trust_value *v,
			       const struct ae_cert *c)
{
	char *pem = NULL;
	size_t len = 0;
	ae_err err;

	if (st->p->num_intermediates == AE_TRUST_MAX) {
		return problem(st, v, "left out of the intermediates: more than %d", AE_TRUST_MAX);
	}
	err = ae_cert_to_pem(st->p, c, &pem, &len);
	if (err == AE_OK) {
		st->p->intermediates[st->p->num_intermediates++] = pem;
	}
	return err;
}

static ae_err add_root(struct plan_state *st, const struct ae_trust_value *v,
		       const struct ae_cert *c, const char *thumb)
{
	struct ae_trust_plan *p = st->p;
	char *name = ae_store_trust_name(p, thumb);
	char *pem = NULL;
	size_t len = 0;
	ae_err err;

	if (name == NULL) {
		return AE_ERR_NOMEM;
	}
	if (p->num_anchors == AE_TRUST_MAX) {
		const char **grown = talloc_realloc(p, p->keep, const char *, p->num_keep + 1);
		if (grown == NULL) {
			return AE_ERR_NOMEM;
		}
		p->keep = grown;
		p->keep[p->num_keep++] = talloc_steal(grown, name);
		return problem(st, v, "root left out: more than %d trust anchors (an existing %s.crt "
			       "is kept)", AE_TRUST_MAX, name);
	}
	err = ae_cert_to_pem(p, c, &pem, &len);
	if (err == AE_OK) {
		p->anchors[p->num_anchors].name = name;
		p->anchors[p->num_anchors++].pem = pem;
	}
	return err;
}

static ae_err take(struct plan_state *st, const struct ae_trust_value *v)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_cert *c = NULL;
	char *thumb = NULL;
	bool root = false;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_cert_parse_der(tmp, v->der, v->len, &c);
	if (err != AE_OK) {
		talloc_free(tmp);
		return problem(st, v, "not an X.509 certificate (%s); not exported", ae_strerror(err));
	}
	err = ae_cert_thumbprint_hex(st->seen, c, &thumb);
	if (err != AE_OK || seen(st, thumb)) {
		talloc_free(tmp);
		return err;
	}
	root = ae_cert_is_self_signed(c);
	if (v->source == AE_TRUST_SRC_ROOTS && root) {
		err = add_root(st, v, c, thumb);
	} else if (root) {
		err = problem(st, v, "self-signed but published only in %s, not in CN=Certification "
			      "Authorities: not a trust anchor; not exported", source_name(v->source));
	} else {
		err = add_intermediate(st, v, c);
		if (err == AE_OK && v->source == AE_TRUST_SRC_ROOTS) {
			err = problem(st, v, "not self-signed: not a root; exported as an intermediate "
				      "only");
		}
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_trust_plan_build(TALLOC_CTX *mem_ctx, const struct ae_trust_value *v, size_t n,
			   struct ae_trust_plan **_p)
{
	struct plan_state st = { 0 };
	size_t pass, i;
	ae_err err = AE_OK;

	if ((v == NULL && n > 0) || n > AE_TRUST_VALUES_MAX || _p == NULL) {
		return AE_ERR_INVALID;
	}
	st.p = talloc_zero(NULL, struct ae_trust_plan);
	st.seen = st.p ? talloc_zero_array(st.p, char *, n + 1) : NULL;
	if (st.seen != NULL) {
		st.p->anchors = talloc_zero_array(st.p, struct ae_trust_cert, AE_TRUST_MAX);
		st.p->intermediates = talloc_zero_array(st.p, const char *, AE_TRUST_MAX);
	}
	if (st.seen == NULL || st.p->anchors == NULL || st.p->intermediates == NULL) {
		talloc_free(st.p);
		return AE_ERR_NOMEM;
	}
	/* roots first: a root also found in CN=AIA or on a CA stays an anchor */
	for (pass = 0; err == AE_OK && pass < 2; pass++) {
		for (i = 0; err == AE_OK && i < n; i++) {
			if ((v[i].source == AE_TRUST_SRC_ROOTS) == (pass == 0)) {
				err = take(&st, &v[i]);
			}
		}
	}
	TALLOC_FREE(st.seen);
	if (err != AE_OK) {
		talloc_free(st.p);
		return err;
	}
	*_p = talloc_steal(mem_ctx, st.p);
	return AE_OK;
}

void ae_cycle_trust_item(struct ae_cycle_report *r, const char *result, enum ae_outcome o,
			 char *reason)
{
	struct ae_cycle_item *it = ae_cycle_item_add(r, AE_TRUST_ITEM, "trust", "trust-store");

	if (it == NULL) {
		talloc_free(reason);
		return;
	}
	if (o != AE_OUTCOME_ISSUED) {
		ae_cycle_item_fail(r, it, o, "%s", reason ? reason : "trust anchors: out of memory");
		talloc_free(reason);
		return;
	}
	it->result = result;
	it->reason = talloc_steal(r, reason);
}

ae_err ae_cycle_trust_bundle(struct ae_cycle_report *r, const char *path,
			     const char *const *pems, size_t n, const char *what)
{
	ae_err err = ae_store_write_pem_bundle(path, pems, n, NULL);

	if (err != AE_OK) {
		ae_cycle_trust_item(r, "failed", AE_OUTCOME_STORE,
				    talloc_asprintf(r, "trust anchors: cannot write the %s %s: %s",
						    what, path ? path : "?", ae_strerror(err)));
	}
	return err;
}

ae_err ae_trust_plan_apply(struct ae_cycle_report *r, const struct ae_trust_plan *p,
			   bool roots_read, bool aia_read, const char *inter_path,
			   bool *_changed)
{
	ae_err first = roots_read && aia_read ? AE_OK : AE_ERR_LDAP;
	ae_err err;

	*_changed = false;
	if (roots_read) {
		/* only a successful read of the roots may remove an anchor */
		err = ae_store_trust_sync_keep(r->trust_dir, p->anchors, p->num_anchors,
					       p->keep, p->num_keep, _changed);
		if (err != AE_OK) {
			ae_cycle_trust_item(r, "failed", AE_OUTCOME_STORE,
					    talloc_asprintf(r, "trust anchors: cannot update %s: %s",
							    r->trust_dir, ae_strerror(err)));
			first = first != AE_OK ? first : err;
		}
	}
	if (roots_read && aia_read) {
		/* the bundle holds what both containers and the CAs give, or stays as it is */
		err = ae_cycle_trust_bundle(r, inter_path, p->intermediates, p->num_intermediates,
					    "intermediates bundle");
		first = first != AE_OK ? first : err;
	}
	return first;
}
