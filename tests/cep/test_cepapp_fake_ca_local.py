#!/usr/bin/python3
"""A stand-in for ca-local in test_cepapp.py (CEPAPP_CA_LOCAL points here).

It answers like ca-local (ca_local.h) from fixed data: the accounts
MEMBER1$ and alice, three templates, a CA answer per template name
(LabNoEnroll denied with CERTSRV_E_TEMPLATE_DENIED, LabPending pending,
anything else issued with the certificate and PKCS#7 in cert.der / p7.der).
cepapp gives ca-local only ICPR_SAM_LDB and ICPR_SMB_CONF: the fake's files
are in the directory of ICPR_SAM_LDB (the test's cep.json points it into its
temporary directory). Each call's arguments are appended to calls.log there
(one JSON list a line) so the test sees what cepapp asked; stdin's length is
logged, never its content.
"""

import base64
import json
import os
import sys

SIDS = {"MEMBER1$": "S-1-5-21-1-2-3-1103", "alice": "S-1-5-21-1-2-3-1104"}


def work(name):
    return os.path.join(os.path.dirname(os.environ["ICPR_SAM_LDB"]), name)


def b64(path):
    with open(work(path), "rb") as f:
        return base64.b64encode(f.read()).decode("ascii")


def opt(args, name, default=None):
    return args[args.index(name) + 1] if name in args else default


def template(cn, oid_tail, schema, pkf, enroll, auto, exts=True):
    return {"cn": cn, "display_name": cn + " (display)",
            "oid": "1.3.6.1.4.1.311.21.8.1.2.%d" % oid_tail, "schema_version": schema,
            "revision": 100, "minor_revision": 2, "flags": 131680, "enrollment_flags": 32,
            "name_flags": 0x08000000, "private_key_flags": pkf, "min_key_size": 2048,
            "key_spec": 1, "ra_signatures": 0, "validity_seconds": 31536000,
            "renewal_seconds": 3628800, "eku": ["1.3.6.1.5.5.7.3.2"], "app_policies": [],
            "superseded": ["Machine"] if cn == "LabMachine" else [],
            "ra_app_policies": ["msPKI-Asymmetric-Algorithm`PZPWSTR`RSA`msPKI-Hash-Algorithm"
                                "`PZPWSTR`SHA256`"] if schema == 4 else [],
            "ra_policies": [], "csps": ["1,Microsoft RSA SChannel Cryptographic Provider"],
            "extensions": [{"oid": "2.5.29.37", "critical": False,
                            "value": "MAoGCCsGAQUFBwMC"}] if exts else [],
            "enroll": enroll, "autoenroll": auto}


def policies(args):
    return {"caller": {"sid": opt(args, "--caller-sid"), "name": "LAB\\MEMBER1$"},
            "templates": [template("LabMachine", 1, 2, 0, True, True),
                          template("LabNoEnroll", 3, 2, 0, False, False, exts=False),
                          template("LabNew", 9, 4, 0x06060000, True, True),
                          template("LabUnpublished", 4, 2, 0, True, True)],
            "services": {"LAB-CA": ["LabMachine", "LabNoEnroll", "LabNew"]}}


def answer(disp, hr, rid, msg, tpl, issued=False):
    return {"disposition": disp, "hresult": hr, "disposition_name": None, "request_id": rid,
            "message": msg, "template": tpl,
            "certificate": b64("cert.der") if issued else None,
            "pkcs7": b64("p7.der") if issued else None}


def submit(args):
    attrib = opt(args, "--attrib", "")
    tpl = attrib.split(":", 1)[1] if attrib.startswith("CertificateTemplate:") else None
    if tpl == "LabNoEnroll":
        return answer(0x80094012, 0x80094012, 7, "Denied by Policy Module", tpl)
    if tpl == "LabPending":
        return answer(5, 0, 9, "Taken Under Submission", tpl)
    return answer(3, 0, 8, "Issued", tpl, issued=True)


def retrieve(args):
    rid = int(opt(args, "--request-id"))
    if rid == 9:
        return answer(5, 0, 9, "Taken Under Submission", "LabPending")
    if rid == 5:
        return answer(3, 0, 5, "Issued", "LabPending", issued=True)
    return answer(0x80094002, 0x80094002, rid, "no such request", None)


def whois(args, stdin):
    if "--principal" in args:
        user = opt(args, "--principal").split("@")[0]
        if user not in SIDS:
            print("ca-local: 0 accounts with sAMAccountName=%s" % user, file=sys.stderr)
            sys.exit(2)
        return {"sid": SIDS[user], "name": "LAB\\" + user, "dn": "CN=%s,DC=lab" % user}
    if b"BEGIN CERTIFICATE" not in stdin or "--ca-dir" not in args:
        print("ca-local: client certificate does not chain", file=sys.stderr)
        sys.exit(2)
    return {"sid": SIDS["MEMBER1$"], "name": "LAB\\MEMBER1$", "dn": "CN=MEMBER1,DC=lab"}


def main():
    args = sys.argv[1:]
    stdin = sys.stdin.buffer.read()
    with open(work("calls.log"), "a") as log:
        log.write(json.dumps(args + ["<stdin %d bytes>" % len(stdin)]) + "\n")
    cmd = {"policies": lambda: policies(args), "submit": lambda: submit(args),
           "retrieve": lambda: retrieve(args), "whois": lambda: whois(args, stdin)}
    if not args or args[0] not in cmd:
        sys.exit(1)
    print(json.dumps(cmd[args[0]]()))


if __name__ == "__main__":
    main()
