#include <stdbool.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include <param.h>
#include "ae_dclocate.h"
#include "ae_creds.h"
#include "ae_log.h"

ae_err ae_srv_pick(TALLOC_CTX *mem_ctx, const unsigned char *answer, int len, char **_target)
{
	ns_msg msg;
	ns_rr rr;
	int i, count, best_prio = 65536, best_weight = -1;
	char best[NS_MAXDNAME] = "";

	if (len <= 0 || ns_initparse(answer, len, &msg) != 0) {
		return AE_ERR_PARSE;
	}
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		char name[NS_MAXDNAME];
		const unsigned char *rd;
		int prio, weight;

		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) {
			return AE_ERR_PARSE;
		}
		if (ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7) {
			continue;
		}
		rd = ns_rr_rdata(rr);
		prio = (rd[0] << 8) | rd[1];
		weight = (rd[2] << 8) | rd[3];
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, name, sizeof(name)) < 0) {
			return AE_ERR_PARSE;
		}
		if (name[0] == '\0' || strcmp(name, ".") == 0) {
			continue;	/* "service not available here" */
		}
		if (prio < best_prio || (prio == best_prio && weight > best_weight)) {
			best_prio = prio;
			best_weight = weight;
			strcpy(best, name);
		}
	}
	if (best[0] == '\0') {
		return AE_ERR_NOT_FOUND;
	}
	*_target = talloc_strdup(mem_ctx, best);
	return *_target ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_dc_locate(TALLOC_CTX *mem_ctx, struct loadparm_context *lp, char **_dc,
		    const char **_how)
{
	const char *opt = lpcfg_parm_string(lp, NULL, "autoenroll", "dc");
	const char *realm = lpcfg_realm(lp);
	const char *pw = ae_lp_string(lp, "password server");
	unsigned char answer[4096];
	char *q = NULL, *dc = NULL;
	int n;

	if (opt != NULL && opt[0] != '\0') {
		*_dc = talloc_strdup(mem_ctx, opt);
		*_how = "autoenroll:dc";
		return *_dc ? AE_OK : AE_ERR_NOMEM;
	}
	if (realm == NULL || realm[0] == '\0') {
		AE_ERROR("no realm in smb.conf: is this host an AD domain member?");
		return AE_ERR_CONFIG;
	}
	q = talloc_asprintf(mem_ctx, "_ldap._tcp.dc._msdcs.%s", realm);
	if (q == NULL) {
		return AE_ERR_NOMEM;
	}
	n = res_query(q, ns_c_in, ns_t_srv, answer, sizeof(answer));
	if (n > 0 && ae_srv_pick(mem_ctx, answer, n, &dc) == AE_OK) {
		talloc_free(q);
		*_dc = talloc_strdup(mem_ctx, dc);
		*_how = "DNS SRV";
		return AE_OK;
	}
	AE_INFO("DNS SRV lookup of %s found no DC", q);
	talloc_free(q);
	if (pw != NULL && pw[0] != '\0' && strcmp(pw, "*") != 0 && strchr(pw, ' ') == NULL &&
	    strchr(pw, ',') == NULL) {
		*_dc = talloc_strdup(mem_ctx, pw);
		*_how = "password server";
		return *_dc ? AE_OK : AE_ERR_NOMEM;
	}
	*_dc = talloc_strdup(mem_ctx, realm);
	*_how = "realm";
	return *_dc ? AE_OK : AE_ERR_NOMEM;
}
