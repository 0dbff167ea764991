#!/usr/bin/python3
"""LDIF for bench/cycle: N autoenrollment templates, copies of LabMachine.

usage: templates.py PKI_LDIF PREFIX N CANAME add > templates.ldif
       templates.py PKI_LDIF PREFIX N CANAME publish > publish.ldif

PKI_LDIF is the lab's rendered pki.ldif ($LAB/pki.ldif). The LabMachine
template and its OID object are taken from it and copied N times: cn
PREFIX01 ... PREFIXnn, displayName "<LabMachine's> nn", template OID
<LabMachine's arc>.3000.<i> with an OID object CN=3000.<32 hex digits of i>
in CN=OID. Everything else (flags, key size, EKUs, validity, security
descriptor: Domain Computers Enroll + AutoEnroll) is LabMachine's. "add"
writes the templates and OID objects (for ldbadd), "publish" one modify
adding the templates to the CA's certificateTemplates (for ldbmodify).
"""
import sys

BASE = 'LabMachine'
ARC = 3000


def entries(path):
    """The LDIF's entries as lists of (attr, sep, value), continuation
    lines joined, comments dropped."""
    out, cur, lines = [], [], []
    with open(path) as f:
        for raw in f:
            line = raw.rstrip('\n')
            if line.startswith(' ') and lines:
                lines[-1] += line[1:]
            else:
                lines.append(line)
    for line in lines + ['']:
        if line.startswith('#'):
            continue
        if line == '':
            if cur:
                out.append(cur)
            cur = []
            continue
        attr, rest = line.split(':', 1)
        sep = ':'
        if rest.startswith(':'):
            sep, rest = '::', rest[1:]
        cur.append((attr, sep, rest.strip()))
    return out


def value(entry, attr):
    for a, _, v in entry:
        if a.lower() == attr.lower():
            return v
    return None


def is_a(entry, cls):
    return any(a.lower() == 'objectclass' and v.lower() == cls.lower() for a, _, v in entry)


def main():
    if len(sys.argv) != 6 or sys.argv[5] not in ('add', 'publish'):
        sys.exit(__doc__)
    path, prefix, n, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if not 1 <= n <= 99:
        sys.exit('templates.py: N must be 1..99')
    ents = entries(path)
    tpl = next((e for e in ents if is_a(e, 'pKICertificateTemplate') and value(e, 'cn') == BASE),
               None)
    if tpl is None:
        sys.exit('templates.py: no template %s in %s' % (BASE, path))
    oid = value(tpl, 'msPKI-Cert-Template-OID')
    oidobj = next((e for e in ents if is_a(e, 'msPKI-Enterprise-Oid') and
                   value(e, 'msPKI-Cert-Template-OID') == oid), None)
    if oidobj is None:
        sys.exit('templates.py: no OID object for %s (%s) in %s' % (BASE, oid, path))
    arc = oid.rsplit('.', 2)[0]  # the forest base: LabMachine is <forest>.1000.1
    tpl_parent = value(tpl, 'dn').split(',', 1)[1]
    oid_parent = value(oidobj, 'dn').split(',', 1)[1]
    pks = tpl_parent.split(',', 1)[1]
    names = ['%s%02d' % (prefix, i) for i in range(1, n + 1)]
    w = sys.stdout.write
    if sys.argv[5] == 'publish':
        w('dn: CN=%s,CN=Enrollment Services,%s\nchangetype: modify\n'
          'add: certificateTemplates\n' % (ca, pks))
        for cn in names:
            w('certificateTemplates: %s\n' % cn)
        w('-\n')
        return
    for i, cn in enumerate(names, 1):
        new_oid = '%s.%d.%d' % (arc, ARC, i)
        disp = '%s %02d' % (value(tpl, 'displayName') or BASE, i)
        repl = {'dn': 'CN=%s,%s' % (cn, tpl_parent), 'cn': cn, 'displayname': disp,
                'mspki-cert-template-oid': new_oid}
        for a, sep, v in tpl:
            w('%s%s %s\n' % (a, sep, repl.get(a.lower(), v)))
        w('\n')
        ocn = '%d.%032x' % (ARC, i)
        repl = {'dn': 'CN=%s,%s' % (ocn, oid_parent), 'cn': ocn, 'displayname': disp,
                'mspki-cert-template-oid': new_oid}
        for a, sep, v in oidobj:
            w('%s%s %s\n' % (a, sep, repl.get(a.lower(), v)))
        w('\n')


if __name__ == '__main__':
    main()
