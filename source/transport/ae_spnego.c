/*
 * ae_spnego.c: SPNEGO/Kerberos initiator for HTTP Negotiate (see
 * ae_spnego.h). MIT GSSAPI, the one GSSAPI in the process (Debian's Samba
 * is built on MIT krb5 too).
 */
#include <string.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include "ae_spnego.h"
#include "ae_log.h"

/* RFC 4178 §3: 1.3.6.1.5.5.2 */
static gss_OID_desc g_spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
static gss_OID_set_desc g_spnego_set = { 1, &g_spnego_oid };
/* RFC 1964 §1: 1.2.840.113554.1.2.2 */
static gss_OID_desc g_krb5_oid = { 9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" };
static gss_OID_set_desc g_krb5_set = { 1, &g_krb5_oid };

struct ae_spnego {
	gss_cred_id_t cred;
	gss_name_t target;
	gss_ctx_id_t ctx;
	char *target_str;
	char *principal;
	bool complete;
	bool mutual;
};

static int spnego_destructor(struct ae_spnego *s)
{
	OM_uint32 min;

	if (s->ctx != GSS_C_NO_CONTEXT) {
		gss_delete_sec_context(&min, &s->ctx, GSS_C_NO_BUFFER);
	}
	if (s->cred != GSS_C_NO_CREDENTIAL) {
		gss_release_cred(&min, &s->cred);
	}
	if (s->target != GSS_C_NO_NAME) {
		gss_release_name(&min, &s->target);
	}
	return 0;
}

/* GSS's messages for one status of one type, appended to why ("; " between) */
static void spnego_append(char *why, size_t why_len, size_t base, OM_uint32 code, int type,
			  gss_OID mech)
{
	OM_uint32 min;
	OM_uint32 ctx = 0;
	gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
	size_t used;
	int n = 0;

	do {
		if (GSS_ERROR(gss_display_status(&min, code, type, mech, &ctx, &msg))) {
			break;
		}
		used = strnlen(why, why_len);
		if (msg.length > 0 && used + 3 < why_len) {
			snprintf(why + used, why_len - used, "%s%.*s", used > base ? "; " : "",
				 (int)msg.length, (const char *)msg.value);
		}
		gss_release_buffer(&min, &msg);
	} while (ctx != 0 && ++n < 4);
}

/* ": <GSS's messages>" appended to why (already naming what failed) */
static void spnego_status(char *why, size_t why_len, OM_uint32 maj, OM_uint32 min, gss_OID mech)
{
	size_t used;

	if (why == NULL || why_len == 0) {
		return;
	}
	used = strnlen(why, why_len);
	if (used + 2 < why_len) {
		snprintf(why + used, why_len - used, ": ");
		used += 2;
	}
	/* the mechanism's minor message (e.g. "Ticket expired") says the most */
	if (min != 0) {
		spnego_append(why, why_len, used, min, GSS_C_MECH_CODE, mech);
	}
	spnego_append(why, why_len, used, maj, GSS_C_GSS_CODE, GSS_C_NO_OID);
}

/*
 * SPNEGO's acquisition failure says only "cannot find mechanisms"; the
 * Kerberos mechanism's own says why (no ccache, no TGT): ask it for the message.
 */
static void spnego_cred_why(const char *ccache, char *why, size_t why_len)
{
	gss_key_value_element_desc el = { "ccache", ccache };
	gss_key_value_set_desc store = { 1, &el };
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	OM_uint32 maj;
	OM_uint32 min = 0;

	ae_why(why, why_len, "no Kerberos credentials in %s",
	       ccache != NULL ? ccache : "the default ccache");
	maj = gss_acquire_cred_from(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &g_krb5_set,
				    GSS_C_INITIATE, ccache != NULL ? &store : NULL, &cred, NULL,
				    NULL);
	if (GSS_ERROR(maj)) {
		spnego_status(why, why_len, maj, min, &g_krb5_oid);
	} else {
		gss_release_cred(&min, &cred);
	}
}

static ae_err spnego_cred(struct ae_spnego *s, const char *ccache, char *why, size_t why_len)
{
	OM_uint32 maj;
	OM_uint32 min = 0;
	gss_key_value_element_desc el = { "ccache", ccache };
	gss_key_value_set_desc store = { 1, &el };
	gss_name_t name = GSS_C_NO_NAME;
	gss_buffer_desc text = GSS_C_EMPTY_BUFFER;

	if (ccache != NULL) {
		maj = gss_acquire_cred_from(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &g_spnego_set,
					    GSS_C_INITIATE, &store, &s->cred, NULL, NULL);
	} else {
		maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &g_spnego_set,
				       GSS_C_INITIATE, &s->cred, NULL, NULL);
	}
	if (GSS_ERROR(maj)) {
		spnego_cred_why(ccache, why, why_len);
		return AE_ERR_CREDENTIALS;
	}
	/* SPNEGO offers Kerberos only (no NTLM fallback, should a mech exist) */
	maj = gss_set_neg_mechs(&min, s->cred, &g_krb5_set);
	if (GSS_ERROR(maj)) {
		ae_why(why, why_len, "SPNEGO cannot be limited to Kerberos");
		spnego_status(why, why_len, maj, min, GSS_C_NO_OID);
		return AE_ERR_CREDENTIALS;
	}
	maj = gss_inquire_cred(&min, s->cred, &name, NULL, NULL, NULL);
	if (!GSS_ERROR(maj) && !GSS_ERROR(gss_display_name(&min, name, &text, NULL))) {
		s->principal = talloc_strndup(s, text.value, text.length);
		gss_release_buffer(&min, &text);
	}
	if (name != GSS_C_NO_NAME) {
		gss_release_name(&min, &name);
	}
	if (s->principal == NULL) {
		s->principal = talloc_strdup(s, "(unknown principal)");
	}
	return s->principal == NULL ? AE_ERR_NOMEM : AE_OK;
}

ae_err ae_spnego_new(TALLOC_CTX *mem, const char *ccache, const char *host,
		     struct ae_spnego **_s, char *why, size_t why_len)
{
	struct ae_spnego *s = talloc_zero(mem, struct ae_spnego);
	gss_buffer_desc buf;
	OM_uint32 maj;
	OM_uint32 min = 0;
	ae_err err;

	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(s, spnego_destructor);
	s->target_str = talloc_asprintf(s, "HTTP@%s", host);
	if (s->target_str == NULL) {
		talloc_free(s);
		return AE_ERR_NOMEM;
	}
	buf.value = s->target_str;
	buf.length = strlen(s->target_str);
	maj = gss_import_name(&min, &buf, GSS_C_NT_HOSTBASED_SERVICE, &s->target);
	if (GSS_ERROR(maj)) {
		ae_why(why, why_len, "bad target name %s", s->target_str);
		spnego_status(why, why_len, maj, min, GSS_C_NO_OID);
		talloc_free(s);
		return AE_ERR_CREDENTIALS;
	}
	err = spnego_cred(s, ccache, why, why_len);
	if (err != AE_OK) {
		talloc_free(s);
		return err;
	}
	*_s = s;
	return AE_OK;
}

ae_err ae_spnego_step(struct ae_spnego *s, const uint8_t *cb, size_t cb_len,
		      const uint8_t *in, size_t in_len, TALLOC_CTX *mem,
		      uint8_t **_out, size_t *_out_len, char *why, size_t why_len)
{
	struct gss_channel_bindings_struct bindings;
	gss_buffer_desc in_buf = { in_len, (void *)in };
	gss_buffer_desc out_buf = GSS_C_EMPTY_BUFFER;
	OM_uint32 maj;
	OM_uint32 min = 0;
	OM_uint32 flags = 0;
	uint8_t *out = NULL;

	if (s->complete) {
		ae_why(why, why_len, "%s: a token after the authentication was complete",
		       s->target_str);
		return AE_ERR_CREDENTIALS;
	}
	memset(&bindings, 0, sizeof(bindings));	/* addresses GSS_C_AF_UNSPEC, empty */
	bindings.application_data.value = (void *)cb;
	bindings.application_data.length = cb_len;
	maj = gss_init_sec_context(&min, s->cred, &s->ctx, s->target, &g_spnego_oid,
				   GSS_C_MUTUAL_FLAG, GSS_C_INDEFINITE,
				   cb != NULL ? &bindings : GSS_C_NO_CHANNEL_BINDINGS,
				   in != NULL ? &in_buf : GSS_C_NO_BUFFER, NULL, &out_buf,
				   &flags, NULL);
	if (GSS_ERROR(maj)) {
		gss_release_buffer(&min, &out_buf);
		ae_why(why, why_len, "Kerberos to %s as %s", s->target_str, s->principal);
		spnego_status(why, why_len, maj, min, GSS_C_NO_OID);
		return AE_ERR_CREDENTIALS;
	}
	if (out_buf.length > 0) {
		out = talloc_memdup(mem, out_buf.value, out_buf.length);
		if (out == NULL) {
			gss_release_buffer(&min, &out_buf);
			return AE_ERR_NOMEM;
		}
	}
	*_out = out;
	*_out_len = out_buf.length;
	gss_release_buffer(&min, &out_buf);
	if (maj == GSS_S_COMPLETE) {
		s->complete = true;
		s->mutual = (flags & GSS_C_MUTUAL_FLAG) != 0;
	}
	return AE_OK;
}

bool ae_spnego_complete(const struct ae_spnego *s)
{
	return s->complete;
}

bool ae_spnego_mutual(const struct ae_spnego *s)
{
	return s->complete && s->mutual;
}

const char *ae_spnego_principal(const struct ae_spnego *s)
{
	return s->principal;
}

const char *ae_spnego_target(const struct ae_spnego *s)
{
	return s->target_str;
}
