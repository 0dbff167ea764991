/*
 * ae_nssdb.c: the sync of a user's NSS database with the store's pairs,
 * and its listing (ae_nssdb.h). The plan is made read-only first
 * (ae_nssdb_plan.c); only when something differs is the database opened
 * for writing, the plan made again and carried out: new pairs imported
 * (key, then certificate: never a certificate of ours without its key),
 * then the stale certificates and keys of ours removed.
 */
#include <string.h>
#include <talloc.h>
#include <cert.h>
#include <certdb.h>
#include <keyhi.h>
#include <pk11pub.h>
#include "ae_nssdb.h"
#include "ae_nssdb_plan.h"
#include "ae_nssdb_private.h"
#include "ae_log.h"

/*
 * The private key of w (PKCS#8 PrivateKeyInfo, RFC 5208 §5) into the
 * token, labelled with our nickname; it must have the certificate's key id
 * (else it is not the certificate's key: removed again, AE_ERR_MISMATCH).
 */
static ae_err import_key(struct nssdb *db, const struct ae_nssdb_want *w, char *why,
			 size_t why_len)
{
	SECItem der = { siBuffer, (unsigned char *)w->e->key_der, (unsigned)w->e->key_len };
	SECItem nick = { siBuffer, (unsigned char *)w->nick, (unsigned)strlen(w->nick) };
	SECKEYPrivateKey *key = NULL;
	SECItem *kid = NULL;
	bool match;
	char e[256];

	if (PK11_ImportDERPrivateKeyInfoAndReturnKey(db->slot, &der, &nick, NULL, PR_TRUE,
						     PR_TRUE, KU_ALL, &key, NULL) != SECSuccess ||
	    key == NULL) {
		ae_why(why, why_len, "NSS database %s: template %s: the private key cannot be "
		       "imported: %s", db->dir, w->e->name, ae_nssdb_error(e, sizeof(e)));
		return AE_ERR_PARSE;
	}
	kid = PK11_GetLowLevelKeyIDForPrivateKey(key);
	match = kid != NULL && SECITEM_ItemsAreEqual(kid, w->keyid);
	if (kid != NULL) {
		SECITEM_FreeItem(kid, PR_TRUE);
	}
	if (!match) {
		(void)PK11_DeleteTokenPrivateKey(key, PR_TRUE);	/* also frees key */
		ae_why(why, why_len, "NSS database %s: template %s: the private key is not the "
		       "certificate's key; nothing imported", db->dir, w->e->name);
		return AE_ERR_MISMATCH;
	}
	SECKEY_DestroyPrivateKey(key);
	return AE_OK;
}

static ae_err import_pairs(struct nssdb *db, struct ae_nssdb_plan *p,
			   struct ae_nssdb_result *res, char *why, size_t why_len)
{
	size_t i;
	char e[256];
	ae_err err;

	for (i = 0; i < p->nw; i++) {
		struct ae_nssdb_want *w = &p->w[i];

		if (w->cert == NULL) {
			continue;
		}
		if (w->cert_there && w->key_there) {
			res->kept++;
			continue;
		}
		if (!w->key_there) {
			err = import_key(db, w, why, why_len);
			if (err != AE_OK) {
				return err;
			}
			res->changed = true;
		}
		if (!w->cert_there) {
			if (PK11_ImportCert(db->slot, w->cert, CK_INVALID_HANDLE, w->nick,
					    PR_FALSE) != SECSuccess) {
				ae_why(why, why_len, "NSS database %s: template %s: the certificate "
				       "cannot be imported: %s", db->dir, w->e->name,
				       ae_nssdb_error(e, sizeof(e)));
				return AE_ERR_IO;
			}
			res->changed = true;
		}
		res->added++;
		AE_INFO("NSS database %s: %s imported", db->dir, w->nick);
	}
	return AE_OK;
}

static ae_err remove_stale(struct nssdb *db, struct ae_nssdb_plan *p,
			   struct ae_nssdb_result *res, char *why, size_t why_len)
{
	SECKEYPrivateKeyListNode *node;
	size_t i;
	char e[256];

	for (i = 0; i < p->stale_certs; i++) {
		const char *nick = ae_nssdb_bare_nickname(db->slot, p->stale[i]->nickname);

		if (SEC_DeletePermCertificate(p->stale[i]) != SECSuccess) {
			ae_why(why, why_len, "NSS database %s: %s cannot be removed: %s", db->dir,
			       nick, ae_nssdb_error(e, sizeof(e)));
			return AE_ERR_IO;
		}
		res->removed++;
		res->changed = true;
		AE_INFO("NSS database %s: an older or removed certificate %s taken out", db->dir,
			nick);
	}
	for (node = p->keys ? PRIVKEY_LIST_HEAD(p->keys) : NULL;
	     node != NULL && !PRIVKEY_LIST_END(node, p->keys); node = PRIVKEY_LIST_NEXT(node)) {
		if (!ae_nssdb_key_stale(p, db->slot, node->key)) {
			continue;
		}
		if (PK11_DestroyTokenObject(node->key->pkcs11Slot, node->key->pkcs11ID) !=
		    SECSuccess) {
			ae_why(why, why_len, "NSS database %s: a private key of ours cannot be "
			       "removed: %s", db->dir, ae_nssdb_error(e, sizeof(e)));
			return AE_ERR_IO;
		}
		res->removed_keys++;
		res->changed = true;
	}
	return AE_OK;
}

/* One pass on an opened database: plan, and with rw carry it out. *_empty: nothing to do. */
static ae_err pass(struct nssdb *db, const struct ae_nssdb_entry *e, size_t n,
		   struct ae_nssdb_result *res, bool *_empty, char *why, size_t why_len)
{
	struct ae_nssdb_plan *p = NULL;
	ae_err err = ae_nssdb_plan_build(NULL, db->slot, e, n, &p, why, why_len);

	if (err != AE_OK) {
		return err;
	}
	*_empty = ae_nssdb_plan_empty(p);
	if (*_empty) {
		size_t i;
		for (i = 0; i < p->nw; i++) {
			res->kept += p->w[i].cert != NULL;
		}
	} else if (db->rw) {
		err = import_pairs(db, p, res, why, why_len);
		if (err == AE_OK) {
			err = remove_stale(db, p, res, why, why_len);
		}
	}
	talloc_free(p);		/* its NSS objects go before the context */
	return err;
}

ae_err ae_nssdb_sync(const char *dir, const struct ae_nssdb_entry *entries, size_t n,
		     struct ae_nssdb_result *res, char *why, size_t why_len)
{
	struct nssdb db;
	bool empty = false;
	ae_err err;

	memset(res, 0, sizeof(*res));
	if (n > AE_NSSDB_ENTRIES_MAX || (n > 0 && entries == NULL)) {
		ae_why(why, why_len, "NSS database %s: %zu templates, at most %d", dir ? dir : "?",
		       n, AE_NSSDB_ENTRIES_MAX);
		return AE_ERR_INVALID;
	}
	/* read-only first: a cycle with nothing new writes nothing */
	err = ae_nssdb_open(dir, false, &db, why, why_len);
	if (err == AE_OK) {
		err = pass(&db, entries, n, res, &empty, why, why_len);
		ae_nssdb_close(&db);
		if (err != AE_OK || empty) {
			return err;
		}
		memset(res, 0, sizeof(*res));
	} else if (err != AE_ERR_NOT_FOUND) {
		return err;
	}
	err = ae_nssdb_open(dir, true, &db, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	res->created = db.created;
	res->changed = db.created;
	err = pass(&db, entries, n, res, &empty, why, why_len);
	ae_nssdb_close(&db);
	return err;
}

static ae_err list_one(TALLOC_CTX *mem, struct nssdb *db, CERTCertificate *c,
		       struct ae_nssdb_cert *out)
{
	const char *nick = ae_nssdb_bare_nickname(db->slot, c->nickname);
	SECItem *kid = PK11_GetLowLevelKeyIDForCert(NULL, c, NULL);
	SECKEYPrivateKey *key = kid ? PK11_FindKeyByKeyID(db->slot, kid, NULL) : NULL;

	out->has_key = key != NULL;
	if (key != NULL) {
		SECKEY_DestroyPrivateKey(key);
	}
	if (kid != NULL) {
		SECITEM_FreeItem(kid, PR_TRUE);
	}
	out->nickname = talloc_strdup(mem, nick ? nick : "");
	out->der = talloc_memdup(mem, c->derCert.data, c->derCert.len);
	out->der_len = c->derCert.len;
	out->ours = ae_nssdb_is_ours(nick);
	return out->nickname != NULL && out->der != NULL ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_nssdb_list(TALLOC_CTX *mem_ctx, const char *dir, struct ae_nssdb_cert **_certs,
		     size_t *_n, size_t *_num_keys, char *why, size_t why_len)
{
	struct ae_nssdb_cert *v = NULL;
	CERTCertList *certs = NULL;
	SECKEYPrivateKeyList *keys = NULL;
	CERTCertListNode *node;
	SECKEYPrivateKeyListNode *kn;
	struct nssdb db;
	size_t n = 0, nk = 0;
	ae_err err = ae_nssdb_open(dir, false, &db, why, why_len);

	if (err != AE_OK) {
		return err;
	}
	v = talloc_zero_array(mem_ctx, struct ae_nssdb_cert, 1);
	certs = PK11_ListCertsInSlot(db.slot);
	for (node = certs ? CERT_LIST_HEAD(certs) : NULL; v != NULL && err == AE_OK &&
	     node != NULL && !CERT_LIST_END(node, certs); node = CERT_LIST_NEXT(node)) {
		struct ae_nssdb_cert *nv = talloc_realloc(mem_ctx, v, struct ae_nssdb_cert, n + 1);
		if (nv == NULL) {
			err = AE_ERR_NOMEM;
			break;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		err = list_one(v, &db, node->cert, &v[n++]);
	}
	keys = PK11_ListPrivateKeysInSlot(db.slot);
	for (kn = keys ? PRIVKEY_LIST_HEAD(keys) : NULL; kn != NULL && !PRIVKEY_LIST_END(kn, keys);
	     kn = PRIVKEY_LIST_NEXT(kn)) {
		nk++;
	}
	if (keys != NULL) {
		SECKEY_DestroyPrivateKeyList(keys);
	}
	if (certs != NULL) {
		CERT_DestroyCertList(certs);
	}
	ae_nssdb_close(&db);
	if (v == NULL || err != AE_OK) {
		talloc_free(v);
		return err != AE_OK ? err : AE_ERR_NOMEM;
	}
	*_certs = v;
	*_n = n;
	*_num_keys = nk;
	return AE_OK;
}
