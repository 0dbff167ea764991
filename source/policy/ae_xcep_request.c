/*
 * ae_xcep_request.c: the GetPolicies request ([MS-XCEP] 3.1.4.1.1.1, types
 * Client 3.1.4.1.3.9 and RequestFilter 3.1.4.1.3.24) in a SOAP 1.2
 * envelope with WS-Addressing 1.0 headers ([MS-XCEP] 2.1), built with
 * libxml2's tree API so every text is escaped by the serializer.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libxml/tree.h>
#include <openssl/rand.h>
#include "ae_soap.h"
#include "ae_xcep.h"

#define WSA_ANONYMOUS "http://www.w3.org/2005/08/addressing/anonymous"

static bool add_text(xmlNode *parent, xmlNs *ns, const char *name, const char *text,
		     xmlNode **out)
{
	xmlNode *n = xmlNewChild(parent, ns, (const xmlChar *)name, NULL);

	if (n == NULL) {
		return false;
	}
	if (text != NULL) {
		xmlNode *t = xmlNewText((const xmlChar *)text);

		if (t == NULL || xmlAddChild(n, t) == NULL) {
			xmlFreeNode(t);
			return false;
		}
	}
	if (out != NULL) {
		*out = n;
	}
	return true;
}

static bool add_nil(xmlNode *parent, xmlNs *ns, xmlNs *xsi, const char *name)
{
	xmlNode *n = NULL;

	return add_text(parent, ns, name, NULL, &n) &&
	       xmlNewNsProp(n, xsi, (const xmlChar *)"nil", (const xmlChar *)"true") != NULL;
}

static bool message_id(char *buf, size_t len)
{
	uint8_t u[16];

	if (RAND_bytes(u, sizeof(u)) != 1) {
		return false;
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);	/* RFC 4122 §4.4: version 4 */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	snprintf(buf, len, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return true;
}

static bool header(xmlNode *env, xmlNs *s, const char *to)
{
	xmlNs *a = xmlNewNs(env, (const xmlChar *)AE_WSA_NS, (const xmlChar *)"a");
	xmlNode *h = NULL, *action = NULL, *reply = NULL, *ton = NULL;
	char id[64];

	return a != NULL && message_id(id, sizeof(id)) &&
	       add_text(env, s, "Header", NULL, &h) &&
	       add_text(h, a, "Action", AE_XCEP_ACTION_GET_POLICIES, &action) &&
	       xmlNewNsProp(action, s, (const xmlChar *)"mustUnderstand",
			    (const xmlChar *)"1") != NULL &&
	       add_text(h, a, "MessageID", id, NULL) &&
	       add_text(h, a, "ReplyTo", NULL, &reply) &&
	       add_text(reply, a, "Address", WSA_ANONYMOUS, NULL) &&
	       add_text(h, a, "To", to, &ton) &&
	       xmlNewNsProp(ton, s, (const xmlChar *)"mustUnderstand",
			    (const xmlChar *)"1") != NULL;
}

static bool body(xmlNode *env, xmlNs *s, uint32_t client_version, uint32_t server_version,
		 int64_t last_update)
{
	xmlNode *b = NULL, *gp = NULL, *client = NULL, *filter = NULL;
	xmlNs *xsi, *x;
	char cv[16], sv[16], when[32];
	time_t t = (time_t)last_update;
	struct tm tm;

	snprintf(cv, sizeof(cv), "%u", client_version);
	snprintf(sv, sizeof(sv), "%u", server_version);
	if (last_update > 0 && (gmtime_r(&t, &tm) == NULL ||
				strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)) {
		return false;
	}
	if (!add_text(env, s, "Body", NULL, &b)) {
		return false;
	}
	xsi = xmlNewNs(b, (const xmlChar *)AE_XML_NS_XSI, (const xmlChar *)"xsi");
	if (xsi == NULL || !add_text(b, NULL, "GetPolicies", NULL, &gp)) {
		return false;
	}
	x = xmlNewNs(gp, (const xmlChar *)AE_XCEP_NS, NULL);
	if (x == NULL) {
		return false;
	}
	xmlSetNs(gp, x);
	return add_text(gp, x, "client", NULL, &client) &&
	       (last_update > 0 ? add_text(client, x, "lastUpdate", when, NULL)
				: add_nil(client, x, xsi, "lastUpdate")) &&
	       add_nil(client, x, xsi, "preferredLanguage") &&
	       add_text(gp, x, "requestFilter", NULL, &filter) &&
	       add_nil(filter, x, xsi, "policyOIDs") &&
	       add_text(filter, x, "clientVersion", cv, NULL) &&
	       add_text(filter, x, "serverVersion", sv, NULL);
}

ae_err ae_xcep_build_request(TALLOC_CTX *mem, const char *to, uint32_t client_version,
			     uint32_t server_version, int64_t last_update,
			     char **xml, size_t *xml_len)
{
	xmlDoc *doc = NULL;
	xmlNode *env = NULL;
	xmlNs *s = NULL;
	xmlChar *text = NULL;
	int text_len = 0;
	ae_err err = AE_ERR_NOMEM;
	char *out = NULL;

	if (to == NULL || strncmp(to, "https://", 8) != 0 || last_update < 0) {
		return AE_ERR_INVALID;
	}
	doc = xmlNewDoc((const xmlChar *)"1.0");
	env = doc != NULL ? xmlNewDocNode(doc, NULL, (const xmlChar *)"Envelope", NULL) : NULL;
	if (env == NULL) {
		goto done;
	}
	xmlDocSetRootElement(doc, env);
	s = xmlNewNs(env, (const xmlChar *)AE_SOAP12_NS, (const xmlChar *)"s");
	if (s == NULL) {
		goto done;
	}
	xmlSetNs(env, s);
	if (!header(env, s, to) || !body(env, s, client_version, server_version, last_update)) {
		goto done;
	}
	xmlDocDumpMemoryEnc(doc, &text, &text_len, "UTF-8");
	if (text == NULL || text_len <= 0) {
		goto done;
	}
	out = talloc_strndup(mem, (const char *)text, (size_t)text_len);
	if (out == NULL) {
		goto done;
	}
	*xml = out;
	*xml_len = (size_t)text_len;
	err = AE_OK;
done:
	xmlFree(text);
	xmlFreeDoc(doc);
	return err;
}
