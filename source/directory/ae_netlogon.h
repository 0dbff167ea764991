/*
 * ae_netlogon.h: the DC's answer to an LDAP ping, the "Netlogon" attribute
 * value NETLOGON_SAM_LOGON_RESPONSE_EX ([MS-ADTS] 6.3.1.9).
 *
 * Wire layout (little-endian):
 *   Opcode (2)  Sbz (2)  Flags (4, DS_FLAG 6.3.1.2)  DomainGuid (16)
 *   DnsForestName DnsDomainName DnsHostName NetbiosDomainName
 *   NetbiosComputerName UserName DcSiteName ClientSiteName
 *       (each a DNS name compressed as in RFC 1035 4.1.4; a pointer's
 *       offset counts from the first byte of this structure, 6.3.7)
 *   [DcSockAddrSize (1) DcSockAddr (size)]   only when NtVersion has
 *                                            NETLOGON_NT_VERSION_5EX_WITH_IP
 *   [NextClosestSiteName]                    only when NtVersion has
 *                                            NETLOGON_NT_VERSION_WITH_CLOSEST_SITE
 *   NtVersion (4)  LmNtToken (2)  Lm20Token (2)
 *
 * Which optional fields are present is read from the NtVersion in the last
 * 8 bytes; then every byte must be consumed exactly.
 */
#ifndef AE_NETLOGON_H
#define AE_NETLOGON_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_NETLOGON_MAX		4096	/* bytes of one response */
#define AE_NETLOGON_NAME_MAX	255	/* bytes of one decompressed name (RFC 1035) */
#define AE_NETLOGON_LABEL_MAX	63	/* bytes of one label */
#define AE_NETLOGON_JUMPS_MAX	32	/* compression pointers followed per name */
#define AE_NETLOGON_SOCKADDR_MAX 32	/* DcSockAddrSize; a sockaddr_in is 16 */

/* Opcodes ([MS-ADTS] 6.3.1.3) of the _EX responses. */
#define AE_LOGON_SAM_LOGON_RESPONSE_EX	23
#define AE_LOGON_SAM_PAUSE_RESPONSE_EX	24
#define AE_LOGON_SAM_USER_UNKNOWN_EX	25

/* NETLOGON_NT_VERSION bits ([MS-ADTS] 6.3.1.1). */
#define AE_NT_VERSION_1			0x00000001u
#define AE_NT_VERSION_5			0x00000002u
#define AE_NT_VERSION_5EX		0x00000004u
#define AE_NT_VERSION_5EX_WITH_IP	0x00000008u
#define AE_NT_VERSION_WITH_CLOSEST_SITE	0x00000010u

/* DS_FLAG bits ([MS-ADTS] 6.3.1.2). */
#define AE_DS_PDC_FLAG			0x00000001u
#define AE_DS_GC_FLAG			0x00000004u
#define AE_DS_LDAP_FLAG			0x00000008u
#define AE_DS_DS_FLAG			0x00000010u
#define AE_DS_KDC_FLAG			0x00000020u
#define AE_DS_TIMESERV_FLAG		0x00000040u
#define AE_DS_CLOSEST_FLAG		0x00000080u
#define AE_DS_WRITABLE_FLAG		0x00000100u
#define AE_DS_GOOD_TIMESERV_FLAG	0x00000200u
#define AE_DS_DNS_CONTROLLER_FLAG	0x20000000u
#define AE_DS_DNS_DOMAIN_FLAG		0x40000000u
#define AE_DS_DNS_FOREST_FLAG		0x80000000u

struct ae_netlogon {
	uint16_t opcode;		/* AE_LOGON_SAM_*_EX */
	uint32_t flags;			/* AE_DS_* */
	uint8_t domain_guid[16];	/* stored form (MS-DTYP 2.3.4.2) */
	/* Decompressed names: NUL-terminated, never NULL, "" when empty. */
	char *forest;			/* DnsForestName */
	char *domain;			/* DnsDomainName */
	char *dc_host;			/* DnsHostName */
	char *netbios_domain;		/* NetbiosDomainName */
	char *netbios_host;		/* NetbiosComputerName (the DC) */
	char *user;			/* UserName (echo of the request) */
	char *dc_site;			/* DcSiteName */
	char *client_site;		/* ClientSiteName ("" = no site for us) */
	char *next_closest_site;	/* NULL unless WITH_CLOSEST_SITE */
	uint32_t nt_version;		/* NtVersion */
};

/*
 * Parse one NETLOGON_SAM_LOGON_RESPONSE_EX, p[0..len) exactly.
 *
 * Names: labels of 1..63 bytes, no byte below 0x20, no '.' or DEL inside a
 * label; label-length bytes 0x40-0xBF (reserved types) refused; a
 * compression pointer must point strictly before the start of its name and
 * before where the previous jump of the same name landed (so it always
 * moves backwards: no loops), never into the fixed 24-byte head, at most
 * AE_NETLOGON_JUMPS_MAX of them; a decompressed name is at most
 * AE_NETLOGON_NAME_MAX bytes. Sbz, LmNtToken and Lm20Token are not checked
 * (a receiver ignores them).
 *
 * Errors: AE_ERR_TOO_LARGE (len > AE_NETLOGON_MAX), AE_ERR_UNSUPPORTED (an
 * opcode other than the three _EX responses: the DC answered in an older
 * format), AE_ERR_PARSE (truncated, bad name, Sbz not 0, ...),
 * AE_ERR_TRAILING (bytes left over), AE_ERR_NOMEM. *_r (on mem_ctx, names
 * below it) is set only on success.
 */
ae_err ae_netlogon_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct ae_netlogon **_r);

#endif
