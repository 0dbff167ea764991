#!/usr/bin/python3
"""test_backend.py: tests/cep/backend.py without Apache or a KDC.

The RFC 5929 tls-server-end-point hash choice, the PEM-from-a-header
decoding, the end point paths, and the request handling over a real unix
socket with a recording application: the identity each kind builds, the
refusals (no Negotiate token, no principal or certificate from Apache, a
bad Content-Length, a path that is not an end point, GET).
"""
import base64
import datetime
import hashlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backend  # noqa: E402

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


def make_cert(alg, cn='cep.lab.example.com'):
    key = ed25519.Ed25519PrivateKey.generate() if alg is None else ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime(2026, 1, 1)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(key.public_key()).serial_number(1234)
         .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)))
    return b.sign(key, alg).public_bytes(serialization.Encoding.DER)


class Pure(unittest.TestCase):
    def test_end_point_hash_follows_the_signature(self):
        for alg, h in ((hashes.SHA256(), 'sha256'), (hashes.SHA384(), 'sha384'),
                       (hashes.SHA512(), 'sha512')):
            der = make_cert(alg)
            self.assertEqual(backend.tls_server_end_point(der), hashlib.new(h, der).digest(), h)

    def test_end_point_hash_sha1_becomes_sha256(self):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # SHA-1 signatures: deprecated, and the point here
            der = make_cert(hashes.SHA1())
        self.assertEqual(backend.tls_server_end_point(der), hashlib.sha256(der).digest())

    def test_end_point_hash_undefined_without_a_single_hash(self):
        with self.assertRaises(ValueError):
            backend.tls_server_end_point(make_cert(None))

    def test_pem_from_a_header_with_spaces(self):
        der = make_cert(hashes.SHA256())
        pem = backend.der_to_pem(der)
        self.assertEqual(backend.pem_to_der(pem), der)
        self.assertEqual(backend.pem_to_der(pem.replace('\n', ' ')), der)
        self.assertIsNone(backend.pem_to_der(''))
        self.assertIsNone(backend.pem_to_der(None))
        self.assertIsNone(backend.pem_to_der('-----BEGIN CERTIFICATE-----!!-----END CERTIFICATE-----'))

    def test_paths(self):
        ok = ['/ADPolicyProvider_CEP_Kerberos/service.svc/CEP',
              '/LAB-CA_CES_KerberosCB/service.svc/CES',
              '/LAB-CA2_CES_UsernamePassword/service.svc/CES',
              '/ADPolicyProvider_CEP_Certificate/service.svc/CEP']
        bad = ['/ADPolicyProvider_CEP_Other/service.svc/CEP', '/_CEP_Kerberos/service.svc/CEP',
               '/a/b_CES_Kerberos/service.svc/CES', '/LAB-CA_CES_Kerberos/service.svc/CES/',
               '/LAB-CA_CES_Kerberos/service.svc/CES?x=1', '/' + 'A' * 65 + '_CES_Kerberos/service.svc/CES']
        for p in ok:
            self.assertIsNotNone(backend.PATH_RE.fullmatch(p), p)
        for p in bad:
            self.assertIsNone(backend.PATH_RE.fullmatch(p), p)

    def test_public_url(self):
        self.assertEqual(backend.public_url('https://h.example:443/a'), 'https://h.example/a')
        self.assertEqual(backend.public_url('https://h.example:4443/a'), 'https://h.example:4443/a')
        self.assertIsNone(backend.public_url(None))


class App:
    def __init__(self):
        self.calls = []

    def handle(self, endpoint, identity, body):
        self.calls.append((endpoint, dict(identity), body))
        return 200, 'application/soap+xml; charset=utf-8', b'<ok/>', [('X-App', '1')]


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__('cep-backend', timeout=10)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.unix_path)


class Served(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.sock = os.path.join(cls.dir.name, 'backend.sock')
        cls.srv = backend.Server(cls.sock, backend.Handler)
        cls.srv.app = App()
        # an acceptor keytab (MIT ktutil; no KDC is ever asked)
        cls.keytab = os.path.join(cls.dir.name, 'http.keytab')
        os.environ['KRB5RCACHEDIR'] = cls.dir.name
        subprocess.run(['ktutil'], check=True, capture_output=True, input=(
            'addent -password -p HTTP/cep.lab.example.com@LAB.EXAMPLE.COM -k 1 '
            '-e aes256-cts-hmac-sha1-96\nnot-a-real-secret\nwkt %s\nquit\n' % cls.keytab).encode())
        cls.srv.keytab = cls.keytab
        cls.thread = threading.Thread(target=cls.srv.serve_forever, daemon=True)
        cls.thread.start()
        cls.server_pem = backend.der_to_pem(make_cert(hashes.SHA256()))
        cls.client_der = make_cert(hashes.SHA256(), 'member1.lab.example.com')

    @classmethod
    def tearDownClass(cls):
        cls.srv.shutdown()
        cls.srv.server_close()
        cls.dir.cleanup()

    def setUp(self):
        self.app = self.srv.app
        self.app.calls.clear()
        self.out = open(os.devnull, 'w')
        self.saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.out  # the request log and tracebacks

    def tearDown(self):
        sys.stdout, sys.stderr = self.saved
        self.out.close()

    def post(self, path, headers=None, body=b'<x/>', method='POST'):
        c = UnixConnection(self.sock)
        h = {'X-CEP-Url': 'https://cep.lab.example.com:443' + path,
             'X-CEP-Server-Cert': self.server_pem.replace('\n', ' ')}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data

    def test_password_identity(self):
        r, data = self.post('/LAB-CA_CES_UsernamePassword/service.svc/CES')
        self.assertEqual((r.status, data, r.getheader('X-App')), (200, b'<ok/>', '1'))
        ((ep, ident, body),) = self.app.calls
        self.assertEqual(ep, '/LAB-CA_CES_UsernamePassword/service.svc/CES')
        self.assertEqual(body, b'<x/>')
        self.assertEqual(ident, {'kind': 'password', 'principal': None, 'client_cert_pem': None,
                                 'endpoint': 'LAB-CA_CES_UsernamePassword', 'service': 'CES',
                                 'name': 'LAB-CA', 'channel_bound': False,
                                 'url': 'https://cep.lab.example.com/LAB-CA_CES_UsernamePassword/service.svc/CES'})

    def test_kerberos_takes_apaches_principal(self):
        r, _ = self.post('/ADPolicyProvider_CEP_Kerberos/service.svc/CEP',
                         {'X-CEP-Remote-User': 'MEMBER1$@LAB.EXAMPLE.COM'})
        self.assertEqual(r.status, 200)
        ident = self.app.calls[0][1]
        self.assertEqual((ident['kind'], ident['principal'], ident['service'], ident['name']),
                         ('kerberos', 'MEMBER1$@LAB.EXAMPLE.COM', 'CEP', 'ADPolicyProvider'))

    def test_kerberos_without_a_principal_is_an_error(self):
        r, _ = self.post('/ADPolicyProvider_CEP_Kerberos/service.svc/CEP')
        self.assertEqual(r.status, 500)
        self.assertEqual(self.app.calls, [])

    def test_certificate(self):
        pem = backend.der_to_pem(self.client_der)
        r, _ = self.post('/LAB-CA_CES_Certificate/service.svc/CES',
                         {'X-CEP-Client-Cert': pem.replace('\n', ' ')})
        self.assertEqual(r.status, 200)
        ident = self.app.calls[0][1]
        self.assertEqual(ident['kind'], 'certificate')
        self.assertEqual(ident['principal'], 'CN=member1.lab.example.com')
        self.assertEqual(backend.pem_to_der(ident['client_cert_pem']), self.client_der)

    def test_certificate_missing_is_an_error(self):
        r, _ = self.post('/LAB-CA_CES_Certificate/service.svc/CES')
        self.assertEqual(r.status, 500)
        self.assertEqual(self.app.calls, [])

    def test_cb_without_a_token_is_401_negotiate(self):
        r, data = self.post('/LAB-CA_CES_KerberosCB/service.svc/CES')
        self.assertEqual(r.status, 401)
        self.assertEqual(r.getheader('WWW-Authenticate'), 'Negotiate')
        self.assertIn(b'requires Kerberos with channel bindings', data)
        self.assertEqual(self.app.calls, [])

    def test_cb_with_a_non_negotiate_header_is_401(self):
        for auth in ('Basic dXNlcjpwYXNz', 'Negotiate', 'Negotiate !!!', 'NTLM TlRMTVNTUAAB'):
            r, _ = self.post('/LAB-CA_CES_KerberosCB/service.svc/CES', {'Authorization': auth})
            self.assertEqual(r.status, 401, auth)
        self.assertEqual(self.app.calls, [])

    def test_cb_with_a_garbage_token_is_401(self):
        tok = base64.b64encode(b'\x60\x05garbage').decode()
        r, data = self.post('/LAB-CA_CES_KerberosCB/service.svc/CES', {'Authorization': 'Negotiate ' + tok})
        self.assertEqual(r.status, 401)
        self.assertIn(b'401 Unauthorized: Kerberos authentication failed', data)
        self.assertEqual(self.app.calls, [])

    def test_cb_without_the_server_certificate_is_an_error(self):
        tok = base64.b64encode(b'\x60\x05garbage').decode()
        r, _ = self.post('/LAB-CA_CES_KerberosCB/service.svc/CES',
                         {'Authorization': 'Negotiate ' + tok, 'X-CEP-Server-Cert': ''})
        self.assertEqual(r.status, 500)
        self.assertEqual(self.app.calls, [])

    def test_cb_without_a_usable_keytab_is_an_error(self):
        tok = base64.b64encode(b'\x60\x05garbage').decode()
        self.srv.keytab = os.path.join(self.dir.name, 'missing.keytab')
        try:
            r, _ = self.post('/LAB-CA_CES_KerberosCB/service.svc/CES', {'Authorization': 'Negotiate ' + tok})
        finally:
            self.srv.keytab = self.keytab
        self.assertEqual(r.status, 500)
        self.assertEqual(self.app.calls, [])

    def test_not_an_end_point(self):
        for p in ('/LAB-CA_CES_Kerberos/service.svc/CEP', '/other', '/LAB-CA_CES_Sso/service.svc/CES'):
            r, _ = self.post(p)
            self.assertEqual(r.status, 404, p)
        self.assertEqual(self.app.calls, [])

    def test_keep_alive_after_a_refusal(self):
        c = UnixConnection(self.sock)
        h = {'X-CEP-Url': 'https://cep.lab.example.com/x',
             'X-CEP-Server-Cert': self.server_pem.replace('\n', ' ')}
        ok = '/LAB-CA_CES_UsernamePassword/service.svc/CES'
        for path, want in (('/LAB-CA_CES_Kerberos/service.svc/CEP', 404), (ok, 200),
                           ('/LAB-CA_CES_KerberosCB/service.svc/CES', 401), (ok, 200)):
            try:
                c.request('POST', path, body=b'<x>body</x>', headers=h)
                r = c.getresponse()
            except (http.client.HTTPException, OSError):  # closed after the 404: reconnect
                c.close()
                c.request('POST', path, body=b'<x>body</x>', headers=h)
                r = c.getresponse()
            r.read()
            self.assertEqual(r.status, want, path)
        c.close()
        self.assertEqual([x[2] for x in self.app.calls], [b'<x>body</x>'] * 2)

    def test_body_too_large(self):
        c = UnixConnection(self.sock)
        c.putrequest('POST', '/LAB-CA_CES_UsernamePassword/service.svc/CES')
        c.putheader('Content-Length', str(backend.MAX_BODY + 1))
        c.endheaders()
        r = c.getresponse()
        r.read()
        c.close()
        self.assertEqual(r.status, 413)
        self.assertEqual(self.app.calls, [])

    def test_get_is_405(self):
        r, _ = self.post('/LAB-CA_CES_UsernamePassword/service.svc/CES', method='GET', body=None)
        self.assertEqual((r.status, r.getheader('Allow')), (405, 'POST'))
        self.assertEqual(self.app.calls, [])


if __name__ == '__main__':
    unittest.main()
