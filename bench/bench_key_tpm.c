/*
 * bench_key_tpm.c: the TPM case of bench/request: key generation and the
 * PKCS#10 signature in a TPM (through tpm2-openssl, ae_key_tpm.h) against
 * the same in software (ae_key.h), RSA-2048 and EC P-256, in one run.
 * Prints medians; no pass/fail.
 *
 *   bench_key_tpm TCTI ROUNDS     (bench/request starts a swtpm for it)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <talloc.h>
#include "ae_csr.h"
#include "ae_key.h"
#include "ae_key_tpm.h"
#include "bench_time.h"

static const struct ae_csr_params params = {
	.template_oid = "1.3.6.1.4.1.311.21.8.1000.10",
	.schema_version = 2,
	.major = 100,
	.minor = 1,
	.client_id = 6,
	.machine_name = "bench.example.com",
	.os_version = "6.1.0.2",
};

/* medians of keygen and of one PKCS#10 build (its signature) over rounds */
static int run(bool tpm, const struct ae_key_spec *spec, int rounds, double *kg, double *sg)
{
	double *k = calloc((size_t)rounds, sizeof(double));
	double *s = calloc((size_t)rounds, sizeof(double));
	int i, rc = 0;

	for (i = 0; k != NULL && s != NULL && i < rounds && rc == 0; i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct ae_key *key = NULL;
		uint8_t *der = NULL;
		size_t len = 0;
		double t0 = now_ms();

		if ((tpm ? ae_key_tpm_generate(mem, spec, &key) :
		     ae_key_generate(mem, spec, &key)) != AE_OK) {
			rc = 1;
		}
		k[i] = now_ms() - t0;
		t0 = now_ms();
		if (rc == 0 && ae_csr_build(mem, key, &params, &der, &len) != AE_OK) {
			rc = 1;
		}
		s[i] = now_ms() - t0;
		talloc_free(mem);
	}
	if (rc == 0 && k != NULL && s != NULL) {
		*kg = median(k, rounds);
		*sg = median(s, rounds);
	}
	free(k);
	free(s);
	return k == NULL || s == NULL ? 1 : rc;
}

int main(int argc, char **argv)
{
	const struct ae_key_spec specs[] = { { AE_KEY_RSA, 2048 }, { AE_KEY_EC, 256 } };
	char why[512] = "", desc[32];
	int rounds, i;

	if (argc != 3 || (rounds = atoi(argv[2])) < 1 || rounds > 1000) {
		fprintf(stderr, "usage: bench_key_tpm TCTI ROUNDS\n");
		return 2;
	}
	if (ae_key_tpm_configure(argv[1]) != AE_OK || ae_key_tpm_open(why, sizeof(why)) != AE_OK) {
		fprintf(stderr, "bench: TPM: %s\n", why[0] ? why : "bad TCTI");
		return 1;
	}
	for (i = 0; i < 2; i++) {
		double tk = 0, ts = 0, fk = 0, fs = 0;

		if (run(true, &specs[i], rounds, &tk, &ts) != 0 ||
		    run(false, &specs[i], rounds, &fk, &fs) != 0) {
			fprintf(stderr, "bench: %s failed\n",
				ae_key_spec_describe(&specs[i], desc, sizeof(desc)));
			ae_key_tpm_close();
			return 1;
		}
		ae_key_spec_describe(&specs[i], desc, sizeof(desc));
		printf("%-9s rounds %d: keygen TPM %.2f ms / software %.2f ms (x%.1f); "
		       "PKCS#10 signature TPM %.2f ms / software %.2f ms (x%.1f)\n", desc, rounds,
		       tk, fk, fk > 0 ? tk / fk : 0, ts, fs, fs > 0 ? ts / fs : 0);
	}
	ae_key_tpm_close();
	return 0;
}
