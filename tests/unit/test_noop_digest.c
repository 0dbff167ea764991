/*
 * test_noop_digest.c: the digests the no-op memo compares
 * (ae_noop_digest.c). The store's: the same directory gives the same
 * digest; a file added, removed, rewritten (size, mtime) or chmod'ed
 * changes it; .lock (the lock holder writes its pid there) does not. The
 * principal's: the order of tokenGroups does not matter; a group, the DN,
 * mail or a userCertificate value does. Nothing is left on the talloc
 * contexts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_noop.h"
#include "ae_principal.h"
#include "ae_token.h"
#include "ae_sid.h"

static void put_file(int dfd, const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void digest(int dfd, uint8_t out[AE_NOOP_DIGEST_LEN])
{
	assert_int_equal(ae_noop_digest_store(dfd, out), AE_OK);
}

static void test_store(void **state)
{
	char dir[] = "/tmp/test_noop_digest.XXXXXX";
	uint8_t a[32], b[32];
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	put_file(dfd, "T.crt", "cert");
	put_file(dfd, "T.key", "key");
	digest(dfd, a);
	digest(dfd, b);
	assert_memory_equal(a, b, 32);
	put_file(dfd, ".lock", "12345");		/* the lock holder's pid */
	digest(dfd, b);
	assert_memory_equal(a, b, 32);
	put_file(dfd, "T.crt", "cert2");		/* rewritten */
	digest(dfd, b);
	assert_memory_not_equal(a, b, 32);
	memcpy(a, b, 32);
	assert_int_equal(fchmodat(dfd, "T.key", 0644, 0), 0);	/* a mode changed */
	digest(dfd, b);
	assert_memory_not_equal(a, b, 32);
	memcpy(a, b, 32);
	assert_int_equal(unlinkat(dfd, "T.key", 0), 0);		/* removed */
	digest(dfd, b);
	assert_memory_not_equal(a, b, 32);
	memcpy(a, b, 32);
	put_file(dfd, "U.state", "x");				/* added */
	digest(dfd, b);
	assert_memory_not_equal(a, b, 32);
	unlinkat(dfd, "U.state", 0);
	unlinkat(dfd, "T.crt", 0);
	unlinkat(dfd, ".lock", 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(ae_noop_digest_store(-1, a), AE_ERR_IO);
}

static struct ae_principal *principal(TALLOC_CTX *mem, const char *const *groups, size_t n)
{
	struct ae_principal *p = talloc_zero(mem, struct ae_principal);
	struct ae_sid s;
	size_t i;

	assert_non_null(p);
	p->dn = talloc_strdup(p, "CN=MEMBER1,CN=Computers,DC=lab,DC=example");
	p->sam_account_name = talloc_strdup(p, "MEMBER1$");
	assert_int_equal(ae_sid_from_string("S-1-5-21-1-2-3-1103", &p->sid), AE_OK);
	p->token = ae_token_new(p, &p->sid);
	assert_non_null(p->token);
	for (i = 0; i < n; i++) {
		assert_int_equal(ae_sid_from_string(groups[i], &s), AE_OK);
		assert_int_equal(ae_token_add_group(p->token, &s), AE_OK);
	}
	return p;
}

static void test_principal(void **state)
{
	static const char *const g1[] = { "S-1-5-21-1-2-3-515", "S-1-5-21-1-2-3-1200", "S-1-5-11" };
	static const char *const g2[] = { "S-1-5-11", "S-1-5-21-1-2-3-1200", "S-1-5-21-1-2-3-515" };
	static const char *const g3[] = { "S-1-5-11", "S-1-5-21-1-2-3-515" };
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t a[32], b[32];
	struct ae_principal *p;
	uint8_t der[3] = { 0x30, 0x01, 0x00 };

	(void)state;
	assert_int_equal(ae_noop_digest_principal(principal(mem, g1, 3), a), AE_OK);
	assert_int_equal(ae_noop_digest_principal(principal(mem, g2, 3), b), AE_OK);
	assert_memory_equal(a, b, 32);			/* tokenGroups has no order */
	assert_int_equal(ae_noop_digest_principal(principal(mem, g3, 2), b), AE_OK);
	assert_memory_not_equal(a, b, 32);		/* a group less */
	p = principal(mem, g1, 3);
	p->dn = talloc_strdup(p, "CN=MEMBER1,OU=Servers,DC=lab,DC=example");
	assert_int_equal(ae_noop_digest_principal(p, b), AE_OK);
	assert_memory_not_equal(a, b, 32);		/* moved */
	p = principal(mem, g1, 3);
	p->mail = talloc_strdup(p, "");
	assert_int_equal(ae_noop_digest_principal(p, b), AE_OK);
	assert_memory_not_equal(a, b, 32);		/* "" is not "absent" */
	p = principal(mem, g1, 3);
	p->user_certs = talloc_zero(p, struct ae_principal_blob);
	p->user_certs[0].data = der;
	p->user_certs[0].len = sizeof(der);
	p->num_user_certs = 1;
	assert_int_equal(ae_noop_digest_principal(p, b), AE_OK);
	assert_memory_not_equal(a, b, 32);		/* a certificate published */
	assert_int_equal(ae_noop_digest_principal(NULL, b), AE_ERR_INVALID);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_principal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
