#!/usr/bin/python3
"""test_cepapp_lab: cepapp.handle with the real ca-local against the lab.

Run by tests/integration/t_cepapp_lab.sh inside the lab's network namespace
after cepapp-setup.sh (no web server: handle() is called directly with the
identity the web server would pass). Environment: CEPAPP_CONFIG,
AUTOENROLL, WSTEP_CHECK, ICPR_CA_DIR (the lab CA's, for ca-admin), CA_ADMIN,
USERPASS (alice's password), WORK (a scratch dir). Prints one line per
check; exits 1 at the first failure with its reason.
"""

import base64
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cepapp  # noqa: E402
from test_cepapp import WSSE, get_policies, issue, query  # noqa: E402
from xml.sax.saxutils import escape  # noqa: E402

MEMBER = {"kind": "kerberos", "principal": "MEMBER1$@LAB.EXAMPLE.COM"}
WORK = os.environ["WORK"]


def fail(msg):
    print("failed: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok: " + msg)


def run(args, stdin=None, env=None):
    return subprocess.run(args, input=stdin, capture_output=True, check=False, env=env)


def call(endpoint, identity, body, name, want):
    st, _ct, out, _h = cepapp.handle(endpoint, identity, body)
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(out)
    if st != want:
        fail("%s: HTTP %d, want %d: %s" % (name, st, want, out[-400:]))
    return path


def wstep(path):
    p = run([os.environ["WSTEP_CHECK"], path])
    if p.returncode != 0:
        fail("the client's WSTEP parser refuses %s: %s" % (path, p.stderr))
    return dict(kv.split("=", 1) for kv in p.stdout.decode().split())


def csr(name):
    key, der = os.path.join(WORK, name + ".key"), os.path.join(WORK, name + ".csr")
    p = run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
             "-subj", "/CN=" + name, "-outform", "DER", "-out", der])
    if p.returncode != 0:
        fail("openssl req: %s" % p.stderr)
    with open(der, "rb") as f:
        return f.read()


def tokens(path):
    """(leaf PEM path, chain PEM path) of an issued answer."""
    with open(path) as f:
        t = re.findall(r"<BinarySecurityToken[^>]*>([^<]*)</BinarySecurityToken>", f.read())
    leaf, chain = path + ".crt.pem", path + ".chain.pem"
    with open(path + ".p7", "wb") as f:
        f.write(base64.b64decode(t[0]))
    with open(path + ".crt", "wb") as f:
        f.write(base64.b64decode(t[1]))
    run(["openssl", "x509", "-inform", "DER", "-in", path + ".crt", "-out", leaf])
    run(["openssl", "pkcs7", "-inform", "DER", "-in", path + ".p7", "-print_certs", "-out", chain])
    return leaf, chain


def main():
    cfg = cepapp.load_config()
    root = os.path.join(cfg["cas"][0]["dir"], "ca.pem")
    # GetPolicies over Kerberos: our parser reads it; both CAs; the caller's rights
    gpr = call("/ADPolicyProvider_CEP_Kerberos/service.svc/CEP", MEMBER, get_policies(),
               "gpr.xml", 200)
    p = run([os.environ["AUTOENROLL"], "xcep", gpr])
    out = p.stdout.decode()
    if p.returncode != 0:
        fail("autoenroll xcep refuses the GetPoliciesResponse: %s" % p.stderr)
    for want in ("policy ID " + cfg["policy_id"], "policy LabMachine", "LAB-CA2_CES_Kerberos"):
        if want not in out:
            fail("GetPoliciesResponse: no '%s'" % want)
    noenroll = out.split("policy LabNoEnroll", 1)[1].split("\npolicy ", 1)[0]
    if "permission enroll no" not in noenroll:
        fail("LabNoEnroll: MEMBER1$ should lack Enroll")
    ok("GetPolicies: autoenroll xcep reads it; LabMachine offered; LabNoEnroll enroll no")
    # Issue at LAB-CA2 (an intermediate): the chain verifies under the lab root
    r = call("/LAB-CA2_CES_Kerberos/service.svc/CES", MEMBER, issue(csr("m2"), "LabMachine"),
             "issued_ca2.xml", 200)
    a = wstep(r)
    if a["disposition"] != "issued" or a["chain_certs"] != "3":
        fail("LAB-CA2 issue: %s" % a)
    leaf, chain = tokens(r)
    p = run(["openssl", "verify", "-CAfile", root, "-untrusted", chain, leaf])
    if p.returncode != 0:
        fail("openssl verify of LAB-CA2's certificate: %s" % p.stdout + p.stderr)
    ok("LAB-CA2 issued request %s; openssl verify: OK (3 certificates in the PKCS#7)"
       % a["request_id"])
    # the CA's own rules: Enroll denied -> SOAP fault with its HRESULT
    d = wstep(call("/LAB-CA_CES_Kerberos/service.svc/CES", MEMBER,
                   issue(csr("noenroll"), "LabNoEnroll"), "denied.xml", 500))
    if (d["disposition"], d["error"]) != ("denied", "0x80094012"):
        fail("LabNoEnroll: %s" % d)
    ok("LabNoEnroll: fault ErrorCode 0x80094012 (CERTSRV_E_TEMPLATE_DENIED), request %s"
       % d["request_id"])
    # pending -> ca-admin issue -> QueryTokenStatus
    pnd = wstep(call("/LAB-CA_CES_Kerberos/service.svc/CES", MEMBER,
                     issue(csr("pending"), "LabPending"), "pending.xml", 200))
    if pnd["disposition"] != "pending":
        fail("LabPending: %s" % pnd)
    p = run([os.environ["CA_ADMIN"], "issue", pnd["request_id"]])
    if p.returncode != 0:
        fail("ca-admin issue %s: %s" % (pnd["request_id"], p.stderr))
    q = wstep(call("/LAB-CA_CES_Kerberos/service.svc/CES", MEMBER, query(pnd["request_id"]),
                   "retrieved.xml", 200))
    if q["disposition"] != "issued" or q["request_id"] != pnd["request_id"]:
        fail("QueryTokenStatus %s: %s" % (pnd["request_id"], q))
    ok("LabPending: pending as %s; ca-admin issue; QueryTokenStatus -> issued"
       % pnd["request_id"])
    # password end point: alice's UsernameToken checked by the KDC
    tok = lambda pw: ('<o:Security xmlns:o="%s" s:mustUnderstand="1"><o:UsernameToken>'
                      '<o:Username>alice</o:Username><o:Password>%s</o:Password>'
                      '</o:UsernameToken></o:Security>' % (WSSE, escape(pw)))
    ep = "/LAB-CA_CES_UsernamePassword/service.svc/CES"
    u = wstep(call(ep, {"kind": "password"},
                   issue(csr("alice"), "LabUser", header_extra=tok(os.environ["USERPASS"])),
                   "alice.xml", 200))
    if u["disposition"] != "issued":
        fail("alice over the password end point: %s" % u)
    call(ep, {"kind": "password"}, issue(csr("alice2"), "LabUser", header_extra=tok("wrong")),
         "alice_wrong.xml", 403)
    ok("password end point: alice issued LabUser; a wrong password -> 403")
    # certificate end point: the LAB-CA2 certificate names MEMBER1$; a stranger's does not
    with open(leaf) as f:
        cert_id = {"kind": "certificate", "client_cert_pem": f.read()}
    c = wstep(call("/LAB-CA_CES_Certificate/service.svc/CES", cert_id,
                   issue(csr("bycert"), "LabMachine"), "bycert.xml", 200))
    if c["disposition"] != "issued":
        fail("certificate end point: %s" % c)
    stranger = os.path.join(WORK, "stranger.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         os.path.join(WORK, "stranger.key"), "-subj", "/CN=member1.lab.example.com",
         "-days", "1", "-out", stranger])
    with open(stranger) as f:
        call("/LAB-CA_CES_Certificate/service.svc/CES",
             {"kind": "certificate", "client_cert_pem": f.read()},
             issue(csr("stranger"), "LabMachine"), "stranger.xml", 403)
    ok("certificate end point: MEMBER1$ by its certificate issued; a self-signed one -> 403")
    print(json.dumps({"result": "pass"}))


if __name__ == "__main__":
    main()
