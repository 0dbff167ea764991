#!/bin/sh
# usage: render-pki-ldif.sh CA_PEM BASEDN DCFQDN [CANAME] > pki.ldif
# Renders pki.ldif.in (next to this script) for a CA certificate in PEM.
# FOREST_OID overrides the forest OID base the template OIDs hang under.
set -eu
here=$(dirname "$0")
ca_pem=$1; basedn=$2; dcfqdn=$3; caname=${4:-LAB-CA}
forest=${FOREST_OID:-1.3.6.1.4.1.311.21.8.1000001.2000002.3000003.4000004.5000005.6000006}
cacert=$(openssl x509 -in "$ca_pem" -outform DER | base64 -w0)
# Windows writes cACertificateDN most-specific first, e.g. "CN=LAB-CA, DC=lab, DC=example, DC=com"
casubj=$(openssl x509 -in "$ca_pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//; s/,/, /g')
sed -e "s|@BASEDN@|$basedn|g" -e "s|@DCFQDN@|$dcfqdn|g" -e "s|@CANAME@|$caname|g" \
    -e "s|@CASUBJ@|$casubj|g" -e "s|@CACERT@|$cacert|g" -e "s|@FOREST@|$forest|g" \
    -e "/^#/d" "$here/pki.ldif.in" | cat -s
