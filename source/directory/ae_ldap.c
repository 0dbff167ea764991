#include <arpa/inet.h>
#include <dlfcn.h>
#include <string.h>
#include <sys/time.h>
#include <ldap.h>
#include <lber.h>
#include "ae_log.h"
#include "ae_net_timeout.h"
#include "ae_ldap.h"
#include "ae_ldap_private.h"

static int conn_destructor(struct ae_ldap *c)
{
	if (c->ld != NULL) {
		ldap_unbind_ext_s(c->ld, NULL, NULL);
		c->ld = NULL;
	}
	return 0;
}

/* "<what> on <server>: <ldap_err2string> (<rc>)[: <diagnostic message>]" */
static void log_ldap_error(LDAP *ld, const char *server, const char *what, int rc)
{
	char *diag = NULL;

	if (ld != NULL) {
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	}
	AE_ERROR("LDAP %s on %s failed: %s (%d)%s%s", what, server, ldap_err2string(rc), rc,
		 diag != NULL && diag[0] != '\0' ? ": " : "",
		 diag != NULL ? diag : "");
	ldap_memfree(diag);
}

/*
 * Cyrus asks for an authorization id (SASL_CB_USER) during GSSAPI; leaving
 * every prompt unanswered means "none", i.e. act as the ticket's principal.
 * This keeps us free of <sasl/sasl.h> (libsasl2-dev).
 */
static int sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *interact)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	(void)interact;
	return LDAP_SUCCESS;
}

/*
 * Only Cyrus SASL's GSSAPI mechanism is loaded. Cyrus loads and initialises
 * every plugin of its plugin directory at sasl_client_init (CRAM-MD5,
 * DIGEST-MD5, NTLM, SCRAM, sasldb, ...); its documented SASL_CB_VERIFYFILE
 * callback is asked for each file first and SASL_CONTINUE skips it. We
 * initialise the client library once with that callback before libldap
 * does (libldap's own sasl_client_init(NULL) then only counts a reference).
 * The names are Cyrus SASL 2's public ABI (sasl.h: sasl_callback_t,
 * SASL_CB_VERIFYFILE 4, SASL_VRFY_PLUGIN 0, SASL_OK 0, SASL_CONTINUE 1),
 * looked up in the libsasl2 libldap loaded, as libsasl2-dev is not a
 * build dependency.
 */
struct ae_sasl_callback {
	unsigned long id;
	int (*proc)(void);
	void *context;
};

static int sasl_verifyfile(void *context, const char *file, int type)
{
	const char *base = file != NULL ? strrchr(file, '/') : NULL;

	(void)context;
	if (type != 0 /* SASL_VRFY_PLUGIN */) {
		return 0;	/* SASL_OK: configuration files as usual */
	}
	base = base != NULL ? base + 1 : file;
	return base != NULL && strncmp(base, "libgssapiv2.", 12) == 0 ? 0 : 1 /* SASL_CONTINUE */;
}

void ae_ldap_sasl_gssapi_only(void)
{
	static bool done;
	static struct ae_sasl_callback callbacks[2];
	int (*client_init)(const struct ae_sasl_callback *);

	if (done) {
		return;
	}
	done = true;
	*(void **)&client_init = dlsym(RTLD_DEFAULT, "sasl_client_init");
	if (client_init == NULL) {
		return;
	}
	callbacks[0].id = 4;	/* SASL_CB_VERIFYFILE */
	callbacks[0].proc = (int (*)(void))(void (*)(void))sasl_verifyfile;
	callbacks[1].id = 0;	/* SASL_CB_LIST_END */
	if (client_init(callbacks) != 0) {
		AE_DEBUG("LDAP: Cyrus SASL's client initialisation with GSSAPI only failed");
	}
}

bool ae_ldap_host_valid(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	size_t len;
	size_t label = 0;
	bool all_digits_label = true;
	size_t i;

	if (host == NULL) {
		return false;
	}
	len = strlen(host);
	if (len == 0 || len > AE_LDAP_HOST_MAX) {
		return false;
	}
	if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1) {
		return false;
	}
	for (i = 0; i < len; i++) {
		char c = host[i];

		if (c == '.') {
			if (label == 0 || host[i - 1] == '-') {
				return false;
			}
			label = 0;
			all_digits_label = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-')) {
			return false;
		}
		if (c == '-' && label == 0) {
			return false;
		}
		if (c < '0' || c > '9') {
			all_digits_label = false;
		}
		if (++label > 63) {
			return false;
		}
	}
	/* A trailing dot is fine; a numeric last label is an address, not a name. */
	if (label != 0 && (host[len - 1] == '-' || all_digits_label)) {
		return false;
	}
	return true;
}

static ae_err set_options(LDAP *ld, const char *server, const char *secprops)
{
	/* ae_net_timeout.h: the connect, and every request (the bind too) */
	struct timeval net = { .tv_sec = (time_t)ae_net_timeout() };
	struct timeval op = { .tv_sec = (time_t)ae_net_timeout() };
	int version = LDAP_VERSION3;
	int rc;

	rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	if (rc == LDAP_OPT_SUCCESS) {
		rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	}
	if (rc == LDAP_OPT_SUCCESS) {
		rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net);
	}
	if (rc == LDAP_OPT_SUCCESS) {
		rc = ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op);
	}
	if (rc == LDAP_OPT_SUCCESS) {
		/* Use the name we were given for ldap/<name>, never reverse DNS. */
		rc = ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
	}
	if (rc == LDAP_OPT_SUCCESS) {
		rc = ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, secprops);
	}
	if (rc != LDAP_OPT_SUCCESS) {
		log_ldap_error(ld, server, "option setup", rc);
		return AE_ERR_LDAP;
	}
	return AE_OK;
}

static void bind_timeout(LDAP *ld, long seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	(void)ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
}

/* a bind that failed without a connection: the network, not the ticket */
static bool bind_unreached(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR;
}

static ae_err connect_bind(TALLOC_CTX *mem_ctx, const char *dc_fqdn, const char *secprops,
			   struct ae_ldap **_conn, enum ae_ldap_bind_failure *_why);

ae_err ae_ldap_connect_secprops(TALLOC_CTX *mem_ctx, const char *dc_fqdn,
				const char *secprops, struct ae_ldap **_conn)
{
	return connect_bind(mem_ctx, dc_fqdn, secprops, _conn, NULL);
}

ae_err ae_ldap_connect_auth(TALLOC_CTX *mem_ctx, const char *dc_fqdn, struct ae_ldap **_conn,
			    enum ae_ldap_bind_failure *_why)
{
	return connect_bind(mem_ctx, dc_fqdn, AE_LDAP_SECPROPS, _conn, _why);
}

static ae_err connect_bind(TALLOC_CTX *mem_ctx, const char *dc_fqdn, const char *secprops,
			   struct ae_ldap **_conn, enum ae_ldap_bind_failure *_why)
{
	struct ae_ldap *c = NULL;
	char *url = NULL;
	ber_len_t ssf = 0;
	int rc;
	ae_err err;

	if (_why != NULL) {
		*_why = AE_LDAP_BIND_OTHER;
	}
	if (_conn == NULL || secprops == NULL) {
		return AE_ERR_INVALID;
	}
	if (!ae_ldap_host_valid(dc_fqdn)) {
		AE_ERROR("LDAP: '%s' is not a DC host name (GSSAPI needs the name, not an address)",
			 dc_fqdn != NULL ? dc_fqdn : "(null)");
		return AE_ERR_INVALID;
	}
	c = talloc_zero(NULL, struct ae_ldap);
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(c, conn_destructor);
	c->server = talloc_strdup(c, dc_fqdn);
	url = talloc_asprintf(c, "ldap://%s", dc_fqdn);
	if (c->server == NULL || url == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	if (ae_net_deadline_passed()) {
		AE_ERROR("LDAP SASL GSSAPI bind on %s: %s", c->server, ae_net_cycle_over());
		if (_why != NULL) {
			*_why = AE_LDAP_BIND_UNREACHED;
		}
		talloc_free(c);
		return AE_ERR_LDAP;
	}
	/* the name lookups libldap and Cyrus SASL make on the way: bounded by the time left */
	ae_net_timeout_resolver();
	ae_ldap_sasl_gssapi_only();
	rc = ldap_initialize(&c->ld, url);
	if (rc != LDAP_SUCCESS) {
		log_ldap_error(NULL, c->server, "initialize", rc);
		talloc_free(c);
		return AE_ERR_LDAP;
	}
	err = set_options(c->ld, c->server, secprops);
	if (err != AE_OK) {
		talloc_free(c);
		return err;
	}
	ldap_set_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, NULL);
	bind_timeout(c->ld, AE_LDAP_BIND_TIMEOUT_S);
	rc = ldap_sasl_interactive_bind_s(c->ld, NULL, "GSSAPI", NULL, NULL,
					  LDAP_SASL_QUIET, sasl_interact, NULL);
	bind_timeout(c->ld, AE_LDAP_OP_TIMEOUT_S);
	if (rc == LDAP_TIMEOUT || rc == LDAP_TIMELIMIT_EXCEEDED) {
		AE_ERROR("LDAP SASL GSSAPI bind on %s: %s", c->server, ae_net_no_answer());
		if (_why != NULL) {
			*_why = AE_LDAP_BIND_UNREACHED;
		}
		talloc_free(c);
		return AE_ERR_LDAP;
	}
	if (rc != LDAP_SUCCESS) {
		log_ldap_error(c->ld, c->server, "SASL GSSAPI bind", rc);
		if (_why != NULL) {
			*_why = bind_unreached(rc) ? AE_LDAP_BIND_UNREACHED : AE_LDAP_BIND_REFUSED;
		}
		talloc_free(c);
		return AE_ERR_LDAP;
	}
	rc = ldap_get_option(c->ld, LDAP_OPT_X_SASL_SSF, &ssf);
	if (rc != LDAP_OPT_SUCCESS || ssf < AE_LDAP_MIN_SSF) {
		AE_ERROR("LDAP bind on %s: security strength factor %lu, at least %d (sealing) "
			 "required; refusing the connection", c->server,
			 (unsigned long)ssf, AE_LDAP_MIN_SSF);
		talloc_free(c);
		return AE_ERR_LDAP;
	}
	c->ssf = (unsigned)ssf;
	AE_DEBUG("LDAP: bound to %s with GSSAPI, SSF %u", c->server, c->ssf);
	talloc_free(url);
	*_conn = talloc_steal(mem_ctx, c);
	return AE_OK;
}

ae_err ae_ldap_connect(TALLOC_CTX *mem_ctx, const char *dc_fqdn, struct ae_ldap **_conn)
{
	return ae_ldap_connect_secprops(mem_ctx, dc_fqdn, AE_LDAP_SECPROPS, _conn);
}

const char *ae_ldap_server(const struct ae_ldap *conn)
{
	return conn->server;
}

unsigned ae_ldap_ssf(const struct ae_ldap *conn)
{
	return conn->ssf;
}

unsigned ae_ldap_search_count(const struct ae_ldap *conn)
{
	return conn->searches;
}

char *ae_ldap_escape_filter_value(TALLOC_CTX *mem_ctx, const char *value)
{
	static const char hex[] = "0123456789abcdef";
	size_t len;
	char *out = NULL;
	size_t o = 0;
	size_t i;

	if (value == NULL) {
		return NULL;
	}
	len = strlen(value);
	out = talloc_array(mem_ctx, char, 3 * len + 1);
	if (out == NULL) {
		return NULL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '*' || c == '(' || c == ')' || c == '\\') {
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

ae_err ae_ldap_rootdse(struct ae_ldap *conn, TALLOC_CTX *mem_ctx, struct ae_rootdse **_r)
{
	static const char *const attrs[] = {
		"configurationNamingContext", "rootDomainNamingContext",
		"defaultNamingContext", "dnsHostName", NULL
	};
	char **fields[] = { NULL, NULL, NULL, NULL };
	struct ae_ldap_entry **entries = NULL;
	struct ae_rootdse *r = NULL;
	size_t num = 0;
	size_t i;
	ae_err err;

	if (conn == NULL || _r == NULL) {
		return AE_ERR_INVALID;
	}
	r = talloc_zero(NULL, struct ae_rootdse);
	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	fields[0] = &r->configuration_nc;
	fields[1] = &r->root_domain_nc;
	fields[2] = &r->default_nc;
	fields[3] = &r->dns_host_name;
	err = ae_ldap_search(conn, r, "", AE_LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
			     &entries, &num);
	if (err != AE_OK || num != 1) {
		AE_ERROR("LDAP: cannot read the rootDSE of %s", conn->server);
		talloc_free(r);
		return err != AE_OK ? err : AE_ERR_LDAP;
	}
	for (i = 0; i < 4; i++) {
		const struct ae_ldap_attr *a = ae_entry_attr(entries[0], attrs[i]);

		if (a == NULL || a->num_values != 1 || a->values[0].len == 0 ||
		    memchr(a->values[0].data, '\0', a->values[0].len) != NULL) {
			continue;
		}
		*fields[i] = talloc_strndup(r, (const char *)a->values[0].data, a->values[0].len);
		if (*fields[i] == NULL) {
			talloc_free(r);
			return AE_ERR_NOMEM;
		}
	}
	talloc_free(entries);
	if (r->configuration_nc == NULL || r->dns_host_name == NULL) {
		AE_ERROR("LDAP: the rootDSE of %s lacks configurationNamingContext or dnsHostName",
			 conn->server);
		talloc_free(r);
		return AE_ERR_LDAP;
	}
	*_r = talloc_steal(mem_ctx, r);
	return AE_OK;
}
