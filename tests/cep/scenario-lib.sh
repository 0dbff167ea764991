# scenario-lib.sh: helpers for the integration scenarios that talk to the
# lab's test CEP/CES (sourced after tests/integration/lib.sh).
#   cep_need              start it (adlab.sh cep up, idempotent) and load
#                         its variables ($LAB/cep/env.sh)
#   cep_curl ARGS...      curl inside the lab netns, bounded; sets CODE (the
#                         HTTP status, 000: no HTTP answer), CURL_RC,
#                         CURL_BODY (the body's first 2000 bytes), CURL_ERR
#   cep_log_mark          remember the backend log's length
#   cep_log_since         the backend log lines written since the mark
#   cep_log_expect KEY=VALUE...  one line since the mark has every field
#                         (JSON values; "status!=401" also works)
#   machine_ccache        a fresh ccache of the member machine (kinit -k)
#                         in $WORK/$NAME; sets MCC (FILE:...)
# shellcheck shell=bash

cep_need() {
	local out
	out=$(CA_LOCAL=${CA_LOCAL:-$BUILDDIR/tests/ca/ca-local} "$ADLAB" cep up 2>&1) || fail "adlab.sh cep up failed: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
	# shellcheck source=/dev/null
	. "$LAB/cep/env.sh"
	note "$(printf '%s' "$out" | tail -n 1 | sed 's/^\[adlab [0-9:]*\] //')"
}

# shellcheck disable=SC2034 # CURL_* are the scenarios'
cep_curl() {
	local b="$WORK/$NAME/curl.body"
	mkdir -p "$WORK/$NAME"
	rm -f "$b"
	CODE=$("$ADLAB" client curl -sS --max-time 20 -o "$b" -w '%{http_code}' "$@" \
		2> "$WORK/$NAME/curl.err" < /dev/null)
	CURL_RC=$?
	CODE=${CODE:-000}
	CURL_BODY=$(head -c 2000 "$b" 2> /dev/null)
	CURL_ERR=$(head -c 500 "$WORK/$NAME/curl.err")
}

cep_log_mark() { CEP_LOG_MARK=$(wc -l < "$CEP_LOG"); }
cep_log_since() { tail -n "+$((CEP_LOG_MARK + 1))" "$CEP_LOG"; }

cep_log_expect() {
	cep_log_since | /usr/bin/python3 -c '
import json, sys
want = sys.argv[1:]
def ok(d, w):
    neg = "!=" in w
    k, v = w.split("!=" if neg else "=", 1)
    have = "" if d.get(k) is None else str(d.get(k))
    return (have != v) if neg else (have == v)
for line in sys.stdin:
    d = json.loads(line)
    if all(ok(d, w) for w in want):
        sys.exit(0)
sys.exit(1)' "$@"
}

machine_ccache() {
	MCC="FILE:$WORK/$NAME/machine.ccache"
	mkdir -p "$WORK/$NAME"
	KRB5CCNAME=$MCC "$ADLAB" client kinit -k -t "$MEMBER_KEYTAB" "$MACHINE_PRINCIPAL" \
		> "$WORK/$NAME/kinit.log" 2>&1 < /dev/null || fail "kinit -k as $MACHINE_PRINCIPAL: $(cat "$WORK/$NAME/kinit.log")"
}

# cep_uri_set CA AUTH PRIORITY RENEWAL_ONLY: in $LAB/cep/cep.json (the
# backend reads it per request), CA's one CES end point of authentication AUTH
# (kerberos, kerberos-cb, password, certificate) gets PRIORITY and renewalOnly
# (true|false); cep.json is put back on exit (needs policy/lib.sh's on_exit).
cep_uri_set() {
	local cepjson=$LAB/cep/cep.json
	[ -f "$cepjson" ] || fail "no $cepjson (the test CEP's configuration)"
	if [ ! -f "$WORK/$NAME.cep.json.orig" ]; then
		cp -p "$cepjson" "$WORK/$NAME.cep.json.orig"
		on_exit cp -p "$WORK/$NAME.cep.json.orig" "$cepjson"
	fi
	/usr/bin/python3 - "$cepjson" "$@" << 'EOF2' || fail "cannot edit $cepjson"
import json, sys
p, ca_name, auth, prio, ro = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
c = json.load(open(p))
n = 0
for ca in c["cas"]:
    for u in ca["uris"] if ca["name"] == ca_name else []:
        if u["auth"] == auth:
            u["priority"], u["renewal_only"], n = prio, ro == "true", n + 1
if n != 1:
    sys.exit("%s has %d %s end points" % (ca_name, n, auth))
json.dump(c, open(p + ".new", "w"), indent=1)
EOF2
	mv "$cepjson.new" "$cepjson"
}

# cep_cert_uri_for_renewals PRIORITY: LAB-CA's certificate CES end point gets
# PRIORITY and renewalOnly, so a renewal goes there first (key-based renewal).
cep_cert_uri_for_renewals() { cep_uri_set LAB-CA certificate "$1" true; }
