/*
 * ae_regview.c: the in-memory registry GPOs are applied to, in GPO order,
 * with the special value names of MS-GPREG 3.2.5.1.2.
 *
 * Keys and values are found through small hash indexes on their ASCII-folded
 * names so that a large file applies in linear time. A deleted value keeps
 * its slot (present = false) and is revived in place when set again.
 */
#include <string.h>
#include <strings.h>
#include "ae_preg.h"
#include "ae_log.h"

struct hslot {
	const char *s;		/* folded string, NULL = empty slot */
	size_t idx;
};

struct hidx {
	struct hslot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t used;
};

struct rv_value {
	struct ae_regview_value pub;
	char *folded;		/* on the key, stable while the key lives */
	TALLOC_CTX *ctx;	/* owns pub's copies; NULL when not present */
};

struct rv_key {
	char *path;		/* spelled as first created */
	char *folded;
	struct rv_value **vals;
	size_t num_vals;
	size_t live;		/* values present */
	struct hidx vidx;
	bool secure_set;
	uint32_t secure;
	char *secure_source;
};

struct ae_regview {
	struct rv_key **keys;
	size_t num_keys;
	struct hidx kidx;
	size_t work;		/* keys and slots visited by the current apply */
};

static char *fold(TALLOC_CTX *mem, const char *s)
{
	char *f = talloc_strdup(mem, s);

	for (size_t i = 0; f != NULL && f[i] != '\0'; i++) {
		if (f[i] >= 'A' && f[i] <= 'Z') {
			f[i] = (char)(f[i] - 'A' + 'a');
		}
	}
	return f;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static bool hidx_find(const struct hidx *h, const char *folded, size_t *_idx)
{
	size_t i;

	if (h->cap == 0) {
		return false;
	}
	for (i = hash_str(folded) & (h->cap - 1); h->slots[i].s != NULL; i = (i + 1) & (h->cap - 1)) {
		if (strcmp(h->slots[i].s, folded) == 0) {
			*_idx = h->slots[i].idx;
			return true;
		}
	}
	return false;
}

static void hidx_put(struct hslot *slots, size_t cap, const char *s, size_t idx)
{
	size_t i = hash_str(s) & (cap - 1);

	while (slots[i].s != NULL) {
		i = (i + 1) & (cap - 1);
	}
	slots[i].s = s;
	slots[i].idx = idx;
}

/* Add a string known to be absent; the index stays at most half full. */
static ae_err hidx_add(TALLOC_CTX *mem, struct hidx *h, const char *folded, size_t idx)
{
	if ((h->used + 1) * 2 > h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 16;
		struct hslot *ns = talloc_zero_array(mem, struct hslot, ncap);
		if (ns == NULL) {
			return AE_ERR_NOMEM;
		}
		for (size_t i = 0; i < h->cap; i++) {
			if (h->slots[i].s != NULL) {
				hidx_put(ns, ncap, h->slots[i].s, h->slots[i].idx);
			}
		}
		talloc_free(h->slots);
		h->slots = ns;
		h->cap = ncap;
	}
	hidx_put(h->slots, h->cap, folded, idx);
	h->used++;
	return AE_OK;
}

struct ae_regview *ae_regview_new(TALLOC_CTX *mem_ctx)
{
	return talloc_zero(mem_ctx, struct ae_regview);
}

static struct rv_key *find_key(const struct ae_regview *view, const char *path)
{
	char *f = fold(NULL, path);
	size_t idx = 0;
	bool found;

	if (f == NULL) {
		return NULL;
	}
	found = hidx_find(&view->kidx, f, &idx);
	talloc_free(f);
	return found ? view->keys[idx] : NULL;
}

static ae_err get_key(struct ae_regview *view, const char *path, struct rv_key **_key)
{
	struct rv_key *k = find_key(view, path);
	struct rv_key **nk = NULL;

	if (k != NULL) {
		*_key = k;
		return AE_OK;
	}
	nk = talloc_realloc(view, view->keys, struct rv_key *, view->num_keys + 1);
	if (nk == NULL) {
		return AE_ERR_NOMEM;
	}
	view->keys = nk;
	k = talloc_zero(view, struct rv_key);
	if (k == NULL || (k->path = talloc_strdup(k, path)) == NULL ||
	    (k->folded = fold(k, path)) == NULL ||
	    hidx_add(view, &view->kidx, k->folded, view->num_keys) != AE_OK) {
		talloc_free(k);
		return AE_ERR_NOMEM;
	}
	view->keys[view->num_keys++] = k;
	*_key = k;
	return AE_OK;
}

static struct rv_value *find_value(const struct rv_key *k, const char *name)
{
	char *f = fold(NULL, name);
	size_t idx = 0;
	bool found;

	if (f == NULL) {
		return NULL;
	}
	found = hidx_find(&k->vidx, f, &idx);
	talloc_free(f);
	return found ? k->vals[idx] : NULL;
}

static void delete_value(struct rv_key *k, struct rv_value *v)
{
	if (v->ctx == NULL) {
		return;
	}
	TALLOC_FREE(v->ctx);
	memset(&v->pub, 0, sizeof(v->pub));
	k->live--;
}

static void delete_all_values(struct ae_regview *view, struct rv_key *k)
{
	if (k->live == 0) {
		return;
	}
	view->work += k->num_vals;
	for (size_t i = 0; i < k->num_vals; i++) {
		delete_value(k, k->vals[i]);
	}
}

static ae_err copy_regval(TALLOC_CTX *mem, const struct ae_regval *in, struct ae_regval *out)
{
	*out = *in;
	out->str = NULL;
	out->strs = NULL;
	out->data = talloc_memdup(mem, in->data, in->len ? in->len : 1);
	if (out->data == NULL) {
		return AE_ERR_NOMEM;
	}
	if (in->kind == AE_REGVAL_STRING) {
		out->str = talloc_strdup(mem, in->str);
		if (out->str == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	if (in->kind == AE_REGVAL_STRINGS) {
		const char **strs = talloc_array(mem, const char *, in->num_strs + 1);
		if (strs == NULL) {
			return AE_ERR_NOMEM;
		}
		for (size_t i = 0; i < in->num_strs; i++) {
			strs[i] = talloc_strdup(strs, in->strs[i]);
			if (strs[i] == NULL) {
				return AE_ERR_NOMEM;
			}
		}
		strs[in->num_strs] = NULL;
		out->strs = strs;
	}
	return AE_OK;
}

static ae_err set_value(struct ae_regview *view, const char *key, const char *name,
			const struct ae_regval *val, const char *source, bool soft)
{
	struct rv_key *k = NULL;
	struct rv_value *v = NULL;
	TALLOC_CTX *ctx = NULL;
	ae_err err;

	err = get_key(view, key, &k);
	if (err != AE_OK) {
		return err;
	}
	v = find_value(k, name);
	if (v != NULL && v->ctx != NULL && soft) {
		return AE_OK;	/* **soft.: only if absent */
	}
	if (v == NULL) {
		struct rv_value **nv = talloc_realloc(k, k->vals, struct rv_value *, k->num_vals + 1);
		if (nv == NULL) {
			return AE_ERR_NOMEM;
		}
		k->vals = nv;
		v = talloc_zero(k, struct rv_value);
		if (v == NULL || (v->folded = fold(v, name)) == NULL ||
		    hidx_add(k, &k->vidx, v->folded, k->num_vals) != AE_OK) {
			talloc_free(v);
			return AE_ERR_NOMEM;
		}
		k->vals[k->num_vals++] = v;
	}
	ctx = talloc_new(k);
	if (ctx == NULL) {
		return AE_ERR_NOMEM;
	}
	v->pub.name = talloc_strdup(ctx, name);
	v->pub.source = talloc_strdup(ctx, source);
	if (v->pub.name == NULL || v->pub.source == NULL ||
	    copy_regval(ctx, val, &v->pub.val) != AE_OK) {
		talloc_free(ctx);
		return AE_ERR_NOMEM;
	}
	if (v->ctx == NULL) {
		k->live++;
	}
	talloc_free(v->ctx);
	v->ctx = ctx;
	return AE_OK;
}

static void delete_named(struct ae_regview *view, const char *key, const char *name)
{
	struct rv_key *k = find_key(view, key);
	struct rv_value *v = (k != NULL) ? find_value(k, name) : NULL;

	if (v != NULL) {
		delete_value(k, v);
	}
}

/* Delete the key 'path' and every key below it. */
static ae_err delete_tree(struct ae_regview *view, const char *path)
{
	char *f = fold(NULL, path);
	size_t n;

	if (f == NULL) {
		return AE_ERR_NOMEM;
	}
	n = strlen(f);
	view->work += view->num_keys;
	for (size_t i = 0; i < view->num_keys; i++) {
		const char *kf = view->keys[i]->folded;
		if (view->keys[i]->live > 0 && strncmp(kf, f, n) == 0 &&
		    (kf[n] == '\0' || kf[n] == '\\')) {
			delete_all_values(view, view->keys[i]);
		}
	}
	talloc_free(f);
	return AE_OK;
}

/* Deletes each non-empty item of a ';'-separated list: values, or keys. */
static ae_err each_item(struct ae_regview *view, const char *key, const char *list, bool keys)
{
	char *copy = talloc_strdup(NULL, list), *save = NULL, *item;
	ae_err err = AE_OK;

	if (copy == NULL) {
		return AE_ERR_NOMEM;
	}
	for (item = strtok_r(copy, ";", &save); item != NULL && err == AE_OK;
	     item = strtok_r(NULL, ";", &save)) {
		if (view->work > AE_REGVIEW_WORK_MAX) {
			break;	/* ae_preg_apply reports it */
		}
		if (!keys) {
			delete_named(view, key, item);
		} else if (strchr(item, '\\') != NULL) {
			err = delete_tree(view, item);	/* a full path, as GPMC writes */
		} else {
			char *sub = talloc_asprintf(copy, "%s\\%s", key, item);
			err = (sub != NULL) ? delete_tree(view, sub) : AE_ERR_NOMEM;
		}
	}
	talloc_free(copy);
	return err;
}

static ae_err apply_entry(struct ae_regview *view, const struct ae_preg_entry *e,
			  const char *source)
{
	const char *name = e->name;
	bool is_str = (e->val.kind == AE_REGVAL_STRING);

	if (strncmp(name, "**", 2) != 0) {
		return set_value(view, e->key, name, &e->val, source, false);
	}
	if (strncasecmp(name, "**del.", 6) == 0) {
		delete_named(view, e->key, name + 6);
		return AE_OK;
	}
	if (strcasecmp(name, "**delvals.") == 0) {
		struct rv_key *k = find_key(view, e->key);
		if (k != NULL) {
			delete_all_values(view, k);
		}
		return AE_OK;
	}
	if (strcasecmp(name, "**DeleteValues") == 0 || strcasecmp(name, "**DeleteKeys") == 0) {
		bool keys = (strcasecmp(name, "**DeleteKeys") == 0);
		if (!is_str) {
			AE_WARN("%s: ignoring %s of key %s: its data is %s, not a string", source,
				name, e->key, ae_reg_type_name(e->val.type));
			return AE_OK;
		}
		return each_item(view, e->key, e->val.str, keys);
	}
	if (strcasecmp(name, "**SecureKey") == 0) {
		struct rv_key *k = NULL;
		ae_err err;
		if (e->val.kind != AE_REGVAL_U32) {
			AE_WARN("%s: ignoring **SecureKey of key %s: its data is %s, not a DWORD",
				source, e->key, ae_reg_type_name(e->val.type));
			return AE_OK;
		}
		err = get_key(view, e->key, &k);
		if (err != AE_OK) {
			return err;
		}
		talloc_free(k->secure_source);
		k->secure_source = talloc_strdup(k, source);
		if (k->secure_source == NULL) {
			return AE_ERR_NOMEM;
		}
		k->secure_set = true;
		k->secure = e->val.u32;
		return AE_OK;
	}
	if (strncasecmp(name, "**soft.", 7) == 0) {
		return set_value(view, e->key, name + 7, &e->val, source, true);
	}
	return set_value(view, e->key, name, &e->val, source, false);
}

ae_err ae_preg_apply(struct ae_regview *view, const struct ae_preg *pol, const char *source)
{
	if (view == NULL || pol == NULL) {
		return AE_ERR_INVALID;
	}
	if (source == NULL) {
		source = "";
	}
	view->work = 0;
	for (size_t i = 0; i < pol->num_entries; i++) {
		ae_err err = apply_entry(view, &pol->entries[i], source);
		if (err != AE_OK) {
			return err;
		}
		if (view->work > AE_REGVIEW_WORK_MAX) {
			AE_WARN("%s: Registry.pol refused: its deletions would visit more than "
				"%u keys/values", source, (unsigned)AE_REGVIEW_WORK_MAX);
			return AE_ERR_TOO_LARGE;
		}
	}
	return AE_OK;
}

const struct ae_regview_value *ae_regview_get(const struct ae_regview *view,
					      const char *key, const char *name)
{
	struct rv_key *k = NULL;
	struct rv_value *v = NULL;

	if (view == NULL || key == NULL || name == NULL) {
		return NULL;
	}
	k = find_key(view, key);
	v = (k != NULL) ? find_value(k, name) : NULL;
	return (v != NULL && v->ctx != NULL) ? &v->pub : NULL;
}

ae_err ae_regview_values(TALLOC_CTX *mem_ctx, const struct ae_regview *view, const char *key,
			 const struct ae_regview_value ***_vals, size_t *_num)
{
	const struct ae_regview_value **vals = NULL;
	struct rv_key *k = NULL;
	size_t n = 0;

	if (view == NULL || key == NULL || _vals == NULL || _num == NULL) {
		return AE_ERR_INVALID;
	}
	k = find_key(view, key);
	if (k == NULL || k->live == 0) {
		*_vals = NULL;
		*_num = 0;
		return AE_OK;
	}
	vals = talloc_array(mem_ctx, const struct ae_regview_value *, k->live);
	if (vals == NULL) {
		return AE_ERR_NOMEM;
	}
	for (size_t i = 0; i < k->num_vals; i++) {
		if (k->vals[i]->ctx != NULL) {
			vals[n++] = &k->vals[i]->pub;
		}
	}
	*_vals = vals;
	*_num = n;
	return AE_OK;
}

ae_err ae_regview_subkeys(TALLOC_CTX *mem_ctx, const struct ae_regview *view, const char *key,
			  const char ***_names, size_t *_num)
{
	TALLOC_CTX *tmp = NULL;
	struct hidx seen = { 0 };
	const char **names = NULL;
	char *prefix = NULL;
	size_t n = 0, plen;

	if (view == NULL || key == NULL || _names == NULL || _num == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	prefix = (tmp != NULL) ? fold(tmp, key) : NULL;
	names = talloc_array(tmp, const char *, view->num_keys + 1);
	if (prefix == NULL || names == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	plen = strlen(prefix);
	for (size_t i = 0; i < view->num_keys; i++) {
		const struct rv_key *k = view->keys[i];
		size_t dummy, clen;
		char *comp, *fcomp;

		if (k->live == 0 || strncmp(k->folded, prefix, plen) != 0 ||
		    k->folded[plen] != '\\' || k->folded[plen + 1] == '\0') {
			continue;
		}
		clen = strcspn(k->path + plen + 1, "\\");
		comp = talloc_strndup(names, k->path + plen + 1, clen);
		fcomp = (comp != NULL) ? fold(tmp, comp) : NULL;
		if (fcomp == NULL) {
			talloc_free(tmp);
			return AE_ERR_NOMEM;
		}
		if (hidx_find(&seen, fcomp, &dummy)) {
			talloc_free(comp);
			continue;
		}
		if (hidx_add(tmp, &seen, fcomp, n) != AE_OK) {
			talloc_free(tmp);
			return AE_ERR_NOMEM;
		}
		names[n++] = comp;
	}
	names[n] = NULL;
	*_names = talloc_steal(mem_ctx, names);
	*_num = n;
	talloc_free(tmp);
	return AE_OK;
}

ae_err ae_regview_keys(TALLOC_CTX *mem_ctx, const struct ae_regview *view,
		       const char ***_paths, size_t *_num)
{
	const char **paths = NULL;
	size_t n = 0;

	if (view == NULL || _paths == NULL || _num == NULL) {
		return AE_ERR_INVALID;
	}
	paths = talloc_array(mem_ctx, const char *, view->num_keys + 1);
	if (paths == NULL) {
		return AE_ERR_NOMEM;
	}
	for (size_t i = 0; i < view->num_keys; i++) {
		if (view->keys[i]->live > 0) {
			paths[n++] = view->keys[i]->path;
		}
	}
	paths[n] = NULL;
	*_paths = paths;
	*_num = n;
	return AE_OK;
}

bool ae_regview_secure(const struct ae_regview *view, const char *key,
		       uint32_t *_value, const char **_source)
{
	const struct rv_key *k = (view != NULL && key != NULL) ? find_key(view, key) : NULL;

	if (k == NULL || !k->secure_set) {
		return false;
	}
	if (_value != NULL) {
		*_value = k->secure;
	}
	if (_source != NULL) {
		*_source = k->secure_source;
	}
	return true;
}
