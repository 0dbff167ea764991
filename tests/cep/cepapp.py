"""cepapp: the XCEP/WSTEP logic of the lab's test CEP/CES (tests/cep).

The web server in front (Apache: TLS, Kerberos, client certificates,
channel bindings) authenticates the connection and calls

    handle(endpoint, identity, body) -> (status, content_type, body, extra_headers)

endpoint   which end point was called, either a dict
               {"kind": "CEP" | "CES", "ca": "<CA name>" (CES only),
                "auth": "kerberos" | "kerberos-cb" | "password" | "certificate"}
           or its URL path (or whole URL) in AD CS's naming:
               /ADPolicyProvider_CEP_<Auth>/service.svc/CEP
               /<CA name>_CES_<Auth>/service.svc/CES
           with <Auth> Kerberos, KerberosCB, UsernamePassword, Certificate.
identity   what the web server established about the client:
               {"kind": "kerberos" | "kerberos-cb" | "password" |
                        "certificate" | "none",
                "principal": "MEMBER1$@LAB.EXAMPLE.COM" (Kerberos kinds),
                "client_cert_pem": "-----BEGIN CERTIFICATE-----..." (certificate)}
           "kerberos-cb" means the acceptor verified the TLS channel
           bindings. A password end point authenticates the SOAP header's
           UsernameToken itself (identity kind "password" or "none").
body       the HTTP request body (bytes).
status     200 with a GetPoliciesResponse or a
           RequestSecurityTokenResponseCollection; 500 with a SOAP 1.2 fault
           (s:Receiver: a CA refusal, with CertificateEnrollmentWSDetail, or
           an internal error); 400 with a fault (s:Sender) for a request we
           cannot read; 403 with a fault when the caller is not
           authenticated for this end point.
content_type  "application/soap+xml; charset=utf-8"
extra_headers [] (a list of (name, value) pairs, for the server to add)

Configuration: the JSON file named by CEPAPP_CONFIG (cepapp-setup.sh writes
$LAB/cep/cep.json):
    {"policy_id": "{GUID}", "friendly_name": "...", "next_update_hours": 8,
     "realm": "LAB.EXAMPLE.COM", "krb5_conf": "$LAB/krb5.conf", "ca_local": "/path/ca-local",
     "sam_ldb": "$LAB/dc/private/sam.ldb", "smb_conf": "$LAB/dc/etc/smb.conf",
     "cas": [{"name": "LAB-CA", "dir": "$LAB/ca", "templates": null,
              "uris": [{"auth": "kerberos", "uri": "https://.../LAB-CA_CES_Kerberos/service.svc/CES",
                        "priority": 1, "renewal_only": false}, ...]}, ...],
     "template_cas": {"LabWebServer": ["LAB-CA2"]}}
"templates": null takes the CA's list from its Enrollment Services object
in AD; a list replaces it (LAB-CA2 has no AD object). "template_cas" names
the only CAs (cAReferences) that offer a template; its CES for another CA
refuses it. CEPAPP_CA_LOCAL overrides "ca_local" (the unit tests' fake).
"""

import base64
import json
import os
import re
import subprocess
import sys

import cepapp_auth
import cepapp_wstep
import cepapp_xcep
from cepapp_xml import NS_XCEP, BadRequest, envelope, fault, header_text, parse, soap

CONTENT_TYPE = "application/soap+xml; charset=utf-8"
AUTH_NAMES = {"Kerberos": "kerberos", "KerberosCB": "kerberos-cb",
              "UsernamePassword": "password", "Certificate": "certificate"}
CA_LOCAL_TIMEOUT = 60
CA_LOCAL_OUTPUT_MAX = 1024 * 1024
_PATH = re.compile(r"^/([A-Za-z0-9._-]{1,64})_(CEP|CES)_([A-Za-z]+)/service\.svc/(CEP|CES)/?$")


class Internal(Exception):
    """The service could not do its part (configuration, ca-local)."""


def load_config(path=None):
    path = path or os.environ.get("CEPAPP_CONFIG")
    if not path:
        raise Internal("CEPAPP_CONFIG is not set")
    with open(path, "rb") as f:
        cfg = json.loads(f.read(1024 * 1024))
    for k in ("policy_id", "realm", "cas"):
        if k not in cfg:
            raise Internal("%s: no %s" % (path, k))
    return cfg


def parse_endpoint(endpoint):
    """dict or path -> {"kind", "ca", "auth"}."""
    if isinstance(endpoint, dict):
        ep = {"kind": endpoint.get("kind"), "ca": endpoint.get("ca"),
              "auth": endpoint.get("auth")}
    else:
        path = re.sub(r"^https://[^/]+", "", str(endpoint)).split("?", 1)[0]
        m = _PATH.match(path)
        if m is None or m.group(2) != m.group(4) or m.group(3) not in AUTH_NAMES:
            raise BadRequest("no such end point: %r" % path)
        ep = {"kind": m.group(2), "auth": AUTH_NAMES[m.group(3)],
              "ca": m.group(1) if m.group(2) == "CES" else None}
    if ep["kind"] not in ("CEP", "CES") or ep["auth"] not in AUTH_NAMES.values() or (
            ep["kind"] == "CES" and not ep["ca"]):
        raise BadRequest("no such end point: %r" % (endpoint,))
    return ep


def _endpoint_text(endpoint):
    if isinstance(endpoint, dict):
        return "%s/%s/%s" % (endpoint.get("kind"), endpoint.get("ca"), endpoint.get("auth"))
    return repr(endpoint)[:200]


def run_ca_local(cfg, args, stdin=b""):
    """ca-local ARGS -> its JSON; Internal on failure. The child gets only the
    paths it needs in its environment (no secret ever goes to it)."""
    exe = os.environ.get("CEPAPP_CA_LOCAL") or cfg.get("ca_local")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
           "ICPR_SAM_LDB": cfg.get("sam_ldb", ""), "ICPR_SMB_CONF": cfg.get("smb_conf", "")}
    try:
        p = subprocess.run([exe] + args, input=stdin, capture_output=True, env=env,
                           timeout=CA_LOCAL_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired, TypeError) as e:
        raise Internal("ca-local: %s" % e) from None
    err = p.stderr.decode("utf-8", "replace").strip().replace("\n", " | ")
    if p.returncode != 0 or len(p.stdout) > CA_LOCAL_OUTPUT_MAX:
        raise Internal("ca-local %s: exit %d: %s" % (args[0], p.returncode, err[-500:]))
    try:
        return json.loads(p.stdout)
    except ValueError:
        raise Internal("ca-local %s: output is not JSON" % args[0]) from None


def _ca(cfg, name):
    for ca in cfg["cas"]:
        if ca["name"].lower() == (name or "").lower():
            return ca
    return None


def _whois(cfg):
    def whois(kind, value):
        if kind == "principal":
            args, stdin = ["whois", "--principal", value], b""
        else:
            args, stdin = ["whois", "--cert"], value.encode("ascii", "replace")
            for ca in cfg["cas"]:
                args += ["--ca-dir", ca["dir"]]
        try:
            return run_ca_local(cfg, args, stdin)
        except Internal as e:
            raise cepapp_auth.AuthFailed("no account for this caller (%s)" % e) from None
    return whois


def _ca_cert_der(ca):
    with open(os.path.join(ca["dir"], "ca.pem"), "r", encoding="ascii") as f:
        pem = f.read(64 * 1024)
    m = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem, re.S)
    if m is None:
        raise Internal("%s/ca.pem: no certificate" % ca["dir"])
    return base64.b64decode("".join(m.group(1).split()))


def get_policies(cfg, account, gp, relates_to):
    req = cepapp_xcep.read_request(gp)
    pol = run_ca_local(cfg, ["policies", "--caller-sid", account["sid"]])
    certs = {ca["name"]: _ca_cert_der(ca) for ca in cfg["cas"]}
    body = cepapp_xcep.build_response(cfg, pol, req, certs)
    return 200, soap(cepapp_xcep.ACTION_RESPONSE, relates_to, body), "GetPolicies"


def _not_here(cfg, ca):
    """Templates whose cAReferences (template_cas) leave this CA out."""
    return [t for t, cas in sorted(cfg.get("template_cas", {}).items())
            if ca["name"] not in cas]


def request_token(cfg, ep, account, rst, relates_to):
    ca = _ca(cfg, ep["ca"])
    uris = [u for u in ca["uris"] if u["auth"] == ep["auth"]] if ca else []
    if not uris:
        raise BadRequest("no CES of CA %r takes %s" % (ep["ca"], ep["auth"]))
    req = cepapp_wstep.read_request(rst)
    args = ["--caller-sid", account["sid"], "--ca-dir", ca["dir"], "--ca-name", ca["name"]]
    if req["type"] == "query":
        ans = run_ca_local(cfg, ["retrieve"] + args + ["--request-id", str(req["request_id"])])
        what = "QueryTokenStatus %d" % req["request_id"]
    else:
        if all(u.get("renewal_only") for u in uris) and not _is_cms(req["der"]):
            raise BadRequest("this CES of %s takes renewals only" % ca["name"])
        if ca.get("templates") is not None:
            args += ["--ca-templates", ",".join(ca["templates"]) or ","]
        if _not_here(cfg, ca):
            args += ["--not-templates", ",".join(_not_here(cfg, ca))]
        if req["template"] is not None:
            args += ["--attrib", "CertificateTemplate:" + req["template"]]
        ans = run_ca_local(cfg, ["submit"] + args, req["der"])
        what = "Issue %s" % (req["template"] or "-")
    status, body = cepapp_wstep.answer(relates_to, ans)
    return status, body, "%s -> %s id=%s 0x%08x %s" % (
        what, ca["name"], ans.get("request_id"), ans.get("disposition", 0) & 0xFFFFFFFF,
        ans.get("message"))


def _is_cms(der):
    """A ContentInfo of signedData (1.2.840.113549.1.7.2): the renewal's CMS."""
    return der[:1] == b"\x30" and b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in der[:24]


def _dispatch(cfg, ep, identity, body):
    header, first = envelope(parse(body))
    action = header_text(header, "Action")
    mid = header_text(header, "MessageID")
    relates_to = mid if mid and len(mid) <= 256 else None
    expect = cepapp_xcep.ACTION if ep["kind"] == "CEP" else cepapp_wstep.ACTION
    if action != expect:
        raise BadRequest("action %r is not %s's %s" % (action, ep["kind"], expect))
    if ep["kind"] == "CEP" and (first.ns != NS_XCEP or first.name != "GetPolicies"):
        raise BadRequest("the Body is not a GetPolicies")
    try:
        account, who = cepapp_auth.caller(ep["auth"], identity, header, cfg["realm"],
                                          _whois(cfg), cfg.get("krb5_conf"))
    except cepapp_auth.AuthFailed as e:
        return 403, fault(relates_to, "s:Sender", "authentication failed: %s" % e,
                          "a:FailedAuthentication"), "refused: %s" % e
    if ep["kind"] == "CEP":
        status, out, what = get_policies(cfg, account, first, relates_to)
    else:
        status, out, what = request_token(cfg, ep, account, first, relates_to)
    return status, out, "%s (%s): %s" % (account.get("name"), who, what)


def handle(endpoint, identity, body):
    """The contract in this module's docstring."""
    relates_to = None
    try:
        cfg = load_config()
        ep = parse_endpoint(endpoint)
        status, out, line = _dispatch(cfg, ep, identity, body)
    except BadRequest as e:
        status, out, line = 400, fault(relates_to, "s:Sender", str(e)), "bad request: %s" % e
    except (Internal, OSError, ValueError, KeyError, TypeError) as e:
        status = 500
        out = fault(relates_to, "s:Receiver", "the service failed: %s" % type(e).__name__)
        line = "internal error: %s: %s" % (type(e).__name__, e)
    print("cepapp: %s %d %s" % (_endpoint_text(endpoint), status, line),
          file=sys.stderr, flush=True)
    return status, CONTENT_TYPE, out, []
