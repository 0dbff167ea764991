#!/bin/bash
# cepapp-setup.sh LABDIR: the test CEP/CES's configuration, once, as root,
# after `adlab.sh up` (tests/cep/cepapp.py describes what reads it).
#
#   - LAB-CA2: a second CA, an intermediate signed by the lab CA's key
#     ($LABDIR/ca/ca.key): $LABDIR/ca2/{ca.pem,ca.key (0600),chain.pem}; its
#     request database and CRL are created by ca-local on first use, like
#     the lab CA's by icpr_ca.so ($LABDIR/ca2/db, crl/).
#   - $LABDIR/cep/cep.json: the policy (its own policy ID, a GUID kept across
#     runs; NOT the forest's), the two CAs with their CES URIs, and which
#     CAs offer which template.
#
# Environment:
#   CA_LOCAL          the ca-local executable (required; <builddir>/tests/ca/ca-local)
#   CEP_HOST          host name of the CEP/CES URLs            [cep.lab.example.com]
#   CEP_CA2_TEMPLATES templates LAB-CA2 offers (comma-separated)
#                                      [LabMachine,Machine,LabPending,LabWebServer,LabUser]
#   CEP_TEMPLATE_CAS  "Template=CA[+CA];Template=CA": the only CAs a template's
#                     cAReferences name (its CES at other CAs refuses it) []
#   CEP_NEXT_UPDATE   nextUpdateHours                           [8]
#   CEP_CA2_RENEWAL_ONLY  1: LAB-CA2's URIs are renewalOnly      [0]
#
# LAB-CA lists its templates from its Enrollment Services object in AD
# ("templates": null); LAB-CA2 has no AD object (the ICPR client must not
# see it), so its list is in cep.json. End points, for each CA in
# {LAB-CA, LAB-CA2} and each <Auth> in {Kerberos, KerberosCB,
# UsernamePassword, Certificate}:
#   https://$CEP_HOST/<CA>_CES_<Auth>/service.svc/CES
# and the policy end points https://$CEP_HOST/ADPolicyProvider_CEP_<Auth>/service.svc/CEP.
set -euo pipefail

die() {
	echo "cepapp-setup: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: cepapp-setup.sh LABDIR"
LAB=$(cd "$1" && pwd -P) || die "$1: no such directory"
[ -f "$LAB/ca/ca.pem" ] && [ -f "$LAB/ca/ca.key" ] || die "$LAB/ca: no lab CA (adlab.sh up first)"
[ -n "${CA_LOCAL:-}" ] && [ -x "$CA_LOCAL" ] || die "CA_LOCAL=${CA_LOCAL:-}: not an executable"
CA_LOCAL=$(cd "$(dirname "$CA_LOCAL")" && pwd -P)/$(basename "$CA_LOCAL")
[ "$(id -u)" = 0 ] || die "run as root"
realm=$(sed -n 's/^[[:space:]]*realm[[:space:]]*=[[:space:]]*//p' "$LAB/dc/etc/smb.conf" | head -1)
[ -n "$realm" ] || die "$LAB/dc/etc/smb.conf: no realm"

umask 022
mkdir -p "$LAB/cep" "$LAB/ca2"
chmod 0755 "$LAB/cep" "$LAB/ca2"

# LAB-CA2, once: key 0600 written under umask 077 then renamed into place.
if [ ! -s "$LAB/ca2/ca.pem" ] || [ ! -s "$LAB/ca2/ca.key" ]; then
	tmp=$(mktemp -d "$LAB/ca2/.new.XXXXXX")
	(
		umask 077
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/ca.key" 2> /dev/null
	)
	openssl req -new -key "$tmp/ca.key" -subj "/DC=com/DC=example/DC=lab/CN=LAB-CA2" \
		-out "$tmp/ca.csr"
	printf '%s\n' 'basicConstraints=critical,CA:TRUE,pathlen:0' \
		'keyUsage=critical,keyCertSign,cRLSign,digitalSignature' \
		'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always' > "$tmp/ext"
	openssl x509 -req -in "$tmp/ca.csr" -CA "$LAB/ca/ca.pem" -CAkey "$LAB/ca/ca.key" \
		-set_serial "0x$(openssl rand -hex 16)" -days 3000 -sha256 -extfile "$tmp/ext" \
		-out "$tmp/ca.pem" 2> /dev/null
	openssl verify -CAfile "$LAB/ca/ca.pem" "$tmp/ca.pem" > /dev/null ||
		die "LAB-CA2's certificate does not verify under the lab CA"
	mv -f "$tmp/ca.key" "$LAB/ca2/ca.key"
	mv -f "$tmp/ca.pem" "$LAB/ca2/ca.pem"
	rm -rf "$tmp"
fi
cp -f "$LAB/ca/ca.pem" "$LAB/ca2/chain.pem.tmp" && mv -f "$LAB/ca2/chain.pem.tmp" "$LAB/ca2/chain.pem"

LAB=$LAB CA_LOCAL=$CA_LOCAL REALM=$realm /usr/bin/python3 - << 'EOF'
import json, os, uuid

lab = os.environ["LAB"]
path = os.path.join(lab, "cep", "cep.json")
host = os.environ.get("CEP_HOST", "cep.lab.example.com")
policy_id = None
try:
    with open(path) as f:
        policy_id = json.load(f).get("policy_id")
except (OSError, ValueError):
    pass
policy_id = policy_id or "{%s}" % str(uuid.uuid4()).upper()
ca2_templates = [t for t in os.environ.get(
    "CEP_CA2_TEMPLATES", "LabMachine,Machine,LabPending,LabWebServer,LabUser").split(",") if t]
template_cas = {}
for item in os.environ.get("CEP_TEMPLATE_CAS", "").split(";"):
    if "=" in item:
        t, cas = item.split("=", 1)
        template_cas[t.strip()] = [c.strip() for c in cas.split("+") if c.strip()]
auths = [("Kerberos", "kerberos"), ("KerberosCB", "kerberos-cb"),
         ("UsernamePassword", "password"), ("Certificate", "certificate")]

def uris(ca, renewal_only):
    return [{"auth": a, "uri": "https://%s/%s_CES_%s/service.svc/CES" % (host, ca, n),
             "priority": i + 1, "renewal_only": renewal_only}
            for i, (n, a) in enumerate(auths)]

cfg = {
    "policy_id": policy_id,
    "friendly_name": "Lab CEP (test service)",
    "next_update_hours": int(os.environ.get("CEP_NEXT_UPDATE", "8")),
    "realm": os.environ["REALM"].upper(),
    "krb5_conf": os.path.join(lab, "krb5.conf"),
    "ca_local": os.environ["CA_LOCAL"],
    "sam_ldb": os.path.join(lab, "dc", "private", "sam.ldb"),
    "smb_conf": os.path.join(lab, "dc", "etc", "smb.conf"),
    "cep_uris": {a: "https://%s/ADPolicyProvider_CEP_%s/service.svc/CEP" % (host, n)
                 for n, a in auths},
    "cas": [
        {"name": "LAB-CA", "dir": os.path.join(lab, "ca"), "templates": None,
         "uris": uris("LAB-CA", False)},
        {"name": "LAB-CA2", "dir": os.path.join(lab, "ca2"), "templates": ca2_templates,
         "uris": uris("LAB-CA2", os.environ.get("CEP_CA2_RENEWAL_ONLY") == "1")},
    ],
    "template_cas": template_cas,
}
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(cfg, f, indent=1)
    f.write("\n")
os.chmod(tmp, 0o644)
os.replace(tmp, path)
print("cepapp-setup: %s: policy %s, CAs LAB-CA, LAB-CA2" % (path, policy_id))
EOF
