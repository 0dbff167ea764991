/*
 * ae_polsrv_cred.c: the credential files of policy servers
 * (ps->credential_file): read only when they and their directory pass the
 * owner/mode checks, parsed (a password file: user name and password; a
 * certificate file: PEM key, certificate, intermediates), secrets wiped when
 * freed and never logged. ae_polsrv_auth.c turns them into HTTPS options.
 *
 * Credential files hold secrets, so they are read only when (a) their
 * directory is owned by root or the expected owner and nobody else may
 * write into it (then no other user can swap the entry between the check
 * and the read), and (b) the file itself is a regular file (never followed
 * when it is a symbolic link) owned by the expected owner (root for the
 * machine, the user in the user context) with no access at all for group
 * and others.
 *
 * Password file: exactly two lines, the user name ("DOMAIN\\user",
 * "user@REALM" or "user") and the password; a final newline is optional,
 * nothing else (no CR, no third line, no empty field).
 * Certificate file: PEM, one private key and its certificate, optionally
 * followed by intermediate CA certificates to send.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_https.h"
#include "ae_session.h"
#include "ae_config.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_xcep.h"
#include "ae_pki.h"
#include "ae_ldap.h"
#include "ae_log.h"
#include <openssl/err.h>

#define CRED_FILE_MAX	(64u * 1024u)
#define CRED_USER_MAX	512u
#define CRED_PASS_MAX	1024u

/* a talloc'd secret: wiped when freed */
static int wipe_destructor(char *p)
{
	OPENSSL_cleanse(p, talloc_get_size(p));
	return 0;
}

static char *secret_dup(TALLOC_CTX *mem, const char *p, size_t len)
{
	char *s = talloc_size(mem, len + 1);

	if (s == NULL) {
		return NULL;
	}
	talloc_set_name_const(s, "ae_secret");
	memcpy(s, p, len);
	s[len] = '\0';
	talloc_set_destructor(s, wipe_destructor);
	return s;
}

static ae_err check_owner_mode(const struct stat *st, uid_t owner, bool is_dir,
			       char *why, size_t why_len)
{
	if (st->st_uid != owner && st->st_uid != 0) {
		ae_why(why, why_len, "%s owned by uid %ld, not by uid %ld or root",
		       is_dir ? "its directory is" : "it is", (long)st->st_uid, (long)owner);
		return AE_ERR_CREDENTIALS;
	}
	if (!is_dir && st->st_uid != owner) {
		ae_why(why, why_len, "it is owned by uid %ld, not by uid %ld", (long)st->st_uid,
		       (long)owner);
		return AE_ERR_CREDENTIALS;
	}
	if (is_dir && (st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		ae_why(why, why_len, "its directory is writable by group or others (mode %04o)",
		       (unsigned)(st->st_mode & 07777));
		return AE_ERR_CREDENTIALS;
	}
	if (!is_dir && (st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		ae_why(why, why_len, "it is accessible to group or others (mode %04o; 0600 or "
		       "0400 needed)", (unsigned)(st->st_mode & 07777));
		return AE_ERR_CREDENTIALS;
	}
	return AE_OK;
}

ae_err ae_polsrv_secret_read(TALLOC_CTX *mem, const char *path, uid_t owner,
			     uint8_t **_data, size_t *_len, char *why, size_t why_len)
{
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;
	char dir[4096], cause[256] = "";
	struct stat st;
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;
	int dfd;

	if (path == NULL || path[0] != '/' || slash[1] == '\0' ||
	    (size_t)(slash - path) >= sizeof(dir)) {
		ae_why(why, why_len, "credential file %s: not an absolute file name",
		       path ? path : "(none)");
		return AE_ERR_CREDENTIALS;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) != 0) {
		ae_why(why, why_len, "credential file %s: directory %s: %s", path, dir,
		       strerror(errno));
		if (dfd >= 0) {
			close(dfd);
		}
		return AE_ERR_CREDENTIALS;
	}
	err = check_owner_mode(&st, owner, true, cause, sizeof(cause));
	if (err == AE_OK && fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		snprintf(cause, sizeof(cause), "%s", strerror(errno));
		err = AE_ERR_CREDENTIALS;
	}
	if (err == AE_OK && !S_ISREG(st.st_mode)) {
		snprintf(cause, sizeof(cause), "%s, not a regular file", ae_file_kind(st.st_mode));
		err = AE_ERR_CREDENTIALS;
	}
	if (err == AE_OK) {
		err = check_owner_mode(&st, owner, false, cause, sizeof(cause));
	}
	if (err == AE_OK) {
		/* the directory admits nobody else: the entry checked is the one read */
		err = ae_file_read_at(mem, dfd, slash + 1, CRED_FILE_MAX, 0, &data, &len,
				      cause, sizeof(cause));
		if (err != AE_OK) {
			err = AE_ERR_CREDENTIALS;
		}
	}
	close(dfd);
	if (err != AE_OK) {
		ae_why(why, why_len, "credential file %s refused: %s", path, cause);
		return err;
	}
	talloc_set_destructor((char *)data, wipe_destructor);
	*_data = data;
	*_len = len;
	return AE_OK;
}

static bool printable(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

ae_err ae_polsrv_password_parse(TALLOC_CTX *mem, const char *p, size_t len,
				char **_user, char **_password, char *why, size_t why_len)
{
	const char *nl = memchr(p, '\n', len), *pw, *end;
	size_t ulen, plen;
	char *user, *pass;

	if (nl == NULL) {
		ae_why(why, why_len, "not two lines (user name, password)");
		return AE_ERR_PARSE;
	}
	ulen = (size_t)(nl - p);
	pw = nl + 1;
	end = memchr(pw, '\n', len - (size_t)(pw - p));
	plen = end != NULL ? (size_t)(end - pw) : len - (size_t)(pw - p);
	if (end != NULL && (size_t)(end - p) + 1 != len) {
		ae_why(why, why_len, "more than two lines");
		return AE_ERR_PARSE;
	}
	if (ulen == 0 || ulen > CRED_USER_MAX || !printable(p, ulen) ||
	    memchr(p, ' ', ulen) != NULL) {
		ae_why(why, why_len, "line 1: a user name (DOMAIN\\user or user@REALM, no "
		       "spaces or control characters, at most %u bytes) is needed", CRED_USER_MAX);
		return AE_ERR_PARSE;
	}
	if (plen == 0 || plen > CRED_PASS_MAX || !printable(pw, plen)) {
		ae_why(why, why_len, "line 2: a password (no control characters, at most %u "
		       "bytes) is needed", CRED_PASS_MAX);
		return AE_ERR_PARSE;
	}
	user = talloc_strndup(mem, p, ulen);
	pass = secret_dup(mem, pw, plen);
	if (user == NULL || pass == NULL) {
		talloc_free(user);
		talloc_free(pass);
		return AE_ERR_NOMEM;
	}
	*_user = user;
	*_password = pass;
	return AE_OK;
}

/* The OpenSSL objects of a certificate credential, freed with their holder. */
struct cert_holder {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
};

static int cert_holder_destructor(struct cert_holder *h)
{
	EVP_PKEY_free(h->key);
	X509_free(h->cert);
	sk_X509_pop_free(h->chain, X509_free);
	return 0;
}

ae_err ae_polsrv_cert_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			    EVP_PKEY **_key, X509 **_cert, STACK_OF(X509) **_chain,
			    char *why, size_t why_len)
{
	struct cert_holder *h = talloc_zero(mem, struct cert_holder);
	BIO *bio = NULL;
	X509 *x;

	if (h == NULL || len > INT32_MAX) {
		talloc_free(h);
		return h == NULL ? AE_ERR_NOMEM : AE_ERR_TOO_LARGE;
	}
	talloc_set_destructor(h, cert_holder_destructor);
	bio = BIO_new_mem_buf(p, (int)len);
	h->key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	BIO_free(bio);
	bio = BIO_new_mem_buf(p, (int)len);
	h->cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	h->chain = sk_X509_new_null();
	while (bio != NULL && h->cert != NULL && h->chain != NULL &&
	       (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(h->chain, x) <= 0) {
			X509_free(x);
			break;
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	if (h->key == NULL || h->cert == NULL || h->chain == NULL) {
		ae_why(why, why_len, "no %s in PEM", h->key == NULL ? "unencrypted private key" :
		       "certificate");
		talloc_free(h);
		return AE_ERR_PARSE;
	}
	if (X509_check_private_key(h->cert, h->key) != 1) {
		ERR_clear_error();
		ae_why(why, why_len, "the private key does not match the first certificate");
		talloc_free(h);
		return AE_ERR_MISMATCH;
	}
	*_key = h->key;
	*_cert = h->cert;
	*_chain = sk_X509_num(h->chain) > 0 ? h->chain : NULL;
	return AE_OK;
}
