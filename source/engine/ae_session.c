#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <stdbool.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_session.h"
#include "ae_session_private.h"
#include "ae_config.h"
#include "ae_creds.h"
#include "ae_dclocate.h"
#include "ae_ldap.h"
#include "ae_log.h"
#include "ae_net_timeout.h"
#include "ae_smbconf_snap.h"

static char *lower(char *s)
{
	char *p;

	for (p = s; p != NULL && *p; p++) {
		*p = (char)tolower((unsigned char)*p);
	}
	return s;
}

/*
 * Is a KDC process alive on host? A TCP connect alone is not enough (the
 * kernel completes the handshake for a stopped process): send one framed
 * message (RFC 4120 section 7.2.2: a 4-byte length, then the message; here a
 * one-byte non-message) and wait for anything back, a KRB-ERROR or an
 * orderly close, within timeout_ms.
 */
static bool kdc_alive(const char *host, int timeout_ms)
{
	static const unsigned char probe[] = { 0, 0, 0, 1, 0 };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	bool alive = false;

	if (getaddrinfo(host, "88", &hints, &res) != 0) {
		return false;
	}
	for (ai = res; ai != NULL && !alive; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		struct timeval tv = { .tv_sec = timeout_ms / 1000,
				      .tv_usec = (timeout_ms % 1000) * 1000 };
		unsigned char b;
		if (fd < 0) {
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0 &&
		    connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    send(fd, probe, sizeof(probe), MSG_NOSIGNAL) == (ssize_t)sizeof(probe)) {
			ssize_t n = recv(fd, &b, 1, 0);
			/* data, or EOF from a live process; not a timeout or a reset */
			alive = n >= 0;
		}
		close(fd);
	}
	freeaddrinfo(res);
	return alive;
}

/*
 * The KDC of the realm could not be contacted. If a KDC process on the
 * domain controller answers (kdc_alive), the DC is up and no KDC serves the
 * realm smb.conf names: a wrong realm is a misconfiguration (exit 6), not
 * an unreachable server (exit 5). A stopped or hung DC does not answer.
 */
static ae_err classify_kdc_failure(struct ae_session *s)
{
	int64_t left = ae_net_left_ms();	/* never past the cycle's deadline */
	size_t n;

	if (s->dc == NULL || left == 0 || !kdc_alive(s->dc, left < 3000 ? (int)left : 3000)) {
		return AE_ERR_TRANSPORT;
	}
	n = strlen(s->error);
	snprintf(s->error + n, sizeof(s->error) - n, "; the KDC on the domain controller %s "
		 "answers, but none serves the realm %s: is 'realm' in smb.conf right?",
		 s->dc, s->conf->realm);
	return AE_ERR_CONFIG;
}

static bool from_cmdline(const char *const *options, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; options != NULL && options[i] != NULL; i++) {
		if (strncasecmp(options[i], name, n) == 0 && options[i][n] == '=') {
			return true;
		}
	}
	return false;
}

static ae_err open_config(struct ae_session *s, const struct ae_session_opts *o)
{
	const char *state_dir = NULL;
	size_t i;
	ae_err err;

	if (o->configfile != NULL && access(o->configfile, R_OK) != 0) {
		/* said here once (loadparm would log its own line as well) */
		snprintf(s->error, sizeof(s->error), "cannot read the configuration file %s: %s",
			 o->configfile, strerror(errno));
		return AE_ERR_CONFIG;
	}
	err = ae_smbconf_open(s, o->configfile, o->options, &s->conf, s->error,
			      sizeof(s->error));
	if (err != AE_OK) {
		return err;
	}
	state_dir = ae_smbconf_or_null(s->conf->state_dir);
	err = ae_config_load(s, s->conf, o->options, state_dir, &s->config, s->error,
			     sizeof(s->error));
	if (err != AE_OK) {
		return err;
	}
	for (i = 0; !o->quiet_unknown && i < s->config->num_unknown; i++) {
		const char *name = s->config->unknown[i];
		/* shown at the default level: a misspelt option must not pass unseen */
		AE_ERROR("warning: unknown option '%s' (%s%s) is ignored; `autoenroll config` "
			 "lists the known ones", name,
			 from_cmdline(o->options, name) ? "--option" : "smb.conf ",
			 from_cmdline(o->options, name) ? "" : s->conf->configfile);
	}
	return AE_OK;
}

static ae_err session_bind(struct ae_session *s);

ae_err ae_session_open(TALLOC_CTX *mem_ctx, const struct ae_session_opts *o,
		       struct ae_session **_s)
{
	struct ae_session *s = talloc_zero(mem_ctx, struct ae_session);
	const char *cache_dir = NULL;
	bool no_realm;
	ae_err err;

	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	*_s = s;
	s->ev = tevent_context_init(s);
	if (s->ev == NULL) {
		return AE_ERR_NOMEM;
	}
	err = open_config(s, o);
	if (err != AE_OK || o->config_only) {
		return err;
	}
	ae_net_timeout_set(s->config->network_timeout_s);	/* before any network step */
	ae_net_deadline_set(s->config->cycle_timeout_s);	/* the whole cycle's bound */
	no_realm = s->conf->realm[0] == '\0';
	s->workgroup = s->config->mode == AE_MODE_WORKGROUP ||
		       (s->config->mode == AE_MODE_AUTO && no_realm);
	if (no_realm && !s->workgroup) {
		snprintf(s->error, sizeof(s->error), "smb.conf %s has no realm: this host is not "
			 "configured as an Active Directory member", s->conf->configfile);
		return AE_ERR_CONFIG;
	}
	if (s->workgroup && o->user != NULL) {
		snprintf(s->error, sizeof(s->error), "the user context needs a domain member; this "
			 "host is a workgroup machine (%s)", no_realm ? "smb.conf has no realm" :
			 "autoenroll:mode = workgroup");
		return AE_ERR_CONFIG;
	}
	cache_dir = ae_smbconf_or_null(s->conf->cache_dir);
	s->store_dir = talloc_strdup(s, o->store_dir != NULL ? o->store_dir : s->config->store_dir);
	s->store_dir_default = o->store_dir == NULL &&
			       s->config->items[AE_OPT_STORE_DIR].source == AE_CONFIG_DEFAULT;
	s->run_dir = talloc_asprintf(s, "%s/autoenroll", cache_dir ? cache_dir : "/var/cache/samba");
	s->machine_fqdn = lower(no_realm ? talloc_strdup(s, s->conf->netbios_name) :
				talloc_asprintf(s, "%s.%s", s->conf->netbios_name,
						s->conf->dnsdomain));
	s->account = talloc_asprintf(s, "%s\\%s$", s->conf->workgroup, s->conf->netbios_name);
	s->context = AE_CONTEXT_MACHINE;
	s->sam_account_name = talloc_asprintf(s, "%s$", s->conf->netbios_name);
	s->gpo_cache_dir = talloc_asprintf(s, "%s/gpo", s->run_dir);
	if (s->store_dir == NULL || s->run_dir == NULL || s->machine_fqdn == NULL ||
	    s->account == NULL || s->sam_account_name == NULL || s->gpo_cache_dir == NULL) {
		return AE_ERR_NOMEM;
	}
	if (o->user != NULL) {
		/* from here on we are the user (when root started us) */
		err = ae_session_user_open(s, o);
		if (err != AE_OK) {
			return err;
		}
	}
	if (o->offline) {
		return AE_OK;
	}
	if (s->workgroup) {
		/* no DC, no Kerberos: the local policy servers (ae_polsrv.h) are the policy */
		AE_INFO("workgroup machine (%s): local policy servers only",
			no_realm ? "smb.conf has no realm" : "autoenroll:mode = workgroup");
		return AE_OK;
	}
	if (s->config->dc != NULL) {
		s->dc = talloc_strdup(s, s->config->dc);
		s->dc_how = "autoenroll:dc";
		err = s->dc != NULL ? AE_OK : AE_ERR_NOMEM;
	} else {
		err = ae_dc_locate(s, s->conf, &s->dc, &s->dc_how);
	}
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "cannot find a domain controller of %s",
			 s->conf->realm);
		return err;
	}
	AE_INFO("domain controller %s (found by %s)", s->dc, s->dc_how);
	err = o->user != NULL ? ae_session_user_creds(s, o) :
	      ae_creds_machine(s, s->ev, s->conf, o->ccache, s->run_dir, &s->creds,
			       s->error, sizeof(s->error));
	if (err == AE_ERR_TRANSPORT) {
		err = classify_kdc_failure(s);
	}
	if (err != AE_OK) {
		size_t n = strlen(s->error);
		snprintf(s->error + n, sizeof(s->error) - n, " (domain controller %s)", s->dc);
		return err;
	}
	/* libldap's GSSAPI bind and SMB use the same ticket */
	if (setenv("KRB5CCNAME", s->creds->ccache_name, 1) != 0) {
		return AE_ERR_NOMEM;
	}
	/*
	 * With the kept ticket no KDC was asked: the LDAP bind is the first
	 * network step, done here so that a DC that is down or hung fails the
	 * session before any store is touched, as the KDC exchange did.
	 */
	return s->creds->reused ? session_bind(s) : AE_OK;
}

const char *ae_session_configfile(const struct ae_session *s)
{
	return s->conf != NULL ? s->conf->configfile : NULL;
}

/*
 * The kept machine ticket was refused by the DC (the machine password was
 * rotated, the ticket revoked): once, a new TGT from secrets.tdb
 * (ae_creds_machine_renew) and the connection again.
 */
static ae_err ldap_connect_renewing(struct ae_session *s, enum ae_ldap_bind_failure *why)
{
	ae_err err = ae_ldap_connect_auth(s, s->dc, &s->ldap, why);

	if (err == AE_ERR_LDAP && *why == AE_LDAP_BIND_REFUSED && s->creds != NULL &&
	    s->creds->reused) {
		err = ae_creds_machine_renew(s->creds, s->conf, s->error, sizeof(s->error));
		if (err == AE_OK) {
			err = ae_ldap_connect(s, s->dc, &s->ldap);
		} else {
			AE_ERROR("%s", s->error);
		}
	}
	return err;
}

/* The sealed LDAP connection, bound; no search yet. */
static ae_err session_bind(struct ae_session *s)
{
	enum ae_ldap_bind_failure why = AE_LDAP_BIND_OTHER;
	ae_err err;

	if (s->ldap != NULL) {
		return AE_OK;
	}
	if (s->workgroup || s->dc == NULL) {
		snprintf(s->error, sizeof(s->error), "no directory: %s",
			 s->workgroup ? "this host is a workgroup machine (no domain, no LDAP)" :
			 "no domain controller");
		return AE_ERR_CONFIG;
	}
	err = ldap_connect_renewing(s, &why);
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "LDAP (sealed GSSAPI) to the domain controller "
			 "%s failed: %s", s->dc, why == AE_LDAP_BIND_UNREACHED ?
			 "cannot connect (unreachable, or no answer)" : ae_strerror(err));
		TALLOC_FREE(s->ldap);
	}
	return err;
}

ae_err ae_session_ldap(struct ae_session *s)
{
	ae_err err = session_bind(s);

	/* the rootDSE once; already set: the no-op memo's (ae_noop.c) */
	if (err == AE_OK && s->rootdse == NULL) {
		err = ae_ldap_rootdse(s->ldap, s, &s->rootdse);
		if (err != AE_OK) {
			snprintf(s->error, sizeof(s->error), "LDAP (sealed GSSAPI) to the domain "
				 "controller %s failed: cannot read the rootDSE: %s", s->dc,
				 ae_strerror(err));
			TALLOC_FREE(s->ldap);
		}
	}
	return err;
}
