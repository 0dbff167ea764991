#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <stdbool.h>
#include <talloc.h>
#include <tevent.h>
#include <param.h>
#include "ae_session.h"
#include "ae_creds.h"
#include "ae_dclocate.h"
#include "ae_ldap.h"
#include "ae_log.h"

static char *lower(char *s)
{
	char *p;

	for (p = s; p != NULL && *p; p++) {
		*p = (char)tolower((unsigned char)*p);
	}
	return s;
}

ae_err ae_session_open(TALLOC_CTX *mem_ctx, const struct ae_session_opts *o,
		       struct ae_session **_s)
{
	struct ae_session *s = talloc_zero(mem_ctx, struct ae_session);
	const char *state_dir = NULL, *cache_dir = NULL, *opt = NULL;
	ae_err err;

	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	*_s = s;
	s->ev = tevent_context_init(s);
	if (s->ev == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_loadparm(s, o->configfile, o->options, &s->lp);
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "cannot load the configuration %s",
			 o->configfile ? o->configfile : "(Samba's default smb.conf)");
		return err;
	}
	if (lpcfg_realm(s->lp) == NULL || lpcfg_realm(s->lp)[0] == '\0') {
		snprintf(s->error, sizeof(s->error), "smb.conf %s has no realm: this host is not "
			 "configured as an Active Directory member", lpcfg_configfile(s->lp));
		return AE_ERR_CONFIG;
	}
	state_dir = ae_lp_string(s->lp, "state directory");
	cache_dir = ae_lp_string(s->lp, "cache directory");
	opt = lpcfg_parm_string(s->lp, NULL, "autoenroll", "store dir");
	if (o->store_dir != NULL) {
		s->store_dir = talloc_strdup(s, o->store_dir);
	} else if (opt != NULL && opt[0] != '\0') {
		s->store_dir = talloc_strdup(s, opt);
	} else {
		s->store_dir = talloc_asprintf(s, "%s/autoenroll/machine",
					       state_dir ? state_dir : "/var/lib/samba");
		s->store_dir_default = true;
	}
	s->run_dir = talloc_asprintf(s, "%s/autoenroll", cache_dir ? cache_dir : "/var/cache/samba");
	s->machine_fqdn = lower(talloc_asprintf(s, "%s.%s", lpcfg_netbios_name(s->lp),
						lpcfg_dnsdomain(s->lp)));
	s->account = talloc_asprintf(s, "%s\\%s$", ae_lp_string(s->lp, "workgroup"),
				     lpcfg_netbios_name(s->lp));
	if (s->store_dir == NULL || s->run_dir == NULL || s->machine_fqdn == NULL ||
	    s->account == NULL) {
		return AE_ERR_NOMEM;
	}
	if (o->offline) {
		return AE_OK;
	}
	err = ae_dc_locate(s, s->lp, &s->dc, &s->dc_how);
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "cannot find a domain controller of %s",
			 lpcfg_realm(s->lp));
		return err;
	}
	AE_INFO("domain controller %s (found by %s)", s->dc, s->dc_how);
	err = ae_creds_machine(s, s->ev, s->lp, o->ccache, s->run_dir, &s->creds,
			       s->error, sizeof(s->error));
	if (err != AE_OK) {
		size_t n = strlen(s->error);
		snprintf(s->error + n, sizeof(s->error) - n, " (domain controller %s)", s->dc);
		return err;
	}
	/* libldap's GSSAPI bind and SMB use the same ticket */
	if (setenv("KRB5CCNAME", s->creds->ccache_name, 1) != 0) {
		return AE_ERR_NOMEM;
	}
	return AE_OK;
}

ae_err ae_session_ldap(struct ae_session *s)
{
	ae_err err;

	if (s->ldap != NULL) {
		return AE_OK;
	}
	err = ae_ldap_connect(s, s->dc, &s->ldap);
	if (err == AE_OK) {
		err = ae_ldap_rootdse(s->ldap, s, &s->rootdse);
	}
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "LDAP (sealed GSSAPI) to the domain controller "
			 "%s failed: %s", s->dc, ae_strerror(err));
		TALLOC_FREE(s->ldap);
	}
	return err;
}
