/*
 * cli_help.c: the help texts. `autoenroll --help` prints them all,
 * `autoenroll COMMAND --help` only that command's.
 */
#include <stdio.h>
#include <string.h>
#include "cli_help.h"
#include "cli_renew.h"

#ifndef AE_VERSION
#define AE_VERSION "unknown"
#endif

struct command_help {
	const char *name;
	const char *text;
};

static const struct command_help commands[] = {
	{ "request",
"  request --template NAME [--ca NAME] [--key-type rsa:N|ec:p256|ec:p384|ec:p521]\n"
"          [--out DIR] [--transport auto|tcp|np] [--json]\n"
"          [--subject DN] [--dns NAME]... [--ip ADDR]... [--upn UPN] [--email ADDR]\n"
"      Request a certificate of template NAME from the enterprise CA that\n"
"      publishes it (or --ca). Issued: writes NAME.key (0600), NAME.crt and\n"
"      NAME.chain.pem into DIR after checking the certificate matches the key\n"
"      and chains to the CA certificate published in AD. Pending: records the\n"
"      request id and the key under DIR/pending.\n"
"      --subject DN (RFC 4514, e.g. CN=www.example.com,O=Example) and the\n"
"      subject alternative names --dns (repeatable; LDH labels, a leading *.\n"
"      allowed), --ip (repeatable; IPv4/IPv6), --upn, --email: the names the\n"
"      certificate gets, exactly these. Only for a template that lets the\n"
"      enrollee supply them (msPKI-Certificate-Name-Flag\n"
"      CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT 0x1; SANs also with\n"
"      CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME 0x10000): a bad value is exit 2,\n"
"      a template that does not allow them exit 6, both before any CA is asked.\n"
"      `run` renews such a certificate with the same names only when the\n"
"      template has CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME (0x8);\n"
"      otherwise it reports \"needs a manual request\" when it is due.\n" },
	{ "retrieve",
"  retrieve --ca NAME --request-id N [--out DIR] [--transport ...] [--json]\n"
"      Fetch the result of a pending request recorded by `request`.\n" },
	{ "run",
"  run [--user [NAME]] [--ccache CCNAME] [--json] [--dry-run] [--full]\n"
"      One autoenrollment cycle for this machine (or with --user, a domain\n"
"      user): read Group Policy and the enrollment policy, then per template\n"
"      enroll, renew (signed with the old key), re-enroll, retrieve a pending\n"
"      request, archive or remove, and sync the AD trust anchors. One line per template: action, result, reason.\n"
"      --dry-run prints the decisions and changes nothing. Exit 0 all done or\n"
"      nothing to do, 3 something is pending, else the worst failure (4-8).\n"
"      --full reads Group Policy and the directory in full even when the\n"
"      last full cycle found nothing to do and nothing changed since (the\n"
"      no-op check is skipped; a full read that finds nothing to do writes\n"
"      a new memo).\n"
"      --user NAME (alice, DOMAIN\\alice or alice@dns.domain; --user alone:\n"
"      the calling user, refused for root): the user's cycle with the user's\n"
"      Group Policy and templates, into <state dir>/autoenroll/users/<SID>/,\n"
"      with the user's Kerberos ccache (--ccache, else KRB5CCNAME, else krb5's\n"
"      default for the user; root's own KRB5CCNAME is never used). Started\n"
"      by root, it prepares the user's directories and drops to the user's\n"
"      uid, gid and groups before any network or store access; it never\n"
"      reads secrets.tdb. The trust anchors are left to the machine cycle.\n" },
	{ "renew", CLI_RENEW_USAGE },
	{ "status",
"  status [--user [NAME]] [--json]\n"
"      The managed certificates (template, state, CA, serial, notAfter, renewal\n"
"      time, pending request ids, archive) from the store; no network.\n"
"      --user: the user's store (as for `run`; read as the user).\n" },
	{ "policy",
"  policy [--user [NAME]] [--ccache CCNAME] [--json]\n"
"      The effective AutoEnrollment settings of this machine (or with --user,\n"
"      as for `run`, of that user) from Group Policy\n"
"      (GPO list per MS-GPOL, each value with the GPO it came from, policy\n"
"      server end points), the enterprise CAs with their templates, and every\n"
"      template with eligible / not eligible and the reason. Counts of LDAP\n"
"      searches and SMB reads are included. Exit 0, 5 DC unreachable, 6 misconfigured.\n" },
	{ "pol",
"  pol FILE [--json]\n"
"      Dump a Registry.pol (PReg) file's entries and the AutoEnrollment\n"
"      settings (AEPolicy, OfflineExpiration*, PolicyServers end points)\n"
"      derived from it. Exit 0 parsed, 6 not a valid Registry.pol, 8 unreadable.\n" },
	{ "xcep",
"  xcep FILE [--json]\n"
"      Decode a saved MS-XCEP GetPoliciesResponse (SOAP envelope or the bare\n"
"      element) into the template and CA model: each policy with its flags,\n"
"      permissions and CAs, each CA with its end points, the OIDs.\n"
"      Exit 0 parsed, 6 not a valid response, 8 unreadable.\n" },
	{ "policy-server",
"  policy-server add URL [--auth kerberos|password|certificate] [--cost N]\n"
"                [--credential FILE] [--ca-file PEM] [--policy-id ID]\n"
"  policy-server list [--json]\n"
"  policy-server remove URL|ID\n"
"      The local MS-XCEP enrollment policy servers (as Windows'\n"
"      Add-CertificateEnrollmentPolicyServer), kept in <state directory>/\n"
"      autoenroll/policy-servers.conf (root's, 0600; add and remove need root).\n"
"      The machine cycle uses them with the GPO's PolicyServers unless Group\n"
"      Policy forbids it (EnrollmentPolicyFlags 0x4); on a workgroup machine\n"
"      (smb.conf without realm, or autoenroll:mode = workgroup) they are the\n"
"      only policy. https:// only. --auth (default kerberos): password needs\n"
"      --credential FILE with two lines, the user name (DOMAIN\\user or\n"
"      user@REALM) and the password; certificate needs --credential FILE with a\n"
"      PEM private key and its certificate; the file must be root's, mode 0600\n"
"      or 0400, in a directory only root can write: it is checked now and read\n"
"      at each cycle, never copied. --ca-file: the only CA certificates trusted\n"
"      for this server's TLS certificate. --policy-id groups end points of one\n"
"      policy (failover in --cost order, lowest first; default cost 100, the URL\n"
"      is the ID). Exit 0, 2 a bad argument (named), 6 not root or a bad file.\n" },
	{ "config",
"  config [--json]\n"
"      Every autoenroll:* smb.conf option, its effective value and where it\n"
"      came from (default, smb.conf, --option), and any unknown autoenroll:*\n"
"      names. Exit 0, 6 a value is invalid (the option and value are named).\n" },
};

static const char *const head =
"Usage: autoenroll [-s FILE] [--option NAME=VALUE]... [-d LEVEL] COMMAND [ARGS]\n"
"       autoenroll COMMAND --help | --help | --version\n"
"\n"
"Certificate enrollment for Samba Active Directory members (MS-ICPR, Kerberos,\n"
"packet privacy), as the machine account from secrets.tdb, or (--user) as a\n"
"domain user with the user's own Kerberos ticket.\n"
"\n"
"Commands:\n";

static const char *const tail =
"\n"
"Global options:\n"
"  -s, --configfile FILE   smb.conf to use (default: Samba's)\n"
"      --option NAME=VALUE set an smb.conf option, e.g.\n"
"                          --option='autoenroll:dc=dc1.example.com'\n"
"  -d, --debuglevel LEVEL  0 errors (default), 1 warnings, 2 info, 3+ debug\n"
"                          (Samba's own debug output from 3: its level + 3)\n"
"      --ccache CCACHE     use this Kerberos ccache instead of the machine account\n"
"                          (run, policy, renew also take it after the command)\n"
"  -h, --help              this text\n"
"  -V, --version           the version\n"
"\n"
"smb.conf options (autoenroll config shows them): autoenroll:store dir,\n"
"autoenroll:key type (rsa:N, ec:p256, ec:p384, ec:p521; default rsa:2048),\n"
"autoenroll:dc, autoenroll:trust dir, autoenroll:trust command,\n"
"autoenroll:mode (auto, domain, workgroup; auto: workgroup when smb.conf has no\n"
"realm: no DC, LDAP, GPO or Kerberos, only the local policy servers).\n"
"\n"
"Exit codes:\n"
"  0 issued          1 internal error     2 usage error\n"
"  3 pending (the request id is printed and recorded)\n"
"  4 denied by the CA (the HRESULT, e.g. CERTSRV_E_TEMPLATE_DENIED, and the\n"
"    CA's message are printed)\n"
"  5 DC, KDC or CA unreachable (the server and cause are printed)\n"
"  6 misconfigured: template or CA not in AD, credentials, configuration\n"
"  7 the CA's answer failed verification (key match, chain to the AD CA)\n"
"  8 local store error\n";

int cli_usage(FILE *f, int code)
{
	size_t i;

	fputs(head, f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fputs(commands[i].text, f);
	}
	fputs(tail, f);
	return code;
}

int cli_is_command(const char *command)
{
	size_t i;

	for (i = 0; command != NULL && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, command) == 0) {
			return 1;
		}
	}
	return 0;
}

int cli_command_help(FILE *f, const char *command, int code)
{
	size_t i;

	for (i = 0; command != NULL && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, command) == 0) {
			fprintf(f, "Usage: autoenroll [GLOBAL OPTIONS] %s ...\n\n", command);
			fputs(commands[i].text, f);
			fputs("\nGlobal options and exit codes: autoenroll --help\n", f);
			return code;
		}
	}
	return cli_usage(f, code);
}

void cli_version(FILE *f)
{
	fprintf(f, "autoenroll %s (samba-autoenroll; MS-ICPR over Samba's libraries)\n",
		AE_VERSION);
}
