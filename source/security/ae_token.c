#include "ae_token.h"

struct ae_token *ae_token_new(TALLOC_CTX *mem_ctx, const struct ae_sid *user)
{
	struct ae_token *t = NULL;

	if (user == NULL) {
		return NULL;
	}
	t = talloc_zero(mem_ctx, struct ae_token);
	if (t == NULL) {
		return NULL;
	}
	t->user = *user;
	return t;
}

bool ae_token_has(const struct ae_token *t, const struct ae_sid *sid)
{
	size_t i;

	if (t == NULL || sid == NULL) {
		return false;
	}
	if (ae_sid_equal(&t->user, sid)) {
		return true;
	}
	for (i = 0; i < t->num_groups; i++) {
		if (ae_sid_equal(&t->groups[i], sid)) {
			return true;
		}
	}
	return false;
}

ae_err ae_token_add_group(struct ae_token *t, const struct ae_sid *sid)
{
	struct ae_sid *groups = NULL;

	if (t == NULL || sid == NULL || sid->num_auths > AE_SID_SUB_AUTHS_MAX) {
		return AE_ERR_INVALID;
	}
	if (ae_token_has(t, sid)) {
		return AE_OK;
	}
	if (t->num_groups >= AE_TOKEN_GROUPS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	groups = talloc_realloc(t, t->groups, struct ae_sid, t->num_groups + 1);
	if (groups == NULL) {
		return AE_ERR_NOMEM;
	}
	groups[t->num_groups] = *sid;
	t->groups = groups;
	t->num_groups++;
	return AE_OK;
}

ae_err ae_token_add_group_blob(struct ae_token *t, const uint8_t *p, size_t len)
{
	struct ae_sid sid;
	size_t used = 0;
	ae_err err;

	if (t == NULL || p == NULL) {
		return AE_ERR_INVALID;
	}
	err = ae_sid_parse(p, len, &sid, &used);
	if (err != AE_OK) {
		return err;
	}
	if (used != len) {
		return AE_ERR_TRAILING;
	}
	return ae_token_add_group(t, &sid);
}

ae_err ae_token_add_implicit(struct ae_token *t)
{
	ae_err err;

	err = ae_token_add_group(t, &ae_sid_everyone);
	if (err != AE_OK) {
		return err;
	}
	return ae_token_add_group(t, &ae_sid_authenticated_users);
}
