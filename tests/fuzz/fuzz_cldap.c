/*
 * Fuzz target: the LDAP ping's reply datagram (ae_cldap_parse_reply) and,
 * on the same bytes, the Netlogon value alone (ae_netlogon_parse). On
 * success every name must be a NUL-terminated string within its cap.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_cldap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct ae_netlogon *nl)
{
	const char *names[] = { nl->forest, nl->domain, nl->dc_host, nl->netbios_domain,
				nl->netbios_host, nl->user, nl->dc_site, nl->client_site };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i] == NULL || strlen(names[i]) > AE_NETLOGON_NAME_MAX) {
			abort();
		}
	}
	if (nl->next_closest_site != NULL &&
	    strlen(nl->next_closest_site) > AE_NETLOGON_NAME_MAX) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_cldap_reply *r = NULL;
	struct ae_netlogon *nl = NULL;

	if (ae_cldap_parse_reply(mem, data, size, &r) == AE_OK && r->netlogon != NULL) {
		check(r->netlogon);
	}
	if (ae_netlogon_parse(mem, data, size, &nl) == AE_OK) {
		check(nl);
	}
	talloc_free(mem);
	return 0;
}
