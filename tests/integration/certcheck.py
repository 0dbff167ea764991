#!/usr/bin/python3
"""Facts about an issued certificate, for the integration scenarios.

usage: certcheck.py CERT.pem [KEY.pem]

Prints one "name: value" line per fact (empty value when absent):
  subject:        RFC 4514 subject
  san_dns:        DNS names of subjectAltName, comma-separated
  san_email:      rfc822Name values of subjectAltName, comma-separated
  san_upn:        otherName 1.3.6.1.4.1.311.20.2.3 (UPN, UTF8String) values
  sid_ext:        the SID in 1.3.6.1.4.1.311.25.2 (szOID_NTDS_CA_SECURITY_EXT)
  template_oid:   1.3.6.1.4.1.311.21.7 (v2 template info): the template OID
  template_major: ... its major version
  template_minor: ... its minor version
  template_name:  1.3.6.1.4.1.311.20.2 (v1 template name, BMPString)
  eku:            extended key usage OIDs, comma-separated
  key_match:      yes/no (only with KEY.pem): the key's public half is the
                  certificate's
Exit 0, or 1 when the files cannot be read.
"""
import re
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization

OID_TEMPLATE_INFO = '1.3.6.1.4.1.311.21.7'
OID_TEMPLATE_NAME = '1.3.6.1.4.1.311.20.2'
OID_UPN = '1.3.6.1.4.1.311.20.2.3'
OID_SID_EXT = '1.3.6.1.4.1.311.25.2'


def der_item(buf, off):
    """(tag, content bytes, next offset) of the DER item at off."""
    tag = buf[off]
    n = buf[off + 1]
    off += 2
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(buf[off:off + k], 'big')
        off += k
    return tag, buf[off:off + n], off + n


def der_oid(content):
    subids = []
    v = 0
    for b in content:
        v = (v << 7) | (b & 0x7f)
        if not b & 0x80:
            subids.append(v)
            v = 0
    if not subids:
        return ''
    top = min(subids[0] // 40, 2)
    arcs = [top, subids[0] - 40 * top] + subids[1:]
    return '.'.join(str(a) for a in arcs)


def ext_value(cert, oid):
    try:
        ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid))
    except x509.ExtensionNotFound:
        return None
    return ext.value.value


def template_info(raw):
    """SEQUENCE { OID, INTEGER major, INTEGER minor OPTIONAL }"""
    tag, seq, _ = der_item(raw, 0)
    if tag != 0x30:
        return '', '', ''
    parts = []
    off = 0
    while off < len(seq):
        t, c, off = der_item(seq, off)
        parts.append((t, c))
    oid = der_oid(parts[0][1]) if parts and parts[0][0] == 0x06 else ''
    ints = [str(int.from_bytes(c, 'big')) for t, c in parts[1:] if t == 0x02]
    return oid, (ints[0] if ints else ''), (ints[1] if len(ints) > 1 else '')


def upn_value(raw):
    """The UTF8String inside an otherName value ([0] EXPLICIT, as
    cryptography hands it over: the tagged bytes or the inner string)."""
    tag, content, _ = der_item(raw, 0)
    if tag == 0xa0:
        tag, content, _ = der_item(content, 0)
    return content.decode('utf-8', 'replace') if tag == 0x0c else '?tag 0x%02x' % tag


def template_name(raw):
    tag, content, _ = der_item(raw, 0)
    if tag == 0x1e:
        return content.decode('utf-16-be')
    if tag in (0x0c, 0x13, 0x16):
        return content.decode('utf-8', 'replace')
    return '?tag 0x%02x' % tag


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], 'rb') as f:
            cert = x509.load_pem_x509_certificate(f.read())
    except (OSError, ValueError) as e:
        print('error: %s: %s' % (sys.argv[1], e), file=sys.stderr)
        return 1
    facts = {}
    facts['subject'] = cert.subject.rfc4514_string()
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        facts['san_dns'] = ','.join(san.get_values_for_type(x509.DNSName))
        facts['san_email'] = ','.join(san.get_values_for_type(x509.RFC822Name))
        facts['san_upn'] = ','.join(upn_value(o.value) for o in san.get_values_for_type(x509.OtherName)
                                    if o.type_id.dotted_string == OID_UPN)
    except x509.ExtensionNotFound:
        facts['san_dns'] = facts['san_email'] = facts['san_upn'] = ''
    raw = ext_value(cert, OID_SID_EXT)
    m = re.search(rb'S-1-[0-9-]+', raw) if raw else None
    facts['sid_ext'] = m.group(0).decode() if m else ''
    raw = ext_value(cert, OID_TEMPLATE_INFO)
    oid, major, minor = template_info(raw) if raw else ('', '', '')
    facts['template_oid'] = oid
    facts['template_major'] = major
    facts['template_minor'] = minor
    raw = ext_value(cert, OID_TEMPLATE_NAME)
    facts['template_name'] = template_name(raw) if raw else ''
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        facts['eku'] = ','.join(o.dotted_string for o in eku)
    except x509.ExtensionNotFound:
        facts['eku'] = ''
    if len(sys.argv) > 2:
        try:
            with open(sys.argv[2], 'rb') as f:
                key = serialization.load_pem_private_key(f.read(), None)
        except (OSError, ValueError, TypeError) as e:
            print('error: %s: %s' % (sys.argv[2], e), file=sys.stderr)
            return 1
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        der = serialization.Encoding.DER
        same = (key.public_key().public_bytes(der, spki) ==
                cert.public_key().public_bytes(der, spki))
        facts['key_match'] = 'yes' if same else 'no'
    for k, v in facts.items():
        print('%s: %s' % (k, v))
    return 0


if __name__ == '__main__':
    sys.exit(main())
