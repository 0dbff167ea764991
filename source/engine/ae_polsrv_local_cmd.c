/*
 * ae_polsrv_local_cmd.c: what `autoenroll policy-server` needs besides the
 * file itself: where it is, the checks of what an entry references, and
 * the listing.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ae_polsrv_local.h"
#include "ae_polsrv_private.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_json.h"
#include "ae_session.h"
#include "ae_smbconf.h"
#include "ae_x509.h"
#include "ae_xcep.h"

char *ae_polsrv_local_path(TALLOC_CTX *mem, const struct ae_session *s)
{
	const char *state_dir = s->conf != NULL ? ae_smbconf_or_null(s->conf->state_dir) : NULL;

	return talloc_asprintf(mem, "%s/autoenroll/%s", state_dir ? state_dir : "/var/lib/samba",
			       AE_POLSRV_LOCAL_FILE);
}

static ae_err check_credential(TALLOC_CTX *tmp, const struct ae_polsrv_local *e,
			       char *why, size_t why_len)
{
	char cause[256] = "";
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	if (e->credential_file == NULL) {
		if (e->auth == AE_XCEP_AUTH_PASSWORD || e->auth == AE_XCEP_AUTH_CERTIFICATE) {
			ae_why(why, why_len, "--auth %s needs --credential FILE",
			       ae_polsrv_auth_name(e->auth));
			return AE_ERR_INVALID;
		}
		return AE_OK;
	}
	if (e->auth == AE_XCEP_AUTH_KERBEROS) {
		ae_why(why, why_len, "--credential %s: Kerberos uses the machine account; a "
		       "credential file is for --auth password or certificate", e->credential_file);
		return AE_ERR_INVALID;
	}
	err = ae_polsrv_secret_read(tmp, e->credential_file, 0, &data, &len, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if (e->auth == AE_XCEP_AUTH_PASSWORD) {
		char *u = NULL, *p = NULL;
		err = ae_polsrv_password_parse(tmp, (const char *)data, len, &u, &p, cause,
					       sizeof(cause));
	} else {
		EVP_PKEY *k = NULL;
		X509 *x = NULL;
		STACK_OF(X509) *chain = NULL;
		err = ae_polsrv_cert_parse(tmp, data, len, &k, &x, &chain, cause, sizeof(cause));
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "--credential %s: %s", e->credential_file, cause);
		return AE_ERR_CREDENTIALS;
	}
	return AE_OK;
}

static ae_err check_ca_file(TALLOC_CTX *tmp, const char *path, char *why, size_t why_len)
{
	struct ae_cert_list *l = NULL;
	char cause[256] = "";
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	err = ae_file_read_at(tmp, AT_FDCWD, path, 1u << 20, AE_FILE_FOLLOW, &data, &len, cause,
			      sizeof(cause));
	if (err == AE_OK) {
		err = ae_cert_list_parse_pem(tmp, data, len, &l);
		if (err == AE_OK && l->count == 0) {
			err = AE_ERR_PARSE;
		}
		if (err != AE_OK) {
			snprintf(cause, sizeof(cause), "not PEM CA certificates");
		}
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "--ca-file %s: %s", path, cause[0] ? cause : ae_strerror(err));
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

ae_err ae_polsrv_local_check(const struct ae_polsrv_local *e, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char cause[256] = "";
	ae_err err = AE_OK;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (!ae_polsrv_url_valid(e->url, cause, sizeof(cause))) {
		ae_why(why, why_len, "URL %s: %s", e->url ? e->url : "(none)", cause);
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK && e->policy_id != NULL &&
	    (e->policy_id[0] == '\0' || strlen(e->policy_id) > AE_POLSRV_VALUE_MAX ||
	     strpbrk(e->policy_id, " \t\r\n") != NULL)) {
		ae_why(why, why_len, "--policy-id: empty, too long or with blanks");
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		err = check_credential(tmp, e, why, why_len);
	}
	if (err == AE_OK && e->ca_file != NULL) {
		err = check_ca_file(tmp, e->ca_file, why, why_len);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_polsrv_local_print(FILE *f, const struct ae_polsrv_localconf *c, bool json)
{
	size_t i;

	if (json) {
		fputs("{\"file\": ", f);
		ae_json_string(f, c->path);
		fputs(", \"servers\": [", f);
	} else {
		fprintf(f, "Local policy servers (%s): %zu\n", c->path, c->num_servers);
	}
	for (i = 0; i < c->num_servers; i++) {
		const struct ae_polsrv_local *e = &c->servers[i];
		if (!json) {
			fprintf(f, "  %s\n    policy ID %s, auth %s, cost %" PRIu32 "%s%s%s%s\n",
				e->url, e->policy_id, ae_polsrv_auth_name(e->auth), e->cost,
				e->credential_file ? ", credential " : "",
				e->credential_file ? e->credential_file : "",
				e->ca_file ? ", pinned CA " : "", e->ca_file ? e->ca_file : "");
			continue;
		}
		fputs(i ? ", {\"url\": " : "{\"url\": ", f);
		ae_json_string(f, e->url);
		fputs(", \"policy_id\": ", f);
		ae_json_string(f, e->policy_id);
		fputs(", \"auth\": ", f);
		ae_json_string(f, ae_polsrv_auth_name(e->auth));
		fprintf(f, ", \"cost\": %" PRIu32 ", \"credential\": ", e->cost);
		ae_json_string(f, e->credential_file);
		fputs(", \"ca_file\": ", f);
		ae_json_string(f, e->ca_file);
		fputc('}', f);
	}
	if (json) {
		fputs("]}\n", f);
	}
	return ferror(f) ? AE_ERR_IO : AE_OK;
}
