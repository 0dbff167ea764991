# cep-lab.sh: the lab's test CEP/CES (MS-XCEP policy server, MS-WSTEP
# enrollment service) behind Debian's Apache httpd. Sourced by
# tests/lab/adlab.sh (`adlab.sh cep up|down|status`, and `up` with
# LAB_CEP=1); uses its variables and functions (N, log, die, alive,
# kill_wait, LAB, NS, REALM, DCFQDN, DNSDOMAIN, ...). See tests/cep/README.md.
#
# Once per lab (marker $LAB/cep/provisioned):
#   * cep.lab.example.com = 127.0.0.4 in the netns: an address on its lo, a
#     line in /etc/netns/$NS/hosts and an A record in the DC's DNS;
#   * AD user cepsvc (random password nobody keeps, AES only) with SPN
#     HTTP/cep.lab.example.com; its keys exported into $LAB/cep/http.keytab
#     (0640 root:www-data: the Apache children and the root backend read it);
#   * TLS: $LAB/cep/tls/server.{key,pem} for cep.lab.example.com issued by
#     the lab CA ($LAB/ca, the AD root) and bad.{key,pem}, self-signed;
#   * tests/cep/cepapp-setup.sh $LAB (the application's second CA LAB-CA2
#     and $LAB/cep/cep.json; needs CA_LOCAL=<builddir>/tests/ca/ca-local,
#     by default beside ICPR_SO).
# Each `cep up`: the client-certificate trust bundle, httpd.conf rendered
# from tests/cep/httpd.conf.in, the backend (tests/cep/backend.py, root, on
# a unix socket only Apache's group may open) and apache2 -DFOREGROUND, both
# inside the netns, their pids in $LAB/cep/{backend,apache}.pid; ready when
# the socket answers and both ports accept connections.
# shellcheck shell=bash

CEP_FQDN=cep.$DNSDOMAIN
CEP_IP=127.0.0.4
CEP_PORT=443
CEP_BAD_PORT=4443
CEP_DOWN_PORT=4444 # nothing ever listens here (failover scenarios)
CEP_SPN=HTTP/$CEP_FQDN
CEP_ACCOUNT=cepsvc
CEP_USER=www-data
CEP_SRC=$(cd "$FIX/../cep" && pwd)
CEP_PATH=/usr/sbin:/usr/bin:/sbin:/bin

cep_dir() { echo "$LAB/cep"; }

# pid from FILE if it is a live COMM process in our netns
cep_pid() {
	local p
	p=$(cat "$1" 2> /dev/null) || return 1
	[ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2> /dev/null)" = "$2" ] && alive "$p" || return 1
	[ "$(ip netns identify "$p" 2> /dev/null)" = "$NS" ] || return 1
	echo "$p"
}
cep_apache_pid() { cep_pid "$LAB/cep/apache.pid" apache2; }
cep_backend_pid() { cep_pid "$LAB/cep/backend.pid" python3; }

# PID is an apache2 of $LAB/cep/httpd.conf or a backend of its socket
cep_ours() {
	local c
	c=$(tr '\0' ' ' 2> /dev/null < "/proc/$1/cmdline") || return 1
	case "$(cat "/proc/$1/comm" 2> /dev/null)" in
	apache2) [[ $c == *" -f $LAB/cep/httpd.conf "* ]] ;;
	python3) [[ $c == *" --socket $LAB/cep/run/backend.sock "* ]] ;;
	*) return 1 ;;
	esac
}

# samba-tool VERB... as Administrator over LDAP (dns: no -H, the server
# is an argument)
cep_samba_tool() {
	local h=(-H "ldap://$DCFQDN")
	[ "$1" != dns ] || h=()
	KRB5CCNAME=FILE:$LAB/admin.ccache N samba-tool "$@" "${h[@]}" -s "$LAB/member/smb.conf" \
		--use-kerberos=required < /dev/null
}

cep_tls() {
	local t=$LAB/cep/tls
	mkdir -p "$t"
	chmod 700 "$t"
	openssl req -newkey rsa:2048 -nodes -keyout "$t/server.key" -subj "/CN=$CEP_FQDN" \
		-out "$t/server.csr" 2> /dev/null
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' \
		"$CEP_FQDN" > "$t/server.ext"
	openssl x509 -req -in "$t/server.csr" -CA "$LAB/ca/ca.pem" -CAkey "$LAB/ca/ca.key" \
		-set_serial "0x$(openssl rand -hex 15)" -days 365 -sha256 -extfile "$t/server.ext" \
		-out "$t/server.pem" 2> /dev/null
	rm -f "$t/server.csr" "$t/server.ext"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/bad.key" -out "$t/bad.pem" \
		-days 365 -subj "/CN=$CEP_FQDN" -addext "subjectAltName=DNS:$CEP_FQDN" \
		-addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" 2> /dev/null
	chmod 600 "$t/server.key" "$t/bad.key"
	openssl verify -CAfile "$LAB/ca/ca.pem" "$t/server.pem" > /dev/null ||
		die "cep: the server certificate does not verify against the lab CA"
}

# CA_LOCAL: the test CA's request processing as a command (the
# application runs it); given, or beside ICPR_SO (<builddir>/tests/ca)
cep_find_ca_local() {
	if [ -z "${CA_LOCAL:-}" ] && [ -n "${ICPR_SO:-}" ]; then
		CA_LOCAL=$(dirname "$ICPR_SO")/ca-local
	fi
	[ -n "${CA_LOCAL:-}" ] && [ -x "$CA_LOCAL" ] && [ -f "$CA_LOCAL" ] ||
		die "cep: CA_LOCAL=${CA_LOCAL:-} is not the ca-local executable (set CA_LOCAL=<builddir>/tests/ca/ca-local or ICPR_SO)"
	CA_LOCAL=$(realpath "$CA_LOCAL")
}

cep_provision() {
	local C=$LAB/cep dn
	mkdir -p "$C"
	chmod 755 "$C"
	: > "$C/provision.log"
	# name and address
	ip -n "$NS" addr add "$CEP_IP/8" dev lo 2> /dev/null || true
	grep -q " $CEP_FQDN " "/etc/netns/$NS/hosts" 2> /dev/null ||
		printf '%s %s cep\n' "$CEP_IP" "$CEP_FQDN" >> "/etc/netns/$NS/hosts"
	cep_samba_tool dns query "$DCFQDN" "$DNSDOMAIN" cep A > /dev/null 2>&1 ||
		cep_samba_tool dns add "$DCFQDN" "$DNSDOMAIN" cep A "$CEP_IP" > "$C/provision.log" 2>&1 ||
		{ cat "$C/provision.log" >&2; die "cep: cannot add the DNS record $CEP_FQDN"; }
	# the service account and its keytab
	if ! cep_samba_tool user show "$CEP_ACCOUNT" > /dev/null 2>&1; then
		cep_samba_tool user create "$CEP_ACCOUNT" --random-password \
			--description="test CEP/CES service account" >> "$C/provision.log" 2>&1 ||
			{ cat "$C/provision.log" >&2; die "cep: cannot create user $CEP_ACCOUNT"; }
	fi
	grep -qx "[[:space:]]*$CEP_SPN" < <(cep_samba_tool spn list "$CEP_ACCOUNT" 2> /dev/null) ||
		cep_samba_tool spn add "$CEP_SPN" "$CEP_ACCOUNT" >> "$C/provision.log" 2>&1 ||
		{ cat "$C/provision.log" >&2; die "cep: cannot add SPN $CEP_SPN"; }
	dn="CN=$CEP_ACCOUNT,CN=Users,$BASEDN"
	# AES only: without it the KDC issues RC4 tickets and exportkeytab writes
	# only the RC4 key
	KRB5CCNAME=FILE:$LAB/admin.ccache N ldbmodify -H "ldap://$DCFQDN" --use-kerberos=required \
		--configfile="$LAB/client.conf" > /dev/null << EOF || die "cep: cannot set the enctypes of $dn"
dn: $dn
changetype: modify
replace: msDS-SupportedEncryptionTypes
msDS-SupportedEncryptionTypes: 24
EOF
	rm -f "$C/http.keytab"
	N samba-tool domain exportkeytab "$C/http.keytab" --principal="$CEP_SPN" \
		-s "$LAB/dc/etc/smb.conf" >> "$C/provision.log" 2>&1 < /dev/null
	grep -q "$CEP_SPN@$REALM" < <(klist -k "$C/http.keytab" 2> /dev/null) ||
		die "cep: no key for $CEP_SPN in $C/http.keytab"
	chown "root:$CEP_USER" "$C/http.keytab"
	chmod 640 "$C/http.keytab"
	cep_tls
	if [ -f "$CEP_SRC/cepapp-setup.sh" ]; then
		cep_find_ca_local
		CA_LOCAL=$CA_LOCAL bash "$CEP_SRC/cepapp-setup.sh" "$LAB" >> "$C/provision.log" 2>&1 ||
			{ tail -n 20 "$C/provision.log" >&2; die "cep: cepapp-setup.sh failed"; }
	fi
	touch "$C/provisioned"
}

# CAs whose certificates the certificate end points accept: the lab CA,
# the application's LAB-CA2 (an intermediate under it) and every PEM in
# $LAB/cep/trust.d
cep_client_ca() {
	local C=$LAB/cep f
	cat "$LAB/ca/ca.pem" > "$C/client-ca.pem.tmp"
	for f in "$LAB/ca2/ca.pem" "$C"/trust.d/*.pem; do
		[ -f "$f" ] && cat "$f" >> "$C/client-ca.pem.tmp"
	done
	mv -f "$C/client-ca.pem.tmp" "$C/client-ca.pem"
}

cep_render() {
	local C=$LAB/cep
	sed -e "s|@CEPDIR@|$C|g" -e "s|@FQDN@|$CEP_FQDN|g" -e "s|@CEPIP@|$CEP_IP|g" \
		-e "s|@PORT@|$CEP_PORT|g" -e "s|@BADPORT@|$CEP_BAD_PORT|g" \
		-e "s|@SOCK@|$C/run/backend.sock|g" -e "s|@KEYTAB@|$C/http.keytab|g" \
		-e "s|@CLIENTCA@|$C/client-ca.pem|g" -e "s|@USER@|$CEP_USER|g" \
		-e "s|@GROUP@|$CEP_USER|g" "$CEP_SRC/httpd.conf.in" > "$C/httpd.conf"
	! grep -n '@[A-Z]*@' "$C/httpd.conf" >&2 || die "cep: unrendered names in $C/httpd.conf"
}

cep_write_env() {
	local b=https://$CEP_FQDN
	cat > "$LAB/cep/env.sh" << EOF
export CEP_FQDN=$CEP_FQDN CEP_IP=$CEP_IP CEP_PORT=$CEP_PORT CEP_BAD_PORT=$CEP_BAD_PORT CEP_DOWN_PORT=$CEP_DOWN_PORT
export CEP_CA_FILE=$LAB/ca/ca.pem CEP_LOG=$LAB/cep/backend.log CEP_SPN=$CEP_SPN
export CEP_URL_KERBEROS=$b/ADPolicyProvider_CEP_Kerberos/service.svc/CEP
export CEP_URL_KERBEROS_CB=$b/ADPolicyProvider_CEP_KerberosCB/service.svc/CEP
export CEP_URL_PASSWORD=$b/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP
export CEP_URL_CERTIFICATE=$b/ADPolicyProvider_CEP_Certificate/service.svc/CEP
export CES_URL_KERBEROS=$b/${CANAME}_CES_Kerberos/service.svc/CES
export CES_URL_KERBEROS_CB=$b/${CANAME}_CES_KerberosCB/service.svc/CES
export CES_URL_PASSWORD=$b/${CANAME}_CES_UsernamePassword/service.svc/CES
export CES_URL_CERTIFICATE=$b/${CANAME}_CES_Certificate/service.svc/CES
export CEP_BAD_URL_KERBEROS=$b:$CEP_BAD_PORT/ADPolicyProvider_CEP_Kerberos/service.svc/CEP
export CES_BAD_URL_KERBEROS=$b:$CEP_BAD_PORT/${CANAME}_CES_Kerberos/service.svc/CES
export CEP_DOWN_URL_KERBEROS=$b:$CEP_DOWN_PORT/ADPolicyProvider_CEP_Kerberos/service.svc/CEP
export CES_DOWN_URL_KERBEROS=$b:$CEP_DOWN_PORT/${CANAME}_CES_Kerberos/service.svc/CES
export CES2_URL_KERBEROS=$b/LAB-CA2_CES_Kerberos/service.svc/CES
export CES2_URL_KERBEROS_CB=$b/LAB-CA2_CES_KerberosCB/service.svc/CES
export CES2_URL_PASSWORD=$b/LAB-CA2_CES_UsernamePassword/service.svc/CES
export CES2_URL_CERTIFICATE=$b/LAB-CA2_CES_Certificate/service.svc/CES
export CEPAPP_CONFIG=$LAB/cep/cep.json
EOF
	grep -q "cep/env.sh" "$LAB/env.sh" || echo "[ ! -f $LAB/cep/env.sh ] || . $LAB/cep/env.sh" >> "$LAB/env.sh"
}

cep_backend_ok() {
	N /usr/bin/python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])' \
		"$LAB/cep/run/backend.sock" 2> /dev/null
}
cep_port_ok() { N bash -c "exec 3<>/dev/tcp/$CEP_IP/$1" 2> /dev/null; }

cep_start() {
	local C=$LAB/cep end app=() env
	mkdir -p "$C/httpd/run" "$C/httpd/logs" "$C/httpd/empty" "$C/run" "$C/rcache"
	chown "root:$CEP_USER" "$C/run" "$C/rcache"
	chmod 750 "$C/run"
	chmod 770 "$C/rcache"
	cep_client_ca
	cep_render
	[ -z "${CEP_APP:-}" ] || app=(--app "$CEP_APP")
	[ -n "${CEP_APP:-}" ] || [ -f "$CEP_SRC/cepapp.py" ] ||
		die "cep: no application: $CEP_SRC/cepapp.py missing (CEP_APP= names another)"
	# a clean environment: krb5 from the lab, the replay cache in the lab
	env="PATH=$CEP_PATH LANG=C KRB5_CONFIG=$LAB/krb5.conf KRB5RCACHEDIR=$C/rcache
		KRB5_KTNAME=FILE:$C/http.keytab PYTHONDONTWRITEBYTECODE=1 LAB=$LAB NS=$NS
		CEPAPP_CONFIG=$C/cep.json"
	if ! cep_backend_pid > /dev/null; then
		# shellcheck disable=SC2086
		ip netns exec "$NS" env -i $env /usr/bin/python3 "$CEP_SRC/backend.py" \
			--socket "$C/run/backend.sock" --group "$CEP_USER" --keytab "$C/http.keytab" \
			"${app[@]}" >> "$C/backend.log" 2>> "$C/backend.err" < /dev/null 8>&- 9>&- &
		echo $! > "$C/backend.pid"
	fi
	if ! cep_apache_pid > /dev/null; then
		# shellcheck disable=SC2086
		ip netns exec "$NS" env -i $env /usr/sbin/apache2 -f "$C/httpd.conf" -t \
			> "$C/httpd/logs/configtest.log" 2>&1 < /dev/null ||
			{ cat "$C/httpd/logs/configtest.log" >&2; cep_stop; die "cep: $C/httpd.conf does not pass apache2 -t"; }
		# shellcheck disable=SC2086
		ip netns exec "$NS" env -i $env /usr/sbin/apache2 -f "$C/httpd.conf" -DFOREGROUND \
			>> "$C/httpd/logs/stdout.log" 2>&1 < /dev/null 8>&- 9>&- &
		echo $! > "$C/apache.pid"
	fi
	end=$(($(date +%s) + 30))
	until cep_backend_ok && cep_port_ok "$CEP_PORT" && cep_port_ok "$CEP_BAD_PORT"; do
		if ! alive "$(cat "$C/backend.pid")" || ! alive "$(cat "$C/apache.pid")" ||
			[ "$(date +%s)" -ge "$end" ]; then
			tail -n 20 "$C/backend.err" "$C/httpd/logs/stdout.log" "$C/httpd/logs/error.log" >&2 2> /dev/null
			cep_stop
			die "cep: the backend or Apache did not start"
		fi
		sleep 0.05
	done
}

cep_stop() {
	local p pids="" q
	p=$(cep_apache_pid) && pids="$p"
	p=$(cep_backend_pid) && pids="$pids $p"
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill_wait 10 $pids
	# Apache's children end with their parent; an apache2 of this lab's
	# config or a backend of its socket still running is a leftover
	for q in $(ip netns pids "$NS" 2> /dev/null); do
		cep_ours "$q" || continue
		log "cep: leftover process $q: $(tr '\0' ' ' < "/proc/$q/cmdline" 2> /dev/null)"
		kill_wait 5 "$q"
	done
	rm -f "$LAB/cep/apache.pid" "$LAB/cep/backend.pid" "$LAB/cep/run/backend.sock"
}

cep_up() {
	local t
	t=$(now)
	[ -f "$LAB/cep/provisioned" ] || cep_provision
	cep_start
	cep_write_env
	log "cep up: https://$CEP_FQDN:$CEP_PORT (lab CA), :$CEP_BAD_PORT (self-signed), apache pid" \
		"$(cep_apache_pid), backend pid $(cep_backend_pid): $(since "$t") s"
}

cep_down() {
	[ -d "$LAB/cep" ] || return 0
	cep_stop
	log "cep down: Apache and the backend stopped"
}

cep_status() {
	if cep_apache_pid > /dev/null && cep_backend_pid > /dev/null; then
		echo up
	elif [ -f "$LAB/cep/provisioned" ]; then
		echo stopped
	else
		echo none
	fi
}
