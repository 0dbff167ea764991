/*
 * swtpm_helpers.h: the software TPM of the TPM unit tests (included by
 * test_key_tpm.c and test_key_choice.c; static functions only). Include
 * after <cmocka.h> and ae_key_tpm.h. tests/tpm/swtpm.sh starts a socket
 * TPM on loopback with its state in a directory and stops it by its PID.
 */
#ifndef SWTPM_HELPERS_H
#define SWTPM_HELPERS_H

#include <stdio.h>
#include <string.h>

#define SWTPM_SH SRCDIR "/tests/tpm/swtpm.sh"

/* the TCTI of the TPM the last swtpm(dir, "start") started */
static char g_tcti[AE_KEY_TPM_TCTI_MAX + 1];

/* swtpm.sh start|stop DIR; it must succeed; start sets g_tcti */
static void swtpm(const char *dir, const char *op)
{
	char cmd[512];
	FILE *f = NULL;

	snprintf(cmd, sizeof(cmd), "%s %s %s", SWTPM_SH, op, dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (strcmp(op, "start") == 0) {
		assert_non_null(fgets(g_tcti, sizeof(g_tcti), f));
		g_tcti[strcspn(g_tcti, "\n")] = '\0';
	}
	assert_int_equal(pclose(f), 0);
}

#endif
