/*
 * Supersession among candidate templates (ae_eligibility.h): the graph
 * "S lists T in msPKI-Supersede-Templates" ([MS-CRTD] 2.21), its strongly
 * connected components (Tarjan, iterative so that a long chain cannot
 * exhaust the C stack), then "dropped by an S outside T's own component".
 *
 * [MS-CRTD] 2.21 says only that the attribute "contains the CNs of all
 * superseded templates"; what a chain or a cycle does is our choice: a
 * chain drops every superseded link (each superseder is a candidate on its
 * own), and a cycle drops nothing inside it, so that a misconfiguration of
 * two templates naming each other does not leave the principal with
 * neither.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ae_eligibility.h"

struct name_ix {
	const char *cn;
	size_t idx;
};

struct frame {
	size_t v;
	size_t pos;		/* next edge of v to look at */
};

/* The graph and Tarjan's state, all on one temporary context. */
struct graph {
	size_t n;
	size_t *off;		/* n + 1: edges of v are adj[off[v] .. off[v+1]) */
	size_t *adj;
	size_t num_edges;
	size_t *index;		/* visit order, UNVISITED before */
	size_t *low;
	bool *on_stack;
	size_t *comp;		/* component id */
	size_t *stack;
	size_t sp;
	struct frame *calls;
	size_t csp;
	size_t counter;
	size_t num_comps;
};

#define UNVISITED ((size_t)-1)

static int name_cmp(const void *a, const void *b)
{
	const struct name_ix *x = a, *y = b;
	int c = strcasecmp(x->cn, y->cn);

	if (c != 0) {
		return c;
	}
	return x->idx < y->idx ? -1 : (x->idx > y->idx ? 1 : 0);
}

/* First position in names[0..num) whose cn is not below cn. */
static size_t lower_bound(const struct name_ix *names, size_t num, const char *cn)
{
	size_t lo = 0, hi = num;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcasecmp(names[mid].cn, cn) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/*
 * Two passes over every candidate's supersede values: count the edges,
 * then fill them. A value naming no candidate adds nothing; a cn held by
 * several candidates (never in one AD container, but the input is data)
 * adds an edge to each.
 */
static ae_err build_edges(TALLOC_CTX *tmp, struct ae_template *const *t, size_t n,
			  const bool *candidate, const struct name_ix *names, size_t num_names,
			  struct graph *g)
{
	size_t pass, s, k, pos, fill = 0;

	g->off = talloc_zero_array(tmp, size_t, n + 1);
	if (g->off == NULL) {
		return AE_ERR_NOMEM;
	}
	for (pass = 0; pass < 2; pass++) {
		fill = 0;
		for (s = 0; s < n; s++) {
			g->off[s] = fill;
			if (!candidate[s]) {
				continue;
			}
			for (k = 0; k < t[s]->num_supersede; k++) {
				const char *v = t[s]->supersede[k];

				if (v == NULL) {
					continue;
				}
				pos = lower_bound(names, num_names, v);
				for (; pos < num_names && strcasecmp(names[pos].cn, v) == 0; pos++) {
					if (names[pos].idx == s) {
						continue;
					}
					if (pass == 1) {
						g->adj[fill] = names[pos].idx;
					}
					fill++;
					if (fill > AE_SUPERSEDE_EDGES_MAX) {
						return AE_ERR_TOO_LARGE;
					}
				}
			}
		}
		g->off[n] = fill;
		if (pass == 0) {
			g->adj = talloc_array(tmp, size_t, fill > 0 ? fill : 1);
			if (g->adj == NULL) {
				return AE_ERR_NOMEM;
			}
		}
	}
	g->num_edges = fill;
	return AE_OK;
}

static void visit(struct graph *g, size_t v)
{
	g->index[v] = g->low[v] = g->counter++;
	g->stack[g->sp++] = v;
	g->on_stack[v] = true;
	g->calls[g->csp].v = v;
	g->calls[g->csp].pos = g->off[v];
	g->csp++;
}

/* Tarjan's algorithm from root, with an explicit call stack. */
static void strongconnect(struct graph *g, size_t root)
{
	visit(g, root);
	while (g->csp > 0) {
		struct frame *f = &g->calls[g->csp - 1];
		size_t v = f->v, w;

		if (f->pos < g->off[v + 1]) {
			w = g->adj[f->pos++];
			if (g->index[w] == UNVISITED) {
				visit(g, w);
			} else if (g->on_stack[w] && g->index[w] < g->low[v]) {
				g->low[v] = g->index[w];
			}
			continue;
		}
		if (g->low[v] == g->index[v]) {
			do {
				w = g->stack[--g->sp];
				g->on_stack[w] = false;
				g->comp[w] = g->num_comps;
			} while (w != v);
			g->num_comps++;
		}
		g->csp--;
		if (g->csp > 0) {
			size_t u = g->calls[g->csp - 1].v;

			if (g->low[v] < g->low[u]) {
				g->low[u] = g->low[v];
			}
		}
	}
}

static ae_err components(TALLOC_CTX *tmp, const bool *candidate, struct graph *g)
{
	size_t v, n = g->n;

	g->index = talloc_array(tmp, size_t, n);
	g->low = talloc_array(tmp, size_t, n);
	g->on_stack = talloc_zero_array(tmp, bool, n);
	g->comp = talloc_array(tmp, size_t, n);
	g->stack = talloc_array(tmp, size_t, n);
	g->calls = talloc_array(tmp, struct frame, n);
	if (g->index == NULL || g->low == NULL || g->on_stack == NULL || g->comp == NULL ||
	    g->stack == NULL || g->calls == NULL) {
		return AE_ERR_NOMEM;
	}
	for (v = 0; v < n; v++) {
		g->index[v] = UNVISITED;
		g->comp[v] = UNVISITED;
	}
	for (v = 0; v < n; v++) {
		if (candidate[v] && g->index[v] == UNVISITED) {
			strongconnect(g, v);
		}
	}
	return AE_OK;
}

/* The verdicts from the components; out[] is written only here. */
static ae_err conclude(TALLOC_CTX *tmp, const bool *candidate, const struct graph *g,
		       struct ae_supersession *out)
{
	size_t *first = NULL, *second = NULL;
	size_t v, e, c, n = g->n;

	first = talloc_array(tmp, size_t, g->num_comps > 0 ? g->num_comps : 1);
	second = talloc_array(tmp, size_t, g->num_comps > 0 ? g->num_comps : 1);
	if (first == NULL || second == NULL) {
		return AE_ERR_NOMEM;
	}
	for (c = 0; c < g->num_comps; c++) {
		first[c] = second[c] = AE_SUPERSEDE_NONE;
	}
	for (v = 0; v < n; v++) {
		out[v].superseded_by = AE_SUPERSEDE_NONE;
		out[v].cycle_with = AE_SUPERSEDE_NONE;
		if (!candidate[v]) {
			continue;
		}
		c = g->comp[v];
		if (first[c] == AE_SUPERSEDE_NONE) {
			first[c] = v;
		} else if (second[c] == AE_SUPERSEDE_NONE) {
			second[c] = v;
		}
	}
	for (v = 0; v < n; v++) {
		if (!candidate[v]) {
			continue;
		}
		c = g->comp[v];
		if (second[c] != AE_SUPERSEDE_NONE) {
			out[v].cycle_with = first[c] != v ? first[c] : second[c];
		}
		/* v in input order: the first superseder of each T wins. */
		for (e = g->off[v]; e < g->off[v + 1]; e++) {
			size_t w = g->adj[e];

			if (g->comp[w] != c && out[w].superseded_by == AE_SUPERSEDE_NONE) {
				out[w].superseded_by = v;
			}
		}
	}
	return AE_OK;
}

ae_err ae_supersession_compute(struct ae_template *const *templates, size_t n,
			       const bool *candidate, struct ae_supersession *out)
{
	TALLOC_CTX *tmp = NULL;
	struct name_ix *names = NULL;
	struct graph g = { .n = n };
	size_t i, num_names = 0;
	ae_err err;

	if (n > 0 && (templates == NULL || candidate == NULL || out == NULL)) {
		return AE_ERR_INVALID;
	}
	if (n > AE_ELIGIBILITY_TEMPLATES_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	for (i = 0; i < n; i++) {
		if (templates[i] == NULL || templates[i]->cn == NULL) {
			return AE_ERR_INVALID;
		}
	}
	if (n == 0) {
		return AE_OK;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	names = talloc_array(tmp, struct name_ix, n);
	if (names == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		if (candidate[i]) {
			names[num_names].cn = templates[i]->cn;
			names[num_names].idx = i;
			num_names++;
		}
	}
	qsort(names, num_names, sizeof(names[0]), name_cmp);
	err = build_edges(tmp, templates, n, candidate, names, num_names, &g);
	if (err == AE_OK) {
		err = components(tmp, candidate, &g);
	}
	if (err == AE_OK) {
		err = conclude(tmp, candidate, &g, out);
	}
	talloc_free(tmp);
	return err;
}
