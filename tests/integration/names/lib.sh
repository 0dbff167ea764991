# names/lib.sh: sourced by the t_names_*.sh scenarios (after ../lib.sh,
# ../policy/lib.sh and ../cycle/lib.sh).
#
#   names_of CERT         "subject=<RFC 2253>|san=<the SAN line>" of CERT
#   want_names CERT SUBJ SAN   names_of CERT is exactly SUBJ and SAN (as
#                         openssl prints them: "CN=a", "DNS:a, DNS:b")
#   record_has T KEY=VAL  $STORE/T.state holds the line KEY=VAL
# shellcheck shell=bash

WEB_SUBJECT=CN=www.lab.example.com
WEB_DNS1=www.lab.example.com
WEB_DNS2=files.lab.example.com
WEB_SAN="DNS:$WEB_DNS1, DNS:$WEB_DNS2"

names_of() {
	local s a
	s=$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2> /dev/null | sed 's/^subject=//')
	a=$(openssl x509 -in "$1" -noout -ext subjectAltName 2> /dev/null | sed -n '2p' |
		sed 's/^ *//')
	echo "subject=$s|san=$a"
}

want_names() {
	local got
	got=$(names_of "$1")
	[ "$got" = "subject=$2|san=$3" ] || fail "${1##*/}: names '$got', want 'subject=$2|san=$3'"
	note "${1##*/}: $got"
}

record_has() {
	grep -qx "$2" "$STORE/$1.state" 2> /dev/null ||
		fail "$1.state lacks '$2': $(tr '\n' ' ' < "$STORE/$1.state" 2> /dev/null)"
}
