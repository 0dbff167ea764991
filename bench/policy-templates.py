#!/usr/bin/python3
"""LDIF for bench/policy: N certificate templates for the lab directory.

usage: policy-templates.py N BASEDN FOREST_OID CANAME add > templates.ldif
       policy-templates.py N BASEDN FOREST_OID CANAME publish > publish.ldif

BenchTpl00001 ... BenchTplNNNNN: schema version 2 machine templates like the
lab's LabMachine (autoenrollment flag; Domain Computers may Enroll and
AutoEnroll; Authenticated Users read), OIDs FOREST_OID.2000.<i>. Every tenth
supersedes the one before it (msPKI-Supersede-Templates), every seventh
carries a deny-Enroll ACE for Domain Users (which the machine is not in: the
access check has to look at it). "add" writes the templates (for ldbadd),
"publish" one modify that adds all of them to the CA's certificateTemplates
(for ldbmodify), so that every template is published.
"""
import sys

ENROLL = '0e10c968-78fb-11d2-90d4-00c04f79dc55'
AUTOENROLL = 'a05b8cc2-17bc-4802-a710-e7c15ab866a2'


def main():
    if len(sys.argv) != 6 or sys.argv[5] not in ('add', 'publish'):
        sys.exit(__doc__)
    n, basedn, forest, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    pks = 'CN=Public Key Services,CN=Services,CN=Configuration,' + basedn
    out = sys.stdout
    names = ['BenchTpl%05d' % i for i in range(1, n + 1)]
    if sys.argv[5] == 'publish':
        out.write('dn: CN=%s,CN=Enrollment Services,%s\nchangetype: modify\n'
                  'add: certificateTemplates\n' % (ca, pks))
        for cn in names:
            out.write('certificateTemplates: %s\n' % cn)
        out.write('-\n')
        return
    for i, cn in enumerate(names, 1):
        deny = '(OD;;CR;%s;;DU)' % ENROLL if i % 7 == 0 else ''
        sd = ('O:EAG:EAD:PAI%s(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)'
              '(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(OA;;CR;%s;;DC)(OA;;CR;%s;;DC)'
              '(A;;RPLCLORC;;;AU)' % (deny, ENROLL, AUTOENROLL))
        out.write('dn: CN=%s,CN=Certificate Templates,%s\n' % (cn, pks))
        out.write('objectClass: top\nobjectClass: pKICertificateTemplate\n')
        out.write('cn: %s\ndisplayName: Bench Template %d\n' % (cn, i))
        out.write('flags: 131680\nrevision: 100\nmsPKI-Template-Schema-Version: 2\n')
        out.write('msPKI-Template-Minor-Revision: 1\n')
        out.write('msPKI-Cert-Template-OID: %s.2000.%d\n' % (forest, i))
        out.write('msPKI-Enrollment-Flag: 32\nmsPKI-Private-Key-Flag: 0\n')
        out.write('msPKI-Certificate-Name-Flag: 134217728\nmsPKI-Minimal-Key-Size: 2048\n')
        out.write('msPKI-RA-Signature: 0\n')
        out.write('msPKI-Certificate-Application-Policy: 1.3.6.1.5.5.7.3.2\n')
        if i % 10 == 0:
            out.write('msPKI-Supersede-Templates: BenchTpl%05d\n' % (i - 1))
        out.write('pKIDefaultKeySpec: 1\npKIKeyUsage:: oAA=\npKIMaxIssuingDepth: 0\n')
        out.write('pKICriticalExtensions: 2.5.29.15\n')
        out.write('pKIExpirationPeriod:: AEA5hy7h/v8=\npKIOverlapPeriod:: AICmCv/e//8=\n')
        out.write('pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.2\n')
        out.write('pKIDefaultCSPs: 1,Microsoft RSA SChannel Cryptographic Provider\n')
        out.write('nTSecurityDescriptor: %s\n\n' % sd)


if __name__ == '__main__':
    main()
