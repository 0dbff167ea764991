#!/bin/bash
# E2: a DNS answer larger than the resolver's buffer. A small DNS server
# (fake_dns.py) on 127.0.0.9 inside the lab's netns answers the DC
# locator's SRV query _ldap._tcp.dc._msdcs.<realm> with 450, 600, then 700
# SRV records (23-36 KiB: truncated over UDP, whole over TCP), the only
# priority-0 one, the real DC, last; everything else is relayed to the DC's
# DNS. autoenroll runs with a resolv.conf private to its own mount
# namespace (the lab's /etc/netns/$NS/resolv.conf is not touched) and the
# member's smb.conf, which has no autoenroll:dc, so the DC comes from DNS.
# It must not crash (the old code gave res_query's full length to the
# parser, which read past its 4 KiB stack buffer: ASan stack-overflow /
# SIGSEGV in ns_initparse, or garbage and "found no DC"), and must pick the
# DC from the whole answer, asked for again with a buffer of the size the
# resolver reported. Each server is stopped by its PID and the address is
# removed, whatever happens.
. "$(dirname "$0")/lib.sh"
need_autoenroll
W=$WORK/$NAME
mkdir -p "$W"
DNSIP=127.0.0.9
QNAME=_ldap._tcp.dc._msdcs.${REALM,,}
DNS_PID=""

stop_dns() {
	if [ -n "$DNS_PID" ]; then
		kill "$DNS_PID" 2> /dev/null
		wait "$DNS_PID" 2> /dev/null
		DNS_PID=""
	fi
}
cleanup() {
	stop_dns
	ip -n "$NS" addr del "$DNSIP/8" dev lo 2> /dev/null
}
trap cleanup EXIT

ip -n "$NS" addr add "$DNSIP/8" dev lo || fail "cannot add $DNSIP to the lab's netns"
printf 'nameserver %s\nsearch %s\noptions timeout:3 attempts:2\n' "$DNSIP" "${REALM,,}" \
	> "$W/resolv.conf"

# one_run COUNT: the server answers with COUNT records; autoenroll policy
# must take the DC from the last one.
one_run() {
	local count=$1 o=$W/ae.$1.out e=$W/ae.$1.err log=$W/dns.$1.log rc
	ip netns exec "$NS" /usr/bin/python3 "$SRCDIR/tests/integration/fake_dns.py" \
		"$DNSIP" "$DCIP" "$QNAME" "$count" "$DCFQDN" 300 > "$log" 2>&1 < /dev/null &
	DNS_PID=$!
	for _ in $(seq 600); do # a python start on a loaded machine (bounded: 60 s)
		grep -q '^listening' "$log" 2> /dev/null && break
		kill -0 "$DNS_PID" 2> /dev/null || fail "fake DNS server died: $(tail -n 3 "$log")"
		sleep 0.1
	done
	grep -q '^listening' "$log" || fail "fake DNS server did not start"
	note "fake DNS server pid $DNS_PID on $DNSIP: $count SRV records for $QNAME"
	# autoenroll as the member (as adlab.sh client does), with the private
	# resolv.conf bind-mounted in the mount namespace ip netns exec made
	timeout -k 5 "$AE_TIMEOUT" ip netns exec "$NS" sh -c '
		resolv=$1 lab=$2; shift 2
		mkdir -p /run/samba /var/log/samba "$lab/member/runsamba" "$lab/member/varlog" &&
		mount --bind "$resolv" /etc/resolv.conf &&
		mount --bind "$lab/member/runsamba" /run/samba &&
		mount --bind "$lab/member/varlog" /var/log/samba &&
		KRB5_CONFIG=$lab/krb5.conf exec "$@"' sh "$W/resolv.conf" "$LAB" \
		"$AUTOENROLL" -s "$LAB/member/smb.conf" -d 2 policy --json > "$o" 2> "$e" < /dev/null
	rc=$?
	stop_dns
	note "autoenroll -d 2 policy --json (resolver: $DNSIP) -> exit $rc"
	grep -E 'DNS|domain controller' "$e" | head -n 4 | cut -c1-200 | sed 's/^/      | /'
	grep -E 'SRV' "$log" | sort | uniq -c | sed 's/^/      dns: /' | head -n 4
	if grep -q 'AddressSanitizer\|runtime error' "$e" || [ "$rc" -ge 124 ]; then
		grep -m 4 -E 'ERROR|SEGV|#[0-4] ' "$e" | cut -c1-200 | sed 's/^/      | /'
		fail "autoenroll crashed (exit $rc) on a $count-record SRV answer"
	fi
	grep -q "tcp $QNAME SRV -> $count records" "$log" ||
		fail "the resolver never fetched the whole answer over TCP (the scenario tested nothing)"
	[ "$rc" = 0 ] || fail "expected exit 0, got $rc: $(tail -n 1 "$e" | cut -c1-300)"
	grep -q "domain controller $DCFQDN (found by DNS SRV)" "$e" ||
		fail "the DC was not taken from the DNS answer (its last record): $(grep -m1 'domain controller' "$e")"
	grep -q "asking again with a buffer that size" "$e" ||
		fail "no second query with the answer's size"
	/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$o" ||
		fail "policy --json output is not JSON"
}

# the old code's read past its buffer depends on what lies above it on the
# stack: three sizes make its crash (stack-overflow in ns_initparse) likely
for count in 450 600 700; do
	one_run "$count"
done
pass
