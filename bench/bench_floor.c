/*
 * bench_floor: the floor of a no-op autoenrollment cycle, for bench/cycle.
 * Process start, ldap_initialize, a SASL GSSAPI bind with the ticket of
 * the cache KRB5CCNAME names (sealed, as autoenroll binds: RFC 4752), then
 * three searches sent together and their results read: what a correct
 * no-op costs at least (one pipelined round trip of three requests).
 *
 *   bench_floor LDAP_URL DOMAIN_DN CONFIG_DN
 *
 * The three requests: the rootDSE (base), the domain object (base,
 * uSNChanged) and the configuration partition's Public Key Services
 * container (base, uSNChanged). Prints one line: "searches 3 entries N";
 * exit 0, or 1 with the cause on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ldap.h>

#define NREQ 3

/* Cyrus SASL may ask for an authorization id under GSSAPI: leave it empty. */
static int no_interaction(LDAP *ld, unsigned flags, void *defaults, void *interact)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	(void)interact;
	return LDAP_SUCCESS;
}

static int fail(LDAP *ld, const char *what, int rc)
{
	fprintf(stderr, "bench_floor: %s: %s\n", what, ldap_err2string(rc));
	if (ld != NULL) {
		ldap_unbind_ext_s(ld, NULL, NULL);
	}
	return 1;
}

static int setup(LDAP *ld)
{
	int version = LDAP_VERSION3;
	int rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);

	if (rc == LDAP_OPT_SUCCESS) {
		rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	}
	if (rc == LDAP_OPT_SUCCESS) {
		rc = ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
	}
	if (rc == LDAP_OPT_SUCCESS) {
		/* integrity and confidentiality, as autoenroll asks */
		rc = ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, "minssf=56");
	}
	return rc;
}

int main(int argc, char **argv)
{
	static char *usn[] = { "uSNChanged", NULL };
	static char *dse[] = { "highestCommittedUSN", "dsServiceName", NULL };
	const char *bases[NREQ];
	char pks[2048];
	int ids[NREQ], done = 0, entries = 0, rc, i;
	LDAP *ld = NULL;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_floor LDAP_URL DOMAIN_DN CONFIG_DN\n");
		return 2;
	}
	if ((size_t)snprintf(pks, sizeof(pks), "CN=Public Key Services,CN=Services,%s",
			     argv[3]) >= sizeof(pks)) {
		fprintf(stderr, "bench_floor: CONFIG_DN too long\n");
		return 2;
	}
	bases[0] = "";
	bases[1] = argv[2];
	bases[2] = pks;
	rc = ldap_initialize(&ld, argv[1]);
	if (rc != LDAP_SUCCESS) {
		return fail(NULL, "ldap_initialize", rc);
	}
	rc = setup(ld);
	if (rc != LDAP_OPT_SUCCESS) {
		return fail(ld, "options", rc);
	}
	rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
					  no_interaction, NULL);
	if (rc != LDAP_SUCCESS) {
		return fail(ld, "SASL GSSAPI bind", rc);
	}
	/* the three requests leave together; then the answers are read */
	for (i = 0; i < NREQ; i++) {
		rc = ldap_search_ext(ld, bases[i], LDAP_SCOPE_BASE, "(objectClass=*)",
				     i == 0 ? dse : usn, 0, NULL, NULL, NULL, 0, &ids[i]);
		if (rc != LDAP_SUCCESS) {
				return fail(ld, "search", rc);
		}
	}
	while (done < NREQ) {
		LDAPMessage *m = NULL;
		struct timeval tv = { .tv_sec = 30 };

		rc = ldap_result(ld, LDAP_RES_ANY, LDAP_MSG_ONE, &tv, &m);
		if (rc <= 0) {
				return fail(ld, "result", rc == 0 ? LDAP_TIMEOUT : LDAP_OTHER);
		}
		if (rc == LDAP_RES_SEARCH_ENTRY) {
			entries++;
		} else if (rc == LDAP_RES_SEARCH_RESULT) {
			int err = LDAP_OTHER;

			ldap_parse_result(ld, m, &err, NULL, NULL, NULL, NULL, 0);
			if (err != LDAP_SUCCESS) {
				ldap_msgfree(m);
						return fail(ld, "search result", err);
			}
			done++;
		}
		ldap_msgfree(m);
	}
	printf("searches %d entries %d\n", NREQ, entries);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return 0;
}
