#!/usr/bin/python3
"""backend.py: the test CEP/CES behind the lab's Apache httpd.

Apache (tests/cep/httpd.conf.in) terminates TLS, authenticates the Kerberos
and certificate end points and proxies the end point URLs, and nothing else,
to this process over a unix socket that only root and Apache's group can
open. This process builds the caller's identity and hands the SOAP request
to the CEP/CES logic: handle(endpoint, identity, body) of tests/cep/cepapp.py
(or of the module --app names), which returns (status, content_type, body,
extra_headers). endpoint is the URL path, e.g.
"/LAB-CA_CES_Kerberos/service.svc/CES" (cepapp.parse_endpoint reads it).

identity (dict):
  kind             "kerberos" | "kerberos-cb" | "password" | "certificate"
  principal        the Kerberos client principal (kerberos, kerberos-cb), the
                   client certificate's subject (certificate), else None
  client_cert_pem  the TLS client certificate, PEM (certificate), else None
  endpoint         the end point's name, e.g. "LAB-CA_CES_Kerberos"
  service          "CEP" (MS-XCEP) or "CES" (MS-WSTEP)
  name             the part before _CEP/_CES: "ADPolicyProvider" or a CA name
  url              the URL the client used
  channel_bound    True when the client's Kerberos authenticator carried the
                   connection's channel bindings (kerberos-cb: always True)

The KerberosCB end points (Extended Protection): Apache passes the
Authorization header through; this process accepts the SPNEGO token
(RFC 4559) with GSS-API channel bindings whose application data is
"tls-server-end-point:" + the hash of the server certificate (RFC 5929
section 4.1; the certificate comes from Apache in X-CEP-Server-Cert) and
requires GSS_C_CHANNEL_BOUND_FLAG in the result (MIT krb5 1.19 and later
set it only when the initiator's bindings matched; an initiator that sent
none is accepted by the mechanism without the flag, and refused here).
No Authorization: 401 with "WWW-Authenticate: Negotiate". Bindings missing
or wrong: 401 with a plain-text reason. Success: the application's answer
with the acceptor's final token in "WWW-Authenticate: Negotiate <base64>".

One JSON line per request goes to stdout (the caller redirects it to
$LAB/cep/backend.log): end point, kind, principal, status; never a body.
"""
import argparse
import base64
import binascii
import hashlib
import http.server
import importlib.util
import json
import os
import re
import socketserver
import sys
import threading
import traceback

PATH_RE = re.compile(r'/([A-Za-z0-9-]{1,64})_(CEP|CES)_(Kerberos|KerberosCB|UsernamePassword|Certificate)'
                     r'/service\.svc/(CEP|CES)')
KINDS = {'Kerberos': 'kerberos', 'KerberosCB': 'kerberos-cb',
         'UsernamePassword': 'password', 'Certificate': 'certificate'}
MAX_BODY = 1024 * 1024
MAX_TOKEN_B64 = 64 * 1024
LOG_LOCK = threading.Lock()


def log(**kw):
    with LOG_LOCK:
        sys.stdout.write(json.dumps(kw, sort_keys=True) + '\n')
        sys.stdout.flush()


def pem_to_der(value):
    """A PEM certificate as Apache puts it into a header (its line breaks
    may arrive as spaces) -> DER, or None."""
    m = re.search(r'-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----', value or '', re.S)
    if not m:
        return None
    b64 = re.sub(r'\s+', '', m.group(1))
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return None


def public_url(url):
    """The URL as the client wrote it: Apache gives the port always."""
    return re.sub(r'^(https://[^/:]+):443/', r'\1/', url or '') or None


def der_to_pem(der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return '-----BEGIN CERTIFICATE-----\n' + '\n'.join(lines) + '\n-----END CERTIFICATE-----\n'


def cert_subject(der):
    from cryptography import x509
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()


def tls_server_end_point(der):
    """RFC 5929 section 4.1: the hash of the certificate with the hash
    function of its signatureAlgorithm, SHA-256 when that is MD5 or SHA-1."""
    from cryptography import x509
    alg = x509.load_der_x509_certificate(der).signature_hash_algorithm
    if alg is None:
        raise ValueError('the server certificate signature uses no single hash '
                         '(RFC 5929 leaves tls-server-end-point undefined)')
    name = alg.name.lower()
    if name in ('md5', 'sha1'):
        name = 'sha256'
    return hashlib.new(name, der).digest()


class Unauthorized(Exception):
    def __init__(self, reason, token=None):
        super().__init__(reason)
        self.reason = reason
        self.token = token


def accept_negotiate(authorization, server_der, keytab):
    """Accept one SPNEGO/Kerberos token bound to the TLS channel; returns
    (principal, final token or b''). Raises Unauthorized."""
    import gssapi
    m = re.fullmatch(r'Negotiate +([A-Za-z0-9+/]+={0,2})', (authorization or '').strip())
    if not m or len(m.group(1)) > MAX_TOKEN_B64:
        raise Unauthorized('no Negotiate token (this end point requires Kerberos '
                           'with channel bindings)')
    try:
        token = base64.b64decode(m.group(1), validate=True)
    except (binascii.Error, ValueError):
        raise Unauthorized('the Negotiate token is not base64')
    if server_der is None:
        raise RuntimeError('Apache did not pass the server certificate (X-CEP-Server-Cert)')
    app_data = b'tls-server-end-point:' + tls_server_end_point(server_der)
    cb = gssapi.raw.ChannelBindings(application_data=app_data)
    store = {b'keytab': keytab.encode()} if keytab else None
    creds = gssapi.Credentials(usage='accept', store=store)
    try:
        res = gssapi.raw.accept_sec_context(token, creds, channel_bindings=cb)
    except gssapi.exceptions.BadChannelBindingsError:
        raise Unauthorized('channel bindings do not match this TLS connection '
                           '(tls-server-end-point, RFC 5929)')
    except gssapi.exceptions.GSSError as e:
        raise Unauthorized('Kerberos authentication failed: %s' % ' '.join(str(e).split()))
    out = res.token or b''
    if res.more_steps:
        raise Unauthorized('the GSS-API exchange needs more than one round trip '
                           '(not supported)', out)
    if not res.flags & gssapi.RequirementFlag.channel_bound:
        raise Unauthorized('channel bindings required (Extended Protection): the '
                           'client sent none')
    return gssapi.raw.display_name(res.initiator_name).name.decode(), out


def load_app(path):
    # the application's own modules (cepapp_*.py) sit beside it
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location('cepapp', path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules['cepapp'] = mod
    spec.loader.exec_module(mod)
    if not callable(getattr(mod, 'handle', None)):
        raise SystemExit('%s has no handle(endpoint, identity, body)' % path)
    return mod


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'cep-backend'
    sys_version = ''

    def log_message(self, fmt, *args):  # unix socket: no client address
        pass

    def reply(self, status, ctype, body, headers=()):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def do_GET(self):
        self.serve()

    def do_POST(self):
        self.serve()

    def do_HEAD(self):
        self.serve()

    def serve(self):
        rec = {'method': self.command, 'path': self.path[:200]}
        try:
            status = self.serve_inner(rec)
        except Exception:  # a bug here or in the app: 500, the trace in the log
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            status = 500
            self.close_connection = True
            self.reply(500, 'text/plain; charset=utf-8', b'internal error in the test CEP/CES\n')
        rec['status'] = status
        log(**rec)

    def read_body(self):
        n = self.headers.get('Content-Length')
        if n is None:
            return b''
        if not n.isdigit() or int(n) > MAX_BODY:
            raise ValueError('bad Content-Length')
        return self.rfile.read(int(n))

    def serve_inner(self, rec):
        m = PATH_RE.fullmatch(self.path)
        if not m or m.group(2) != m.group(4):
            self.close_connection = True  # its body is not read
            self.reply(404, 'text/plain; charset=utf-8', b'no such end point\n')
            return 404
        name, service, auth = m.group(1), m.group(2), m.group(3)
        endpoint = '%s_%s_%s' % (name, service, auth)
        kind = KINDS[auth]
        try:
            body = self.read_body()
        except ValueError:
            self.close_connection = True
            self.reply(413, 'text/plain; charset=utf-8', b'request body too large or malformed\n')
            return 413
        ident = {'kind': kind, 'principal': None, 'client_cert_pem': None,
                 'endpoint': endpoint, 'service': service, 'name': name,
                 'url': public_url(self.headers.get('X-CEP-Url')), 'channel_bound': False}
        rec.update(endpoint=endpoint, kind=kind)
        extra = []
        if kind == 'kerberos':
            user = self.headers.get('X-CEP-Remote-User') or ''
            if not user:
                raise RuntimeError('Apache passed no X-CEP-Remote-User on a Kerberos end point')
            ident['principal'] = user
        elif kind == 'kerberos-cb':
            server_der = pem_to_der(self.headers.get('X-CEP-Server-Cert'))
            try:
                principal, token = accept_negotiate(self.headers.get('Authorization'),
                                                    server_der, self.server.keytab)
            except Unauthorized as e:
                rec['refused'] = e.reason
                www = 'Negotiate' + (' ' + base64.b64encode(e.token).decode() if e.token else '')
                self.reply(401, 'text/plain; charset=utf-8', ('401 Unauthorized: %s\n' % e.reason).encode(),
                           [('WWW-Authenticate', www)])
                return 401
            ident['principal'] = principal
            ident['channel_bound'] = True
            if token:
                extra.append(('WWW-Authenticate', 'Negotiate ' + base64.b64encode(token).decode()))
        elif kind == 'certificate':
            der = pem_to_der(self.headers.get('X-CEP-Client-Cert'))
            if der is None:
                raise RuntimeError('Apache passed no client certificate on a certificate end point')
            ident['client_cert_pem'] = der_to_pem(der)
            ident['principal'] = cert_subject(der)
        rec['principal'] = ident['principal']
        if self.command != 'POST':
            self.reply(405, 'text/plain; charset=utf-8', b'SOAP end point: POST only\n',
                       extra + [('Allow', 'POST')])
            return 405
        status, ctype, out, headers = self.server.app.handle(self.path, ident, body)
        self.reply(int(status), ctype, out, extra + list(headers or []))
        return int(status)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--socket', required=True, help='unix socket to listen on (created)')
    ap.add_argument('--group', help='group allowed to connect (Apache\'s)')
    ap.add_argument('--keytab', help='acceptor keytab for the KerberosCB end points')
    ap.add_argument('--app', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cepapp.py'),
                    help='module with handle(endpoint, identity, body) [tests/cep/cepapp.py]')
    a = ap.parse_args()
    if not os.path.isfile(a.app):
        raise SystemExit('backend: no CEP/CES application at %s' % a.app)
    app = load_app(a.app)
    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    old = os.umask(0o177)
    srv = Server(a.socket, Handler)
    os.umask(old)
    if a.group:
        import grp
        os.chown(a.socket, 0, grp.getgrnam(a.group).gr_gid)
        os.chmod(a.socket, 0o660)
    srv.app = app
    srv.keytab = a.keytab
    log(event='listening', socket=a.socket, app=a.app, pid=os.getpid())
    try:
        srv.serve_forever()
    finally:
        srv.server_close()


if __name__ == '__main__':
    main()
