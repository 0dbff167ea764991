/*
 * ae_nssdb_plan.c: what a sync has to do in one opened database
 * (ae_nssdb.h has the rules): which of the wanted pairs are there, which
 * of our certificates and keys are stale. Reads only.
 */
#include <string.h>
#include <talloc.h>
#include <cert.h>
#include <keyhi.h>
#include <pk11pub.h>
#include "ae_nssdb.h"
#include "ae_nssdb_plan.h"
#include "ae_log.h"

char *ae_nssdb_nickname(TALLOC_CTX *mem_ctx, const char *name)
{
	char *nick;
	size_t i, n;

	if (name == NULL || (n = strlen(name)) == 0 || n > 200) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			return NULL;
		}
	}
	nick = talloc_asprintf(mem_ctx, "%s%s", name, AE_NSSDB_SUFFIX);
	/* ':' separates a token name from a nickname in NSS's names */
	for (i = 0; nick != NULL && i < n; i++) {
		nick[i] = nick[i] == ':' ? '_' : nick[i];
	}
	return nick;
}

const char *ae_nssdb_bare_nickname(PK11SlotInfo *slot, const char *nick)
{
	const char *tok = PK11_GetTokenName(slot);
	size_t n = tok != NULL ? strlen(tok) : 0;

	if (nick != NULL && n > 0 && strncmp(nick, tok, n) == 0 && nick[n] == ':') {
		return nick + n + 1;
	}
	return nick;
}

bool ae_nssdb_is_ours(const char *nick)
{
	size_t n = nick != NULL ? strlen(nick) : 0, s = strlen(AE_NSSDB_SUFFIX);

	return n > s && strcmp(nick + n - s, AE_NSSDB_SUFFIX) == 0;
}

static bool same_item(const SECItem *a, const SECItem *b)
{
	return a != NULL && b != NULL && SECITEM_ItemsAreEqual(a, b);
}

/* The wanted entry whose nickname is nick, or NULL. */
static struct ae_nssdb_want *want_by_nick(const struct ae_nssdb_plan *p, const char *nick)
{
	size_t i;

	for (i = 0; nick != NULL && i < p->nw; i++) {
		if (strcmp(p->w[i].nick, nick) == 0) {
			return &p->w[i];
		}
	}
	return NULL;
}

static ae_err prepare_wants(struct ae_nssdb_plan *p, const struct ae_nssdb_entry *e, size_t n,
			    char *why, size_t why_len)
{
	size_t i, j;

	p->w = talloc_zero_array(p, struct ae_nssdb_want, n ? n : 1);
	if (p->w == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		struct ae_nssdb_want *w = &p->w[p->nw++];
		SECItem der = { siBuffer, (unsigned char *)e[i].cert_der, (unsigned)e[i].cert_len };

		w->e = &e[i];
		w->nick = ae_nssdb_nickname(p, e[i].name);
		if (w->nick == NULL) {
			ae_why(why, why_len, "template name '%s' cannot be an NSS nickname",
			       e[i].name ? e[i].name : "");
			return AE_ERR_INVALID;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(p->w[j].nick, w->nick) == 0) {
				ae_why(why, why_len, "template %s given twice", e[i].name);
				return AE_ERR_INVALID;
			}
		}
		if (e[i].unknown || e[i].cert_der == NULL) {
			continue;
		}
		if (e[i].cert_len == 0 || e[i].cert_len > AE_NSSDB_DER_MAX ||
		    e[i].key_der == NULL || e[i].key_len == 0 || e[i].key_len > AE_NSSDB_DER_MAX) {
			ae_why(why, why_len, "template %s: certificate or key missing or too large",
			       e[i].name);
			return AE_ERR_INVALID;
		}
		w->cert = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &der, NULL, PR_FALSE,
						  PR_TRUE);
		if (w->cert != NULL) {
			w->keyid = PK11_GetLowLevelKeyIDForCert(NULL, w->cert, NULL);
		}
		if (w->cert == NULL || w->keyid == NULL) {
			char m[256];
			ae_why(why, why_len, "template %s: NSS refuses the certificate: %s",
			       e[i].name, ae_nssdb_error(m, sizeof(m)));
			return AE_ERR_PARSE;
		}
	}
	return AE_OK;
}

/* Is the key id kid that of a wanted pair, or of a foreign certificate? */
static bool keyid_protected(const struct ae_nssdb_plan *p, const SECItem *kid)
{
	size_t i;

	for (i = 0; i < p->nw; i++) {
		if (same_item(p->w[i].keyid, kid)) {
			return true;
		}
	}
	for (i = 0; i < p->nprotected; i++) {
		if (same_item(p->protected_ids[i], kid)) {
			return true;
		}
	}
	return false;
}

static ae_err add_id(struct ae_nssdb_plan *p, SECItem *kid, SECItem ***arr, size_t *n)
{
	SECItem **v = talloc_realloc(p, *arr, SECItem *, *n + 1);

	if (v == NULL) {
		SECITEM_FreeItem(kid, PR_TRUE);
		return AE_ERR_NOMEM;
	}
	*arr = v;
	v[(*n)++] = kid;
	return AE_OK;
}

/* A wanted certificate that is in the database under another nickname. */
static void mark_held_elsewhere(struct ae_nssdb_plan *p, const CERTCertificate *c)
{
	size_t i;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i].cert != NULL &&
		    SECITEM_ItemsAreEqual(&p->w[i].cert->derCert, &c->derCert)) {
			p->w[i].cert_there = true;
		}
	}
}

/* A stale certificate of ours (it lives in p->certs). */
static ae_err add_stale(struct ae_nssdb_plan *p, CERTCertificate *c)
{
	CERTCertificate **v = talloc_realloc(p, p->stale, CERTCertificate *, p->stale_certs + 1);

	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	p->stale = v;
	v[p->stale_certs++] = c;
	return AE_OK;
}

/*
 * Every certificate of the slot: ours are matched against the wanted ones
 * (there, or stale); the key ids of foreign certificates, and of ours
 * whose template is unknown this time, are protected.
 */
static ae_err scan_certs(struct ae_nssdb_plan *p, PK11SlotInfo *slot)
{
	CERTCertListNode *node;
	ae_err err = AE_OK;

	p->certs = PK11_ListCertsInSlot(slot);
	if (p->certs == NULL) {
		return AE_OK;	/* an empty database */
	}
	for (node = CERT_LIST_HEAD(p->certs); err == AE_OK && !CERT_LIST_END(node, p->certs);
	     node = CERT_LIST_NEXT(node)) {
		const char *nick = ae_nssdb_bare_nickname(slot, node->cert->nickname);
		struct ae_nssdb_want *w = want_by_nick(p, nick);
		SECItem *kid = PK11_GetLowLevelKeyIDForCert(NULL, node->cert, NULL);

		if (kid == NULL) {
			continue;
		}
		if (!ae_nssdb_is_ours(nick) || (w != NULL && w->e->unknown)) {
			/* a wanted certificate somebody imported under a name of their own is
			 * there: it is not imported again under ours (it would keep theirs) */
			mark_held_elsewhere(p, node->cert);
			err = add_id(p, kid, &p->protected_ids, &p->nprotected);
			continue;
		}
		if (w != NULL && w->cert != NULL &&
		    SECITEM_ItemsAreEqual(&w->cert->derCert, &node->cert->derCert)) {
			w->cert_there = true;
			SECITEM_FreeItem(kid, PR_TRUE);
			continue;
		}
		err = add_id(p, kid, &p->stale_ids, &p->nstale_ids);
		if (err == AE_OK) {
			err = add_stale(p, node->cert);
		}
	}
	return err;
}

bool ae_nssdb_key_stale(const struct ae_nssdb_plan *p, PK11SlotInfo *slot,
			SECKEYPrivateKey *key)
{
	SECItem *kid = PK11_GetLowLevelKeyIDForPrivateKey(key);
	char *label = PK11_GetPrivateKeyNickname(key);
	const char *nick = ae_nssdb_bare_nickname(slot, label);
	const struct ae_nssdb_want *w = want_by_nick(p, nick);
	bool ours = ae_nssdb_is_ours(nick), stale = false;
	size_t i;

	for (i = 0; !ours && kid != NULL && i < p->nstale_ids; i++) {
		ours = same_item(p->stale_ids[i], kid);
	}
	if (ours && kid != NULL && !keyid_protected(p, kid) && (w == NULL || !w->e->unknown)) {
		stale = true;
	}
	if (kid != NULL) {
		SECITEM_FreeItem(kid, PR_TRUE);
	}
	PORT_Free(label);
	return stale;
}

/* Our keys no wanted pair, no foreign certificate and no unknown template needs. */
static void scan_keys(struct ae_nssdb_plan *p, PK11SlotInfo *slot)
{
	SECKEYPrivateKeyListNode *node;
	size_t i;

	for (i = 0; i < p->nw; i++) {
		SECKEYPrivateKey *k;
		if (p->w[i].keyid == NULL) {
			continue;
		}
		k = PK11_FindKeyByKeyID(slot, p->w[i].keyid, NULL);
		p->w[i].key_there = k != NULL;
		if (k != NULL) {
			SECKEY_DestroyPrivateKey(k);
		}
	}
	p->keys = PK11_ListPrivateKeysInSlot(slot);
	if (p->keys == NULL) {
		return;
	}
	for (node = PRIVKEY_LIST_HEAD(p->keys); !PRIVKEY_LIST_END(node, p->keys);
	     node = PRIVKEY_LIST_NEXT(node)) {
		p->stale_keys += ae_nssdb_key_stale(p, slot, node->key);
	}
}

static int plan_destructor(struct ae_nssdb_plan *p)
{
	size_t i;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i].keyid != NULL) {
			SECITEM_FreeItem(p->w[i].keyid, PR_TRUE);
		}
		if (p->w[i].cert != NULL) {
			CERT_DestroyCertificate(p->w[i].cert);
		}
	}
	for (i = 0; i < p->nprotected; i++) {
		SECITEM_FreeItem(p->protected_ids[i], PR_TRUE);
	}
	for (i = 0; i < p->nstale_ids; i++) {
		SECITEM_FreeItem(p->stale_ids[i], PR_TRUE);
	}
	if (p->certs != NULL) {
		CERT_DestroyCertList(p->certs);
	}
	if (p->keys != NULL) {
		SECKEY_DestroyPrivateKeyList(p->keys);
	}
	return 0;
}

ae_err ae_nssdb_plan_build(TALLOC_CTX *mem, PK11SlotInfo *slot, const struct ae_nssdb_entry *e,
			   size_t n, struct ae_nssdb_plan **_p, char *why, size_t why_len)
{
	struct ae_nssdb_plan *p = talloc_zero(mem, struct ae_nssdb_plan);
	ae_err err;

	if (p == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(p, plan_destructor);
	err = prepare_wants(p, e, n, why, why_len);
	if (err == AE_OK) {
		err = scan_certs(p, slot);
	}
	if (err != AE_OK) {
		talloc_free(p);
		return err;
	}
	scan_keys(p, slot);
	*_p = p;
	return AE_OK;
}

bool ae_nssdb_plan_empty(const struct ae_nssdb_plan *p)
{
	size_t i;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i].cert != NULL && (!p->w[i].cert_there || !p->w[i].key_there)) {
			return false;
		}
	}
	return p->stale_certs == 0 && p->stale_keys == 0;
}
