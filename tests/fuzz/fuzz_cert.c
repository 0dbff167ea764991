/*
 * Fuzz target: one certificate as it comes from the CA (pctbEncodedCert),
 * AD (cACertificate) or the store, then everything the engine reads from it.
 * The MS extension decoders and the PEM reader also get the raw bytes.
 *
 * Seeds (corpus/cert/, also used by tests/unit/test_x509.c) were made with
 * the openssl command line (EC P-256 keys to stay small):
 *   openssl req -new -x509 -key ca.key -subj "/DC=com/DC=example/CN=Example Issuing CA"
 *       -addext basicConstraints=critical,CA:TRUE ... -out ca.pem   -> ca_root.der
 *   openssl req -new -key leaf.key -subj "/" -out leaf.csr          (empty subject)
 *   openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key
 *       -set_serial 0x18D9D5D300000000003D -extfile ext.cnf -extensions ext -outform DER
 *   with ext.cnf holding, per seed:
 *     leaf_v2_template.der:  subjectAltName=DNS:host.example.com,DNS:host and
 *       1.3.6.1.4.1.311.21.7=DER:<template_ext_value.der: OID
 *       1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.14,
 *       major 101, minor 0, encoded by hand>
 *     leaf_v1_bmpstring.der:  1.3.6.1.4.1.311.20.2=DER:1E0E004D0061006300680069006E0065
 *     leaf_v1_utf8string.der: 1.3.6.1.4.1.311.20.2=ASN1:UTF8String:Machine
 *     leaf_v1_seq_utf8.der:   1.3.6.1.4.1.311.20.2=DER:30060C0455736572
 *   leaf_v2.pem is leaf_v2_template.der in PEM; leaf_trailing_byte.der adds
 *   one 00 byte; leaf_truncated.der is its first 300 bytes.
 * corpus/pkcs7/ (fuzz_pkcs7.c): `openssl crl2pkcs7 -nocrl -certfile
 * <leaf+ca | leaf_v1> -outform DER` (certs_only_chain/single), the chain
 * plus one byte / cut at 700 bytes, `openssl cms -sign -nodetach` with the
 * leaf (cms_signed_with_signer), `openssl cms -data_create`
 * (data_not_signed), and crl2pkcs7 without certificates (certs_only_empty).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <talloc.h>
#include "ae_ms_ext.h"
#include "ae_x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_everything(TALLOC_CTX *mem, const struct ae_cert *c)
{
	struct ae_cert_template t;
	struct ae_cert *again = NULL;
	char **names = NULL;
	char *s = NULL;
	size_t len = 0;
	time_t when = 0;

	(void)ae_cert_template_info(mem, c, &t);
	(void)ae_cert_dns_names(mem, c, &names);
	(void)ae_cert_subject(mem, c, &s);
	(void)ae_cert_issuer(mem, c, &s);
	(void)ae_cert_serial_hex(mem, c, &s);
	(void)ae_cert_thumbprint_hex(mem, c, &s);
	(void)ae_cert_not_before(c, &when);
	(void)ae_cert_not_after(c, &when);
	(void)ae_cert_is_self_signed(c);	/* the trust phase: root or not */
	/* what parsed must survive a PEM round trip */
	if (ae_cert_to_pem(mem, c, &s, &len) != AE_OK ||
	    ae_cert_parse_pem(mem, (const uint8_t *)s, len, &again) != AE_OK) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_cert *c = NULL;
	struct ae_cert_list *l = NULL;
	char *str = NULL;
	uint32_t major = 0;
	uint32_t minor = 0;
	bool has_major = false;
	bool has_minor = false;

	if (mem == NULL) {
		return 0;
	}
	if (ae_cert_parse_der(mem, data, size, &c) == AE_OK) {
		read_everything(mem, c);
	}
	(void)ae_ms_template_ext_decode(mem, data, size, &str, &major, &has_major,
					&minor, &has_minor);
	(void)ae_ms_template_name_decode(mem, data, size, &str);
	(void)ae_cert_list_parse_pem(mem, data, size, &l);
	talloc_free(mem);
	return 0;
}
