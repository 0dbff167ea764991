"""cepapp_xcep: the test CEP's GetPolicies ([MS-XCEP] 3.1.4.1.1).

read_request() takes the GetPolicies element (3.1.4.1.2.1, RequestFilter
3.1.4.1.3.22) and build_response() writes the GetPoliciesResponse
(3.1.4.1.2.2: Response 3.1.4.1.3.23, CACollection 3.1.4.1.3.4,
OIDCollection 3.1.4.1.3.19) from what `ca-local policies` printed for the
caller and the service's configuration (cep.json, see cepapp.py).
"""

import base64

from cepapp_xml import NS_XCEP, BadRequest, el

ACTION = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies"
ACTION_RESPONSE = ACTION + "Response"

# [MS-XCEP] 3.1.4.1.3.18 OID group values
GROUP_HASH, GROUP_PUBKEY, GROUP_EXT, GROUP_EKU, GROUP_POLICY, GROUP_TEMPLATE = 1, 3, 6, 7, 8, 9

# [MS-XCEP] 3.1.4.1.3.10 CAURI clientAuthentication
AUTH_BITS = {"kerberos": 2, "kerberos-cb": 2, "password": 4, "certificate": 8}

HASHES = {"SHA1": "1.3.14.3.2.26", "SHA256": "2.16.840.1.101.3.4.2.1",
          "SHA384": "2.16.840.1.101.3.4.2.2", "SHA512": "2.16.840.1.101.3.4.2.3"}
RSA_OID = "1.2.840.113549.1.1.1"
EC_OID = "1.2.840.10045.2.1"


def _int_or_none(node):
    if node is None or node.is_nil() or node.text.strip() == "":
        return None
    try:
        return int(node.text.strip())
    except ValueError:
        raise BadRequest("%s is not an integer" % node.name) from None


def read_request(gp):
    """GetPolicies -> {client_version, server_version, policy_oids (None: no filter)}."""
    client = gp.child(NS_XCEP, "client")
    if client is None or client.is_nil():
        raise BadRequest("GetPolicies without a client element")  # 3.1.4.1.2.1
    out = {"client_version": None, "server_version": None, "policy_oids": None}
    filt = gp.child(NS_XCEP, "requestFilter")
    if filt is None or filt.is_nil():
        return out
    out["client_version"] = _int_or_none(filt.child(NS_XCEP, "clientVersion"))
    out["server_version"] = _int_or_none(filt.child(NS_XCEP, "serverVersion"))
    oids = filt.child(NS_XCEP, "policyOIDs")
    if oids is not None and not oids.is_nil():
        out["policy_oids"] = {o.text.strip() for o in oids.all(NS_XCEP, "oid")}
    return out


def passes_filter(t, req):
    """RequestFilter: version nibbles of privateKeyFlags (a nil version counts as 0)."""
    pkf = t.get("private_key_flags", 0) & 0xFFFFFFFF
    cv = req["client_version"] or 0
    sv = req["server_version"] or 0
    if (pkf & 0x0F000000) > ((cv & 0xF) << 24) or (pkf & 0x000F0000) > ((sv & 0xF) << 16):
        return False
    return req["policy_oids"] is None or t.get("oid") in req["policy_oids"]


class _Oids:
    """The response's OIDCollection: one reference ID per (value, group)."""

    def __init__(self):
        self.items = []
        self.ids = {}

    def ref(self, value, group, name=None):
        key = (value, group)
        if key not in self.ids:
            self.ids[key] = len(self.items) + 1
            self.items.append((value, group, self.ids[key], name))
        return self.ids[key]

    def xml(self):
        return "".join(el("oID", raw=el("value", v) + el("group", g) + el("oIDReferenceID", i) +
                          (el("defaultName", n) if n else el("defaultName", nil=True)))
                       for v, g, i, n in self.items)


def _v4_props(t):
    """msPKI-RA-Application-Policies of a schema 4 template: name`type`value` triples."""
    props = {}
    for v in t.get("ra_app_policies", []):
        parts = v.split("`")
        for i in range(0, len(parts) - 2, 3):
            props[parts[i]] = parts[i + 2]
    return props


def _is_oid(s):
    return s != "" and all(c.isdigit() or c == "." for c in s)


def _private_key(t, oids, props):
    alg = props.get("msPKI-Asymmetric-Algorithm", "RSA")
    alg_oid = RSA_OID if alg.upper() == "RSA" else EC_OID
    csps = sorted((c.split(",", 1) for c in t.get("csps", []) if "," in c),
                  key=lambda p: int(p[0]) if p[0].isdigit() else 99)
    prov = "".join(el("provider", name) for _n, name in csps)
    ku = props.get("msPKI-Key-Usage")
    return el("privateKeyAttributes", raw=(
        el("minimalKeyLength", t.get("min_key_size", 0)) +
        (el("keySpec", t["key_spec"]) if t.get("key_spec") else el("keySpec", nil=True)) +
        (el("keyUsageProperty", ku) if ku and ku.isdigit() else el("keyUsageProperty", nil=True)) +
        el("permissions", nil=True) +
        el("algorithmOIDReference", oids.ref(alg_oid, GROUP_PUBKEY, alg)) +
        (el("cryptoProviders", raw=prov) if prov else el("cryptoProviders", nil=True))))


def _ra(t, oids):
    if not t.get("ra_signatures"):
        return el("rARequirements", nil=True)
    ekus = [v for v in t.get("ra_app_policies", []) if _is_oid(v)]
    pols = [v for v in t.get("ra_policies", []) if _is_oid(v)]
    ref = lambda vals, g: "".join(el("oIDReference", oids.ref(v, g)) for v in vals)
    return el("rARequirements", raw=(
        el("rASignatures", t["ra_signatures"]) +
        (el("rAEKUs", raw=ref(ekus, GROUP_EKU)) if ekus else el("rAEKUs", nil=True)) +
        (el("rAPolicies", raw=ref(pols, GROUP_POLICY)) if pols else el("rAPolicies", nil=True))))


def _extensions(t, oids):
    exts = t.get("extensions", [])
    if not exts:
        return el("extensions", nil=True)
    return el("extensions", raw="".join(
        el("extension", raw=el("oIDReference", oids.ref(x["oid"], GROUP_EXT)) +
           el("critical", "true" if x.get("critical") else "false") +
           (el("value", x["value"]) if x.get("value") else el("value", nil=True)))
        for x in exts))


def _attributes(t, oids):
    props = _v4_props(t)
    hash_oid = HASHES.get(props.get("msPKI-Hash-Algorithm", "").upper())
    sup = "".join(el("commonName", s) for s in t.get("superseded", []))
    u32 = lambda k: t.get(k, 0) & 0xFFFFFFFF
    return el("attributes", raw=(
        el("commonName", t["cn"]) +
        el("policySchema", t.get("schema_version", 1)) +
        el("certificateValidity", raw=(
            el("validityPeriodSeconds", t.get("validity_seconds") or 31536000) +
            el("renewalPeriodSeconds", t.get("renewal_seconds") or 3628800))) +
        el("permission", raw=(el("enroll", "true" if t.get("enroll") else "false") +
                              el("autoEnroll", "true" if t.get("autoenroll") else "false"))) +
        _private_key(t, oids, props) +
        el("revision", raw=el("majorRevision", t.get("revision", 0)) +
           el("minorRevision", t.get("minor_revision", 0))) +
        (el("supersededPolicies", raw=sup) if sup else el("supersededPolicies", nil=True)) +
        el("privateKeyFlags", u32("private_key_flags")) +
        el("subjectNameFlags", u32("name_flags")) +
        el("enrollmentFlags", u32("enrollment_flags")) +
        el("generalFlags", u32("flags")) +
        (el("hashAlgorithmOIDReference", oids.ref(hash_oid, GROUP_HASH, props["msPKI-Hash-Algorithm"]))
         if hash_oid else el("hashAlgorithmOIDReference", nil=True)) +
        _ra(t, oids) +
        el("keyArchivalAttributes", nil=True) +
        _extensions(t, oids)))


def _ca_xml(ca, ref_id, cert_der):
    uris = "".join(el("cAURI", raw=(
        el("clientAuthentication", AUTH_BITS[u["auth"]]) + el("uri", u["uri"]) +
        el("priority", u.get("priority", 1)) +
        el("renewalOnly", "true" if u.get("renewal_only") else "false")))
        for u in ca["uris"])
    return el("cA", raw=(el("uris", raw=uris) +
                         el("certificate", base64.b64encode(cert_der).decode("ascii")) +
                         el("enrollPermission", "true") +
                         el("cAReferenceID", ref_id)))


def ca_references(cfg, t, services):
    """Names of the CAs offering template t: cep.json's template_cas, else every
    CA whose template list (its own, or its Enrollment Service's) has it."""
    forced = cfg.get("template_cas", {}).get(t["cn"])
    names = []
    for ca in cfg["cas"]:
        offered = ca.get("templates")
        if offered is None:
            offered = services.get(ca["name"], [])
        if forced is not None:
            ok = ca["name"] in forced
        else:
            ok = any(o.lower() == t["cn"].lower() for o in offered)
        if ok:
            names.append(ca["name"])
    return names


def build_response(cfg, pol, req, ca_certs):
    """GetPoliciesResponse body XML. ca_certs: CA name -> DER certificate."""
    oids = _Oids()
    ref_ids = {ca["name"]: i for i, ca in enumerate(cfg["cas"])}
    policies = []
    for t in pol["templates"]:
        cas = ca_references(cfg, t, pol.get("services", {}))
        if not cas or not t.get("oid") or not passes_filter(t, req):
            continue
        tref = oids.ref(t["oid"], GROUP_TEMPLATE, t.get("display_name") or t["cn"])
        policies.append(el("policy", raw=(
            el("policyOIDReference", tref) +
            el("cAs", raw="".join(el("cAReference", ref_ids[n]) for n in cas)) +
            _attributes(t, oids))))
    response = el("response", raw=(
        el("policyID", cfg["policy_id"]) +
        el("policyFriendlyName", cfg.get("friendly_name", "")) +
        el("nextUpdateHours", cfg.get("next_update_hours", 8)) +
        el("policiesNotChanged", nil=True) +
        (el("policies", raw="".join(policies)) if policies else el("policies", nil=True))))
    cas = "".join(_ca_xml(ca, ref_ids[ca["name"]], ca_certs[ca["name"]]) for ca in cfg["cas"])
    return ('<GetPoliciesResponse xmlns="%s">%s%s%s</GetPoliciesResponse>'
            % (NS_XCEP, response, el("cAs", raw=cas),
               el("oIDs", raw=oids.xml()) if oids.items else el("oIDs", nil=True)))
