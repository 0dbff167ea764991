#!/usr/bin/python3
"""negotiate_client.py: one HTTPS POST with HTTP Negotiate (SPNEGO, RFC 4559)
whose Kerberos authenticator carries chosen GSS-API channel bindings, for the
channel-binding scenarios (curl 7.88 sends none).

  negotiate_client.py URL --cafile CA [--bindings right|wrong|none]
                      [--body FILE] [--soap-action URI]

right: "tls-server-end-point:" + the hash of the certificate this TLS
connection presented (RFC 5929 section 4.1: the hash of its signature
algorithm, SHA-256 for MD5 and SHA-1); wrong: the same with one byte
changed; none: no bindings. The credentials: KRB5CCNAME; the target
HTTP@<host of the URL>; mutual authentication requested and the server's
final token checked.

Prints "status N", "mutual yes|no", "element X" (the first element in a
SOAP Body, or -) and the body's first line (300 characters); exit 0
when the server accepted the authentication (any status but 401/403: the
application behind may still fault the request) and its final token
completed the context, 1 when it refused (401/403), 2 otherwise.
"""
import argparse
import base64
import hashlib
import http.client
import re
import ssl
import sys
import urllib.parse

SPNEGO = '1.3.6.1.5.5.2'


def end_point_hash(der):
    from cryptography import x509
    alg = x509.load_der_x509_certificate(der).signature_hash_algorithm
    name = alg.name.lower() if alg else 'sha256'
    if name in ('md5', 'sha1'):
        name = 'sha256'
    return hashlib.new(name, der).digest()


def main():
    import gssapi
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('url')
    ap.add_argument('--cafile', required=True)
    ap.add_argument('--bindings', choices=('right', 'wrong', 'none'), default='right')
    ap.add_argument('--body')
    ap.add_argument('--soap-action')
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    if u.scheme != 'https' or not u.hostname:
        raise SystemExit('negotiate_client: an https:// URL is needed')
    body = open(a.body, 'rb').read() if a.body else b''
    tls = ssl.create_default_context(cafile=a.cafile)
    conn = http.client.HTTPSConnection(u.hostname, u.port or 443, context=tls, timeout=30)
    conn.connect()
    der = conn.sock.getpeercert(binary_form=True)
    cb = None
    if a.bindings != 'none':
        h = bytearray(end_point_hash(der))
        if a.bindings == 'wrong':
            h[-1] ^= 0x01
        cb = gssapi.raw.ChannelBindings(application_data=b'tls-server-end-point:' + bytes(h))
    target = gssapi.Name('HTTP@' + u.hostname, gssapi.NameType.hostbased_service)
    flags = gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.out_of_sequence_detection
    ctx = gssapi.SecurityContext(name=target, usage='initiate', flags=flags,
                                 mech=gssapi.OID.from_int_seq(SPNEGO), channel_bindings=cb)
    token = ctx.step()
    ctype = 'application/soap+xml; charset=utf-8'
    if a.soap_action:
        ctype += '; action="%s"' % a.soap_action
    path = u.path + ('?' + u.query if u.query else '')
    conn.request('POST', path, body=body, headers={
        'Authorization': 'Negotiate ' + base64.b64encode(token).decode(),
        'Content-Type': ctype})
    r = conn.getresponse()
    out = r.read()
    mutual = 'no'
    m = re.fullmatch(r'Negotiate +([A-Za-z0-9+/]+={0,2})', (r.getheader('WWW-Authenticate') or '').strip())
    if m and r.status not in (401, 403):
        try:
            ctx.step(base64.b64decode(m.group(1)))
            mutual = 'yes' if ctx.complete else 'no'
        except gssapi.exceptions.GSSError as e:
            mutual = 'no (%s)' % ' '.join(str(e).split())
    print('status %d' % r.status)
    print('mutual %s' % mutual)
    text = out.decode('utf-8', 'replace')
    el = re.search(r'<(?:[A-Za-z0-9_]+:)?Body\b[^>]*>\s*<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)', text)
    print('element %s' % (el.group(1) if el else '-'))
    print('body %s' % text.split('\n')[0][:300])
    if r.status in (401, 403):
        return 1
    return 0 if mutual == 'yes' else 2


if __name__ == '__main__':
    sys.exit(main())
