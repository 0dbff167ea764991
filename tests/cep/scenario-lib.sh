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

# cep_own_dirs NAME: a store (cyc_store NAME), a state directory (the local
# policy-server configuration lives there) and a cache directory (the XCEP
# policy cache) of the scenario's own in its smb.conf copy ($CONF).
cep_own_dirs() {
	cyc_store "$1"
	local d=$WORK/$NAME/$1
	mkdir -p "$d/state" "$d/cache"
	chmod 0755 "$d/state" "$d/cache"
	printf '\tstate directory = %s\n\tcache directory = %s\n' "$d/state" "$d/cache" >> "$CONF"
}

# cep_local_server URL: a local Kerberos policy server (cost 1) with the lab CA
# pinned for its TLS certificate.
cep_local_server() {
	cae policy-server add "$1" --auth kerberos --cost 1 --ca-file "$CEP_CA_FILE"
	expect_rc 0
}

# The GPO scenarios' view of the lab: the CEP's PolicyID (CEPID), its backend's
# error log (CEPERR) and the DC's logs where the test CA module logs one
# "icpr_ca: ..." line per MS-ICPR CertServerRequest (DCLOGS).
cep_gpo_env() {
	[ -n "${GPO_GUID:-}" ] || fail "no GPO_GUID in $LAB/env.sh"
	CEPJSON=$LAB/cep/cep.json
	CEPERR=$LAB/cep/backend.err
	DCLOGS=("$LAB/dc/log.samba" "$LAB/dc/samba.stdout")
	[ -f "$LAB/dc/log.samba" ] || fail "no $LAB/dc/log.samba (the DC's log, where icpr_ca logs each request)"
	CEPID=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["policy_id"])' \
		"$CEPJSON") || fail "no policy_id in $CEPJSON"
}

# cep_gpo_servers NAME --server SPEC...: the lab GPO's Machine/Registry.pol
# replaced (version bumped, as GPMC does) with AEPolicy 7 and a PolicyServers
# key of exactly these end points (make-registry-pol.py --server); the
# original put back on exit (needs policy/lib.sh's on_exit).
cep_gpo_servers() {
	local name=$1 orig=$WORK/$NAME/orig.pol pol=$WORK/$NAME/$1.pol
	shift
	if [ ! -f "$orig" ]; then
		adm gpo-get "$GPO_GUID" "$orig"
		on_exit "$ADLAB" admin gpo-put "$GPO_GUID" "$orig" --bump
	fi
	/usr/bin/python3 "$SRCDIR/tests/lab/make-registry-pol.py" "$pol" 7 "$@" > /dev/null ||
		fail "make-registry-pol.py $*"
	adm gpo-put "$GPO_GUID" "$pol" --bump
}

# `autoenroll -s CONF policy --json` as the member, kept in $PJ
cpolicy() {
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$CONF" policy --json \
		> "$PJ" 2> "$WORK/$NAME/policy.err" < /dev/null || fail "autoenroll policy --json: exit $?"
	sanitizer_check "$WORK/$NAME/policy.err"
	q d > /dev/null || fail "autoenroll policy --json printed no JSON object"
	note "autoenroll policy --json: counts $(q 'd["counts"]')"
}
icpr_lines() { cat "${DCLOGS[@]}" 2> /dev/null | grep -a 'icpr_ca: '; }
dc_mark() { DC_MARK=$(icpr_lines | grep -c . || true); }
dc_since() { icpr_lines | tail -n "+$((DC_MARK + 1))"; }
err_mark() { ERR_MARK=$(wc -l < "$CEPERR" 2> /dev/null || echo 0); }
err_since() { tail -n "+$((ERR_MARK + 1))" "$CEPERR" 2> /dev/null; }
