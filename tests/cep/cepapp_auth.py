"""cepapp_auth: who is calling the test CEP/CES, as an account SID.

[MS-XCEP] 3.1.4.1 / [MS-WSTEP] 3.1.4.2: the message is processed only for
an authenticated caller; otherwise a SOAP fault. By end point
authentication (cep.json / the endpoint's path):
  kerberos     identity kind "kerberos" or "kerberos-cb", its principal
  kerberos-cb  identity kind "kerberos-cb" only (the acceptor checked the
               TLS channel bindings)
  password     the WS-Security UsernameToken of the SOAP header (Username,
               Password of Type PasswordText), verified against the lab's
               KDC by asking it for the user's TGT (python3-gssapi,
               acquire_cred_with_password; the process runs in the lab's
               network namespace); identity kind "password" or "none"
  certificate  identity kind "certificate" with client_cert_pem; ca-local
               checks its chain against the service's CAs and maps it
The principal or certificate is then resolved to the account by
`ca-local whois`. The password is never logged nor passed to a child.
"""

import os

from cepapp_xml import NS_WSSE

PASSWORD_TEXT = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-username-token-profile-1.0#PasswordText")
MAX_NAME = 256
MAX_PASSWORD = 1024
MAX_CERT_PEM = 64 * 1024


class AuthFailed(Exception):
    """The caller is not authenticated (or not the kind the end point takes)."""


def username_token(header):
    """(username, password) of the SOAP header's wsse:Security/UsernameToken."""
    sec = header.child(NS_WSSE, "Security") if header is not None else None
    tok = sec.child(NS_WSSE, "UsernameToken") if sec is not None else None
    if tok is None:
        raise AuthFailed("no WS-Security UsernameToken")
    user = tok.child(NS_WSSE, "Username")
    pw = tok.child(NS_WSSE, "Password")
    if user is None or pw is None:
        raise AuthFailed("UsernameToken without Username or Password")
    if pw.attr("Type") not in (None, PASSWORD_TEXT):
        raise AuthFailed("UsernameToken Password is not PasswordText")
    name, secret = user.text.strip(), pw.text
    if not name or len(name) > MAX_NAME or not secret or len(secret) > MAX_PASSWORD:
        raise AuthFailed("UsernameToken Username or Password empty or too long")
    return name, secret


def principal_of(username, realm):
    """alice, LAB\\alice, alice@realm -> alice@REALM (another realm: refused)."""
    if any(c in username for c in "/()*\r\n\t"):
        raise AuthFailed("username %r has characters a principal cannot" % username)
    if "\\" in username:
        username = username.split("\\", 1)[1]
    if "@" in username:
        user, r = username.rsplit("@", 1)
        if r.upper() != realm.upper():
            raise AuthFailed("username %r is not of realm %s" % (username, realm))
        username = user
    if not username:
        raise AuthFailed("empty username")
    return "%s@%s" % (username, realm.upper())


def verify_password(principal, password, krb5_conf=None):
    """The KDC issues principal a TGT for this password, or AuthFailed.
    krb5_conf: the lab's krb5.conf, when KRB5_CONFIG is not already set."""
    if krb5_conf and not os.environ.get("KRB5_CONFIG"):
        os.environ["KRB5_CONFIG"] = krb5_conf
    import gssapi  # python3-gssapi (Debian); only the password end point needs it
    import gssapi.raw

    try:
        name = gssapi.Name(principal, gssapi.NameType.kerberos_principal)
        gssapi.raw.acquire_cred_with_password(name, password.encode("utf-8"),
                                              usage="initiate")
    except gssapi.exceptions.GSSError as e:
        raise AuthFailed("password of %s refused by the KDC (%s)"
                         % (principal, e.gen_message())) from None


def _with_realm(p, realm):
    """A principal without its realm (a server's local name) is of the lab's realm."""
    return p if "@" in p else "%s@%s" % (p, realm.upper())


def caller(endpoint_auth, identity, header, realm, whois, krb5_conf=None):
    """-> (account dict from whois: sid, name, dn; a description for the log).

    whois(kind, value) runs `ca-local whois` (kind "principal" or "cert")."""
    kind = (identity or {}).get("kind", "none")
    if endpoint_auth in ("kerberos", "kerberos-cb"):
        if kind not in ("kerberos", "kerberos-cb") or (
                endpoint_auth == "kerberos-cb" and kind != "kerberos-cb"):
            raise AuthFailed("end point %s takes no %s caller" % (endpoint_auth, kind))
        p = identity.get("principal") or ""
        if not p or len(p) > MAX_NAME:
            raise AuthFailed("no Kerberos principal")
        p = _with_realm(p, realm)
        return whois("principal", p), "%s %s" % (kind, p)
    if endpoint_auth == "password":
        if kind not in ("password", "none"):
            raise AuthFailed("end point password takes no %s caller" % kind)
        user, secret = username_token(header)
        p = principal_of(user, realm)
        verify_password(p, secret, krb5_conf)
        return whois("principal", p), "password %s" % p
    if endpoint_auth == "certificate":
        pem = identity.get("client_cert_pem") if kind == "certificate" else None
        if not pem or len(pem) > MAX_CERT_PEM:
            raise AuthFailed("no client certificate")
        return whois("cert", pem), "certificate"
    raise AuthFailed("unknown end point authentication %r" % endpoint_auth)
