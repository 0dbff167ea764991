#!/usr/bin/python3
"""test_cepapp: the test CEP/CES's logic (cepapp.handle) without a lab.

ca-local is replaced by test_cepapp_fake_ca_local.py (CEPAPP_CA_LOCAL);
the answers cepapp builds are then given to the client's own parsers:
`autoenroll xcep FILE` for GetPoliciesResponse, cepapp_wstep_check (the
client's ae_wstep_parse_response + certificate and PKCS#7 parsing) for the
RequestSecurityTokenResponseCollection and faults, and the fuzz replay
harnesses fuzz_xcep / fuzz_wstep. Paths come from the environment (meson):
AUTOENROLL, WSTEP_CHECK, FUZZ_XCEP, FUZZ_WSTEP.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cepapp  # noqa: E402
import cepapp_auth  # noqa: E402
import cepapp_xml  # noqa: E402

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
KERB = {"kind": "kerberos", "principal": "MEMBER1$@LAB.EXAMPLE.COM"}
CEP_KERB = "/ADPolicyProvider_CEP_Kerberos/service.svc/CEP"
CES_KERB = "https://cep.lab.example.com/LAB-CA_CES_Kerberos/service.svc/CES"


def envelope(action, body, header_extra=""):
    return ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="%s" xmlns:a="%s">'
            '<s:Header><a:Action s:mustUnderstand="1">%s</a:Action>'
            '<a:MessageID>urn:uuid:11111111-2222-4333-8444-555555555555</a:MessageID>%s'
            '</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">%s'
            '</s:Body></s:Envelope>' % (SOAP, WSA, action, header_extra, body)).encode()


def get_policies(cv="6", sv="6"):
    ver = lambda n, v: "<%s>%s</%s>" % (n, v, n) if v else '<%s xsi:nil="true"/>' % n
    return envelope(
        "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies",
        '<GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy">'
        '<client><lastUpdate xsi:nil="true"/><preferredLanguage xsi:nil="true"/></client>'
        '<requestFilter><policyOIDs xsi:nil="true"/>%s%s</requestFilter></GetPolicies>'
        % (ver("clientVersion", cv), ver("serverVersion", sv)))


RST_ACTION = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep"
WST = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
X509 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"


def issue(der, template=None, value_type="http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10",
          header_extra=""):
    ctx = ""
    if template:
        ctx = ('<ac:AdditionalContext xmlns:ac="http://schemas.xmlsoap.org/ws/2006/12/authorization">'
               '<ac:ContextItem Name="CertificateTemplate"><ac:Value>%s</ac:Value></ac:ContextItem>'
               '</ac:AdditionalContext>' % template)
    return envelope(RST_ACTION, (
        '<wst:RequestSecurityToken xmlns:wst="%s"><wst:TokenType>%s</wst:TokenType>'
        '<wst:RequestType>%s/Issue</wst:RequestType>'
        '<BinarySecurityToken xmlns="%s" ValueType="%s" EncodingType="%s#base64binary">%s'
        '</BinarySecurityToken>%s</wst:RequestSecurityToken>'
        % (WST, X509, WST, WSSE, value_type, WSSE, base64.b64encode(der).decode(), ctx)),
        header_extra)


def query(rid):
    return envelope(RST_ACTION, (
        '<wst:RequestSecurityToken xmlns:wst="%s"><wst:TokenType>%s</wst:TokenType>'
        '<wst:RequestType>http://schemas.microsoft.com/windows/pki/2009/01/enrollment/'
        'QueryTokenStatus</wst:RequestType><RequestID xmlns="http://schemas.microsoft.com/'
        'windows/pki/2009/01/enrollment">%s</RequestID></wst:RequestSecurityToken>'
        % (WST, X509, rid)))


class CepAppTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test_cepapp.")
        t = cls.tmp
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", t + "/k.pem",
            "-subj", "/CN=member1.lab.example.com", "-days", "2", "-out", t + "/cert.pem")
        run("openssl", "x509", "-in", t + "/cert.pem", "-outform", "DER", "-out", t + "/cert.der")
        run("openssl", "crl2pkcs7", "-nocrl", "-certfile", t + "/cert.pem", "-outform", "DER",
            "-out", t + "/p7.der")
        run("openssl", "req", "-new", "-key", t + "/k.pem", "-subj", "/CN=member1",
            "-outform", "DER", "-out", t + "/req.der")
        for ca in ("ca", "ca2"):
            os.mkdir(os.path.join(t, ca))
            shutil.copy(t + "/cert.pem", os.path.join(t, ca, "ca.pem"))
        with open(t + "/req.der", "rb") as f:
            cls.csr = f.read()
        with open(t + "/cert.pem") as f:
            cls.cert_pem = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.config({})
        os.environ["CEPAPP_CA_LOCAL"] = os.path.join(HERE, "test_cepapp_fake_ca_local.py")
        if os.path.exists(self.tmp + "/calls.log"):
            os.unlink(self.tmp + "/calls.log")

    def config(self, template_cas, ca2_renewal_only=False):
        t = self.tmp
        uris = lambda ca, ro: [{"auth": a, "uri": "https://cep.lab.example.com/%s_CES_%s/service.svc/CES"
                                % (ca, n), "priority": i + 1, "renewal_only": ro}
                               for i, (n, a) in enumerate([("Kerberos", "kerberos"),
                                                           ("UsernamePassword", "password"),
                                                           ("Certificate", "certificate")])]
        cfg = {"policy_id": "{7C1F3E2A-5B4D-4C6E-8F90-A1B2C3D4E5F6}", "friendly_name": "Test CEP",
               "next_update_hours": 5, "realm": "LAB.EXAMPLE.COM", "ca_local": "/nonexistent",
               "sam_ldb": t + "/sam.ldb", "smb_conf": t + "/smb.conf",
               "cas": [{"name": "LAB-CA", "dir": t + "/ca", "templates": None,
                        "uris": uris("LAB-CA", False)},
                       {"name": "LAB-CA2", "dir": t + "/ca2", "templates": ["LabMachine"],
                        "uris": uris("LAB-CA2", ca2_renewal_only)}],
               "template_cas": template_cas}
        with open(t + "/cep.json", "w") as f:
            json.dump(cfg, f)
        os.environ["CEPAPP_CONFIG"] = t + "/cep.json"

    def calls(self):
        try:
            with open(self.tmp + "/calls.log") as f:
                return [json.loads(line) for line in f]
        except FileNotFoundError:
            return []

    def save(self, name, body):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(body)
        return path

    def xcep(self, path):
        p = subprocess.run([os.environ["AUTOENROLL"], "xcep", path], capture_output=True,
                           text=True, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def wstep(self, path):
        p = subprocess.run([os.environ["WSTEP_CHECK"], path], capture_output=True, text=True,
                           check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        return dict(kv.split("=", 1) for kv in p.stdout.split())

    def fuzz_replay(self, harness, path):
        p = subprocess.run([os.environ[harness], path], capture_output=True, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_get_policies(self):
        st, ct, body, hdrs = cepapp.handle(CEP_KERB, KERB, get_policies())
        self.assertEqual((st, ct, hdrs), (200, "application/soap+xml; charset=utf-8", []))
        out = self.xcep(self.save("gpr.xml", body))
        self.fuzz_replay("FUZZ_XCEP", self.tmp + "/gpr.xml")
        self.assertIn("policy ID {7C1F3E2A-5B4D-4C6E-8F90-A1B2C3D4E5F6}", out)
        self.assertIn("next update in 5 hours", out)
        self.assertIn("policy LabMachine", out)
        self.assertIn("policy LabNew", out)          # versions 6/6 admit 0x06060000
        self.assertNotIn("LabUnpublished", out)      # no CA offers it
        self.assertIn("permission enroll no  autoEnroll no", out)  # LabNoEnroll
        self.assertIn("hash 2.16.840.1.101.3.4.2.1", out)          # schema 4's SHA256
        self.assertIn("LAB-CA2_CES_UsernamePassword/service.svc/CES  auth 4", out)
        self.assertEqual(self.calls()[0][:3], ["whois", "--principal", "MEMBER1$@LAB.EXAMPLE.COM"])
        self.assertEqual(self.calls()[1][:3], ["policies", "--caller-sid", "S-1-5-21-1-2-3-1103"])

    def test_versions_nil_hide_newer_templates(self):
        st, _ct, body, _h = cepapp.handle(CEP_KERB, KERB, get_policies(cv=None, sv=None))
        self.assertEqual(st, 200)
        out = self.xcep(self.save("gpr_nil.xml", body))
        self.assertIn("policy LabMachine", out)
        self.assertNotIn("policy LabNew", out)

    def test_template_cas(self):
        self.config({"LabMachine": ["LAB-CA2"]})
        st, _ct, body, _h = cepapp.handle(CEP_KERB, KERB, get_policies())
        out = self.xcep(self.save("gpr_cas.xml", body))
        machine = out.split("policy LabMachine", 1)[1].split("policy ", 1)[0]
        self.assertIn("CA 1", machine)
        self.assertNotIn("CA 0", machine)
        # LAB-CA's CES must then refuse LabMachine: ca-local is told so
        cepapp.handle(CES_KERB, KERB, issue(self.csr, "LabMachine"))
        submit = [c for c in self.calls() if c[0] == "submit"][0]
        self.assertEqual(submit[submit.index("--not-templates") + 1], "LabMachine")

    def test_issue(self):
        st, _ct, body, _h = cepapp.handle(CES_KERB, KERB, issue(self.csr, "LabMachine"))
        self.assertEqual(st, 200)
        r = self.wstep(self.save("issued.xml", body))
        self.fuzz_replay("FUZZ_WSTEP", self.tmp + "/issued.xml")
        self.assertEqual(r["disposition"], "issued")
        self.assertEqual(r["request_id"], "8")
        self.assertEqual(int(r["cert"]), os.path.getsize(self.tmp + "/cert.der"))
        self.assertEqual(r["chain_certs"], "1")
        submit = self.calls()[1]
        self.assertEqual(submit[:7], ["submit", "--caller-sid", "S-1-5-21-1-2-3-1103",
                                      "--ca-dir", self.tmp + "/ca", "--ca-name", "LAB-CA"])
        self.assertIn("CertificateTemplate:LabMachine", submit)
        self.assertEqual(submit[-1], "<stdin %d bytes>" % len(self.csr))

    def test_ca2_lists_its_templates(self):
        ces2 = "/LAB-CA2_CES_Kerberos/service.svc/CES"
        st, _ct, _b, _h = cepapp.handle(ces2, KERB, issue(self.csr, "LabMachine"))
        self.assertEqual(st, 200)
        submit = self.calls()[1]
        self.assertEqual(submit[submit.index("--ca-templates") + 1], "LabMachine")
        self.assertEqual(submit[submit.index("--ca-name") + 1], "LAB-CA2")

    def test_denied_fault(self):
        st, _ct, body, _h = cepapp.handle(CES_KERB, KERB, issue(self.csr, "LabNoEnroll"))
        self.assertEqual(st, 500)
        r = self.wstep(self.save("denied.xml", body))
        self.assertEqual((r["disposition"], r["error"], r["request_id"], r["invalid"]),
                         ("denied", "0x80094012", "7", "1"))

    def test_pending_then_query(self):
        st, _ct, body, _h = cepapp.handle(CES_KERB, KERB, issue(self.csr, "LabPending"))
        self.assertEqual(st, 200)
        r = self.wstep(self.save("pending.xml", body))
        self.assertEqual((r["disposition"], r["request_id"], r["cert"]), ("pending", "9", "0"))
        st, _ct, body, _h = cepapp.handle(CES_KERB, KERB, query("5"))
        r = self.wstep(self.save("retrieved.xml", body))
        self.assertEqual((st, r["disposition"], r["request_id"]), (200, "issued", "5"))
        self.assertEqual(self.calls()[-1][:2], ["retrieve", "--caller-sid"])
        self.assertIn("--request-id", self.calls()[-1])

    def test_query_unknown_is_a_fault(self):
        st, _ct, body, _h = cepapp.handle(CES_KERB, KERB, query("77"))
        r = self.wstep(self.save("unknown.xml", body))
        self.assertEqual((st, r["disposition"], r["error"]), (500, "denied", "0x80094002"))

    def test_refused_before_ca_local(self):
        doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + get_policies()[38:]
        cases = [(CEP_KERB, KERB, doctype, 400),
                 (CEP_KERB, KERB, issue(self.csr), 400),           # CES action at the CEP
                 (CES_KERB, KERB, query("abc"), 400),
                 (CES_KERB, KERB, get_policies(), 400),
                 ("/LAB-CA3_CES_Kerberos/service.svc/CES", KERB, issue(self.csr), 400),
                 ("/LAB-CA_CES_Magic/service.svc/CES", KERB, issue(self.csr), 400),
                 (CEP_KERB, {"kind": "none"}, get_policies(), 403),
                 ("/ADPolicyProvider_CEP_KerberosCB/service.svc/CEP", KERB, get_policies(), 403),
                 ("/LAB-CA_CES_Certificate/service.svc/CES", KERB, issue(self.csr), 403),
                 (CES_KERB, KERB, b"\xff\xfe<\x00", 400),
                 (CES_KERB, KERB, b"x" * (cepapp_xml.MAX_BYTES + 1), 400)]
        for ep, ident, body, want in cases:
            st, _ct, out, _h = cepapp.handle(ep, ident, body)
            self.assertEqual(st, want, (ep, body[:80]))
            self.assertIn(b"<s:Fault>", out)
        self.assertEqual([c for c in self.calls() if c[0] != "whois"], [])

    def test_unknown_account(self):
        st, _ct, _b, _h = cepapp.handle(CEP_KERB, {"kind": "kerberos",
                                                   "principal": "nobody@LAB.EXAMPLE.COM"},
                                        get_policies())
        self.assertEqual(st, 403)

    def test_password(self):
        seen = []
        real = cepapp_auth.verify_password

        def fake(principal, password, krb5_conf=None):
            seen.append((principal, password))
            if password != "Secret&1":
                raise cepapp_auth.AuthFailed("refused")
        cepapp_auth.verify_password = fake
        try:
            token = lambda pw: (
                '<o:Security xmlns:o="%s" s:mustUnderstand="1"><o:UsernameToken>'
                '<o:Username>LAB\\alice</o:Username><o:Password Type="http://docs.oasis-open.org/'
                'wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">%s'
                '</o:Password></o:UsernameToken></o:Security>' % (WSSE, pw))
            ep = "/LAB-CA_CES_UsernamePassword/service.svc/CES"
            st, _ct, _b, _h = cepapp.handle(ep, {"kind": "none"},
                                            issue(self.csr, "LabMachine", header_extra=token("Secret&amp;1")))
            self.assertEqual(st, 200)
            self.assertEqual(seen[0], ("alice@LAB.EXAMPLE.COM", "Secret&1"))
            self.assertEqual(self.calls()[1][2], "S-1-5-21-1-2-3-1104")
            st, _ct, _b, _h = cepapp.handle(ep, {"kind": "none"},
                                            issue(self.csr, "LabMachine", header_extra=token("wrong")))
            self.assertEqual(st, 403)
            st, _ct, _b, _h = cepapp.handle(ep, {"kind": "none"}, issue(self.csr, "LabMachine"))
            self.assertEqual(st, 403)
            # the password never reaches a child's arguments
            self.assertFalse([c for c in self.calls() if any("Secret" in a for a in c)])
        finally:
            cepapp_auth.verify_password = real

    def test_certificate(self):
        ep = "/LAB-CA_CES_Certificate/service.svc/CES"
        ident = {"kind": "certificate", "client_cert_pem": self.cert_pem}
        st, _ct, _b, _h = cepapp.handle(ep, ident, issue(self.csr, "LabMachine"))
        self.assertEqual(st, 200)
        whois = self.calls()[0]
        self.assertEqual(whois[:2], ["whois", "--cert"])
        self.assertEqual([whois[i + 1] for i, a in enumerate(whois) if a == "--ca-dir"],
                         [self.tmp + "/ca", self.tmp + "/ca2"])

    def test_renewal_only(self):
        self.config({}, ca2_renewal_only=True)
        ces2 = "/LAB-CA2_CES_Kerberos/service.svc/CES"
        st, _ct, _b, _h = cepapp.handle(ces2, KERB, issue(self.csr, "LabMachine"))
        self.assertEqual(st, 400)
        with open(self.tmp + "/p7.der", "rb") as f:   # a signedData stands for the renewal
            cms = f.read()
        st, _ct, _b, _h = cepapp.handle(ces2, KERB, issue(cms, "LabMachine", value_type=WSSE + "#PKCS7"))
        self.assertEqual(st, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
