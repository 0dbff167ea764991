#!/bin/bash
# adlab.sh: a throw-away Samba 4.17 AD DC (dc1.lab.example.com, 127.0.0.2)
# plus one joined member identity (MEMBER1, 127.0.0.3), all inside a network
# namespace of its own (loopback addresses only). The DC loads our test CA
# (an MS-ICPR endpoint module) and holds the AD CS objects of pki.ldif.in and
# a GPO whose Machine/Registry.pol sets AEPolicy=7.
#
#   LAB=/tmp/lab NS=adlab ICPR_SO=build/tests/ca/icpr_ca.so adlab.sh up
#   adlab.sh up          build it; idempotent: a healthy lab is left alone, a
#                        built lab whose DC stopped gets its DC started, a
#                        half-built one is torn down and rebuilt; any failure
#                        tears down what was built (logs are printed first)
#   adlab.sh down        stop everything, delete netns and LAB, then check
#                        that no process, mount or netns of ours is left
#   adlab.sh stop|start  stop / start the DC only (start waits until ready)
#   adlab.sh status      "up", "dc-stopped", "half-built" or "down" (rc 0 = up)
#   adlab.sh env         print the variables clients need (source it)
#   adlab.sh client CMD  CMD inside the netns as a plain member-side client
#                        (KRB5_CONFIG set, private /run/samba, /var/log/samba)
#   adlab.sh winbindd    start a member winbindd (samba-gpupdate, PAM, NSS);
#                        returns once it resolves domain names; one that
#                        already answers is left alone
#   adlab.sh member CMD  CMD as the member host runs it (client + nss_wrapper
#                        -> libnss_winbind for passwd/group)
#   adlab.sh logon CMD   CMD as a "logged-on client" of the member: like
#                        client, plus the lab's nsswitch.conf (passwd/group:
#                        files winbind) and pam.d bind-mounted over
#                        /etc/nsswitch.conf and /etc/pam.d in CMD's private
#                        mount namespace (never the host's files), so real
#                        PAM and NSS reach the member winbindd, and so do
#                        CMD's children; e.g.
#                        echo PW | adlab.sh logon pamtester -v autoenroll-test
#                        alice authenticate open_session close_session
#                        (starts the member winbindd when it is not running)
#   adlab.sh admin VERB  directory/SYSVOL changes as Administrator for the
#                        policy scenarios: OUs, moving the member, GPOs and
#                        their links, block inheritance, versions, security
#                        filtering, groups, ACEs (tests/lab/adlab-admin.sh)
#   adlab.sh cep up|down|status
#                        the test CEP/CES (MS-XCEP/MS-WSTEP over HTTPS):
#                        https://cep.lab.example.com (127.0.0.4:443, lab CA
#                        certificate; :4443 self-signed), Apache httpd +
#                        tests/cep/backend.py in the netns; up is idempotent
#                        and adds the URLs to env.sh; down stops both by pid
#                        (lab down does too). tests/cep/README.md
#
# Environment:
#   LAB        scratch dir (absolute; created; removed by down)  [/tmp/adlab]
#   NS         network namespace name                            [adlab]
#   ICPR_SO    DCE/RPC endpoint module to load into the DC (the test CA,
#              <builddir>/tests/ca/icpr_ca.so); copied as
#              $LAB/mods/dcerpc_server/$ICPR_EP.so on up/start
#   ICPR_EP    its endpoint server name                          [icpr_ca]
#   MAXRUNTIME samba --maximum-runtime safety net, seconds       [7200]
#   MODEL      samba process model                               [single]
#   LAB_CEP    1: `up` also starts the test CEP/CES (adlab.sh cep up)
#   CEP_APP    the CEP/CES module with handle() [tests/cep/cepapp.py]
#   CA_LOCAL   the test CA as a command, for the CEP's first `cep up`
#              (cepapp-setup.sh)          [ca-local beside ICPR_SO]
# The DC's environment gets ICPR_CA_DIR=$LAB/ca (ca.pem, ca.key; the module
# keeps its request db there) and ICPR_SAM_LDB=$LAB/dc/private/sam.ldb.
#
# Users, user policy and logons (user certificates; lab-users.sh):
#   OU=Staff        alice (mail and UPN alice@lab.example.com), bob (UPN, no
#                   mail); the GPO "Lab User AutoEnroll" is linked here:
#                   User/Registry.pol with AEPolicy=7, GPT.INI Version 65536
#                   (user half 1, machine half 0), gPCUserExtensionNames = the
#                   registry CSE with its user tool extension ([MS-GPREG] 1.9)
#   OU=Contractors  carol (mail set): no GPO, so no user policy
#   every user's password is $USERPASS (env.sh); homes $LAB/home/<user>
#   (member smb.conf 'template homedir', made by pam_mkhomedir at logon)
# The logon environment ($LAB/member/pam.d, $LAB/member/nsswitch.conf): PAM
# service autoenroll-test = pam_winbind (krb5_auth, a FILE ccache under
# $LAB/member/ccache; KRB5CCNAME goes into the PAM environment), pam_unix
# for local users; its session stack ends with `include autoenroll-session`,
# $LAB/member/pam.d/autoenroll-session (where a scenario puts its
# pam_autoenroll.so line; empty by default).
#
# Needs (Debian 12): samba samba-ad-dc samba-ad-provision winbind krb5-user
# smbclient ldb-tools ldap-utils libsasl2-modules-gssapi-mit python3-samba
# openssl pkg-config libnss-wrapper libnss-winbind bc iproute2 (tests/deps.sh).
#
# What it isolates and why (details: the project's lab notes):
# * netns $NS: lo with 127.0.0.2 (DC) and 127.0.0.3 (member); no other
#   interface, so nothing can leave the machine (provision copies the host's
#   resolv.conf nameserver into 'dns forwarder'; that line is deleted too).
# * /etc/netns/$NS/{hosts,resolv.conf}: 'ip netns exec' bind-mounts them over
#   /etc/hosts and /etc/resolv.conf for every command run in the namespace.
# * The DC runs with a private /run/samba and /var/log/samba (bind mounts in
#   its own mount namespace): libwbclient ignores 'winbindd socket directory'
#   and the samba-dcerpcd/rpcd_* helpers log to /var/log/samba whatever 'log
#   file' says. Member-side commands get their own pair.
# * The CA module is put into Samba's modules dir with an overlay mount that
#   only the DC's mount namespace sees (no write under /usr).
set -euo pipefail

LAB=${LAB:-/tmp/adlab}
NS=${NS:-adlab}
ICPR_EP=${ICPR_EP:-icpr_ca}
MAXRUNTIME=${MAXRUNTIME:-7200}
MODEL=${MODEL:-single}
REALM=LAB.EXAMPLE.COM
DOMAIN=LAB
DNSDOMAIN=lab.example.com
BASEDN=DC=lab,DC=example,DC=com
DCIP=127.0.0.2
DCNAME=dc1
DCFQDN=$DCNAME.$DNSDOMAIN
MEMBERIP=127.0.0.3
MEMBER=MEMBER1
MEMBERFQDN=member1.$DNSDOMAIN
CANAME="LAB-CA"
FOREST_OID=1.3.6.1.4.1.311.21.8.1000001.2000002.3000003.4000004.5000005.6000006
ADMINPASS=${ADMINPASS:-Passw0rd.Lab1}
USERPASS=${USERPASS:-Us3r.Passw0rd}
BASE_EPS="epmapper, wkssvc, samr, netlogon, lsarpc, drsuapi, dssetup, unixinfo, browser, eventlog6, backupkey, dnsserver"
FIX=$(dirname "$(readlink -f "$0")")
SAMBA_MODULESDIR=$(pkg-config --variable=modulesdir dcerpc_server 2> /dev/null || true)
SAMBA_MODULESDIR=${SAMBA_MODULESDIR%/dcerpc_server}
SAMBA_MODULESDIR=${SAMBA_MODULESDIR:-/usr/lib/x86_64-linux-gnu/samba}

# shellcheck source=../cep/cep-lab.sh
. "$FIX/../cep/cep-lab.sh"

log() { printf '[adlab %s] %s\n' "$(date +%T)" "$*"; }
die() { printf '[adlab %s] error: %s\n' "$(date +%T)" "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | sed 's/^\./0./; s/\(\.[0-9][0-9]\).*/\1/'; }
N() { ip netns exec "$NS" "$@"; }

case $LAB in
/?*) LAB=$(realpath -m "$LAB") ;;
*) die "LAB must be an absolute path (got '$LAB')" ;;
esac
[ "$LAB" != / ] || die "LAB must not be /"
[[ $NS =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$ ]] || die "bad NS name '$NS'"
export KRB5_CONFIG=$LAB/krb5.conf
# The caller's stdout/stderr, for the failure trap: a signal can run the
# trap while a redirection of the interrupted command is still in effect.
exec 8>&1 9>&2

# ---------------------------------------------------------------- state --
ns_exists() { [ -e "/run/netns/$NS" ]; }
lab_state() { cat "$LAB/state" 2> /dev/null || echo none; }

# LAB is ours to delete if it is missing, empty, or carries our marker.
lab_removable() {
	[ ! -e "$LAB" ] || [ -f "$LAB/.adlab" ] || [ -z "$(ls -A "$LAB" 2> /dev/null)" ]
}

# pid of the running DC, or nothing: the pid file must name a live 'samba'
# process inside our netns (guards against pid reuse).
dc_pid() {
	local p
	p=$(cat "$LAB/dc/samba.pid" 2> /dev/null) || return 1
	[ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2> /dev/null)" = samba ] || return 1
	[ "$(ip netns identify "$p" 2> /dev/null)" = "$NS" ] || return 1
	echo "$p"
}
dc_running() { dc_pid > /dev/null; }
# the DC process just launched is alive (it may still be ip/env/sh before
# its exec of samba)
dc_launched_alive() {
	local p
	p=$(cat "$LAB/dc/samba.pid" 2> /dev/null) && [ -n "$p" ] && kill -0 "$p" 2> /dev/null
}

ns_pids() { ns_exists && ip netns pids "$NS" 2> /dev/null || true; }

# alive PID: exists and is not a zombie (a container's pid 1 may not reap)
alive() {
	kill -0 "$1" 2> /dev/null || return 1
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)" != Z ]
}

# kill_wait SECONDS PID...: SIGTERM, wait, then SIGKILL what is left.
kill_wait() {
	local secs=$1 p left
	shift
	[ $# -gt 0 ] || return 0
	kill "$@" 2> /dev/null || true
	for _ in $(seq $((secs * 10))); do
		left=""
		for p in "$@"; do alive "$p" && left="$left $p"; done
		[ -n "$left" ] || return 0
		sleep 0.1
	done
	log "still alive after ${secs}s, SIGKILL:$left"
	# shellcheck disable=SC2086
	kill -KILL $left 2> /dev/null || true
	for _ in $(seq 50); do
		left=""
		for p in "$@"; do alive "$p" && left="$left $p"; done
		[ -n "$left" ] || return 0
		sleep 0.1
	done
}

wait_port() { # host port deadline (date +%s)
	until N bash -c "exec 3<>/dev/tcp/$1/$2" 2> /dev/null; do
		dc_launched_alive || return 1
		[ "$(date +%s)" -lt "$3" ] || {
			log "port $1:$2 not open in time" >&2
			return 1
		}
		sleep 0.05
	done
}

ldap_ok() {
	N ldbsearch -H "ldap://$DCFQDN" --use-kerberos=required \
		--configfile="$LAB/client.conf" -b "" -s base dn > /dev/null 2>&1
}

admin_kinit() {
	echo "$ADMINPASS" | KRB5CCNAME=FILE:$LAB/admin.ccache N kinit "Administrator@$REALM" > /dev/null
}

write_env() {
	cat > "$LAB/env.sh" << EOF
# source this, then run clients with: adlab.sh client <cmd>
# (or ip netns exec $NS <cmd>)
export KRB5_CONFIG=$LAB/krb5.conf
export LAB=$LAB NS=$NS REALM=$REALM BASEDN=$BASEDN DCFQDN=$DCFQDN DCIP=$DCIP
export MEMBER_CONF=$LAB/member/smb.conf MEMBER_KEYTAB=$LAB/member/krb5.keytab
export MEMBER_FQDN=$MEMBERFQDN MACHINE_CCACHE=FILE:$LAB/member/machine.ccache
export MACHINE_PRINCIPAL='$MEMBER\$@$REALM' CLIENT_CONF=$LAB/client.conf
export ADMIN_CCACHE=FILE:$LAB/admin.ccache CANAME=$CANAME FOREST_OID=$FOREST_OID
export ICPR_CA_DIR=$LAB/ca ICPR_SAM_LDB=$LAB/dc/private/sam.ldb
export USERPASS='$USERPASS' PAM_SERVICE=autoenroll-test LAB_USERS='alice bob carol'
EOF
	if [ -f "$LAB/user-gpo.guid" ]; then
		echo "export USER_GPO_GUID='$(cat "$LAB/user-gpo.guid")'" >> "$LAB/env.sh"
	fi
	if [ -f "$LAB/gpo.guid" ]; then
		echo "export GPO_GUID='$(cat "$LAB/gpo.guid")'" >> "$LAB/env.sh"
	fi
	if [ -f "$LAB/cep/env.sh" ]; then
		echo "[ ! -f $LAB/cep/env.sh ] || . $LAB/cep/env.sh" >> "$LAB/env.sh"
	fi
}

# ------------------------------------------------------------------ DC --
# Copy ICPR_SO (when given) into $LAB/mods and set 'dcerpc endpoint servers'
# to the base list plus one name per module there (file name = ep server name).
install_modules() {
	local conf=$LAB/dc/etc/smb.conf eps=$BASE_EPS m
	if [ -n "${ICPR_SO:-}" ]; then
		[ -f "$ICPR_SO" ] || die "ICPR_SO=$ICPR_SO: no such file"
		mkdir -p "$LAB/mods/dcerpc_server"
		cp -f "$ICPR_SO" "$LAB/mods/dcerpc_server/$ICPR_EP.so"
	fi
	for m in "$LAB"/mods/dcerpc_server/*.so; do
		[ -f "$m" ] || continue
		m=${m##*/}
		eps="$eps, ${m%.so}"
	done
	sed -i "s/^[[:space:]]*dcerpc endpoint servers = .*/\tdcerpc endpoint servers = $eps/" "$conf"
}

start_dc() {
	local overlay="" p
	if dc_running; then
		log "DC already running (pid $(dc_pid))"
		return 0
	fi
	install_modules
	if compgen -G "$LAB/mods/dcerpc_server/*.so" > /dev/null; then
		overlay="mount -t overlay overlay -o lowerdir=$LAB/mods:$SAMBA_MODULESDIR $SAMBA_MODULESDIR &&"
	fi
	mkdir -p /run/samba /var/log/samba # mount points (exist once samba is installed)
	# not through N(): $! must be the pid that ends up as samba (ip netns
	# exec, env and sh all exec)
	ip netns exec "$NS" env ICPR_CA_DIR="$LAB/ca" ICPR_SAM_LDB="$LAB/dc/private/sam.ldb" \
		sh -c "mount --bind $LAB/dc/runsamba /run/samba && \
		mount --bind $LAB/dc/varlog /var/log/samba && $overlay \
		exec samba -s $LAB/dc/etc/smb.conf -F -M $MODEL --maximum-runtime=$MAXRUNTIME" \
		>> "$LAB/dc/samba.stdout" 2>&1 < /dev/null 8>&- 9>&- &
	p=$!
	echo "$p" > "$LAB/dc/samba.pid"
	wait_ready && dc_running || {
		tail -n 30 "$LAB/dc/samba.stdout" "$LAB/dc/log.samba" >&2 2> /dev/null || true
		die "DC did not become ready"
	}
	readlink "/proc/$p/ns/mnt" > "$LAB/dc/mntns"
}

# Ports open, then an authenticated LDAP bind (right after the ports open
# the first SASL bind can still fail with NT_STATUS_INVALID_PARAMETER).
wait_ready() {
	local tries=0 end=$(($(date +%s) + ${READY_TIMEOUT:-60}))
	wait_port $DCIP 389 $end && wait_port $DCIP 88 $end && wait_port $DCIP 445 $end &&
		wait_port $DCIP 135 $end || return 1
	until admin_kinit 2> /dev/null && KRB5CCNAME=FILE:$LAB/admin.ccache ldap_ok; do
		tries=$((tries + 1))
		dc_launched_alive && [ $tries -lt 200 ] || return 1
		sleep 0.1
	done
}

# Stop the DC and every process of its mount namespace (smbd, winbindd,
# samba-dcerpcd, rpcd_*; the helpers outlive their parents otherwise).
stop_dc() {
	local p mntns q pids=""
	p=$(dc_pid) || p=""
	mntns=$(cat "$LAB/dc/mntns" 2> /dev/null || true)
	[ -z "$p" ] || kill_wait 15 "$p"
	if [ -n "$mntns" ]; then
		for q in $(ns_pids); do
			[ "$(readlink "/proc/$q/ns/mnt" 2> /dev/null)" = "$mntns" ] && pids="$pids $q"
		done
		# shellcheck disable=SC2086
		[ -z "$pids" ] || { log "stopping leftover DC helpers:$pids"; kill_wait 5 $pids; }
	fi
	rm -f "$LAB/dc/samba.pid" "$LAB/dc/mntns"
}

# -------------------------------------------------------------- member --
# Member-side commands get their own /run/samba and /var/log/samba; with
# "nss" also nss_wrapper -> libnss_winbind (instead of nsswitch.conf).
member_sh() {
	local nss=""
	if [ "$1" = pam ]; then
		# /dev/log: an overlay of /dev (private to CMD) with the lab's
		# syslog socket bound over it (adlab.sh logon)
		nss="&& mount --bind $LAB/member/nsswitch.conf /etc/nsswitch.conf \
		&& mount --bind $LAB/member/pam.d /etc/pam.d \
		&& mount -t tmpfs -o size=1m,mode=700 labdev $LAB/member/devov \
		&& mkdir $LAB/member/devov/u $LAB/member/devov/w \
		&& mount -t overlay overlay -o lowerdir=/dev,upperdir=$LAB/member/devov/u,workdir=$LAB/member/devov/w /dev \
		&& : > /dev/log && mount --bind $LAB/member/syslog.sock /dev/log"
		echo "mkdir -p $LAB/member/runsamba $LAB/member/varlog && \
		mount --bind $LAB/member/runsamba /run/samba && \
		mount --bind $LAB/member/varlog /var/log/samba $nss && \
		export KRB5_CONFIG=$LAB/krb5.conf && exec \"\$@\""
		return
	fi
	if [ "$1" = nss ]; then
		nss="LD_PRELOAD=$(find /usr/lib /lib -name libnss_wrapper.so -print -quit) \
		NSS_WRAPPER_PASSWD=/etc/passwd NSS_WRAPPER_GROUP=/etc/group \
		NSS_WRAPPER_MODULE_SO_PATH=$(find /lib /usr/lib -name libnss_winbind.so.2 -print -quit) \
		NSS_WRAPPER_MODULE_FN_PREFIX=winbind"
	fi
	echo "mkdir -p $LAB/member/runsamba $LAB/member/varlog && \
		mount --bind $LAB/member/runsamba /run/samba && \
		mount --bind $LAB/member/varlog /var/log/samba && \
		export KRB5_CONFIG=$LAB/krb5.conf $nss && exec \"\$@\""
}

start_member_winbindd() {
	local _
	mkdir -p /run/samba /var/log/samba
	ip netns exec "$NS" sh -c "$(member_sh nss)" sh \
		winbindd -s "$LAB/member/smb.conf" -F --no-process-group \
		> "$LAB/member/winbindd.stdout" 2>&1 < /dev/null 8>&- 9>&- &
	echo $! > "$LAB/member/winbindd.pid"
	# answering pings is not enough: a fresh winbindd fails name lookups
	# (getpwnam of a domain user) until its connection to the DC is up
	for _ in $(seq 150); do
		ip netns exec "$NS" sh -c "$(member_sh nss)" sh wbinfo -p > /dev/null 2>&1 &&
			ip netns exec "$NS" sh -c "$(member_sh nss)" sh wbinfo --ping-dc > /dev/null 2>&1 &&
			ip netns exec "$NS" sh -c "$(member_sh nss)" sh \
				getent passwd "$DOMAIN\\Administrator" > /dev/null 2>&1 &&
			return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- build --
build() {
	local t0 t conf M gpo
	t0=$(now)
	mkdir -p "$LAB"
	# the DC's smbd opens sysvol files as the connected user: every dir
	# above sysvol must be traversable (mktemp -d makes 0700)
	chmod 755 "$LAB"
	touch "$LAB/.adlab"
	echo building > "$LAB/state"

	# -- network namespace ------------------------------------------------
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip -n "$NS" addr add "$DCIP/8" dev lo
	ip -n "$NS" addr add "$MEMBERIP/8" dev lo
	mkdir -p "/etc/netns/$NS"
	printf '127.0.0.1 localhost\n%s %s %s\n%s %s member1\n' \
		"$DCIP" "$DCFQDN" "$DCNAME" "$MEMBERIP" "$MEMBERFQDN" > "/etc/netns/$NS/hosts"
	printf 'nameserver %s\nsearch %s\n' "$DCIP" "$DNSDOMAIN" > "/etc/netns/$NS/resolv.conf"

	# -- provision ----------------------------------------------------------
	t=$(now)
	mkdir -p "$LAB/dc"
	N samba-tool domain provision --targetdir="$LAB/dc" --realm=$REALM \
		--domain=$DOMAIN --server-role=dc --dns-backend=SAMBA_INTERNAL \
		--adminpass="$ADMINPASS" --host-name=$DCNAME --host-ip=$DCIP \
		--option="interfaces=$DCIP" --option="bind interfaces only=yes" \
		--option="netbios name=${DCNAME^^}" \
		--option="log file=$LAB/dc/log.samba" --option="log level=1" \
		> "$LAB/provision.log" 2>&1
	log "provision: $(since "$t") s"
	conf=$LAB/dc/etc/smb.conf
	sed -i '/dns forwarder/d' "$conf"
	# ntp signd dir is not created here: samba insists on mode 0750
	sed -i "/^\[global\]/a\\
	pid directory = $LAB/dc/run\\
	ncalrpc dir = $LAB/dc/run/ncalrpc\\
	ntp signd socket directory = $LAB/dc/ntp_signd\\
	usershare path = $LAB/dc/usershares\\
	smb passwd file = $LAB/dc/private/smbpasswd\\
	dcerpc endpoint servers = $BASE_EPS" "$conf"
	mkdir -p "$LAB/dc/run" "$LAB/dc/usershares" "$LAB/dc/runsamba" "$LAB/dc/varlog"
	chmod 1770 "$LAB/dc/usershares"
	N samba-tool domain passwordsettings set --max-pwd-age=0 \
		-H "$LAB/dc/private/sam.ldb" -s "$conf" > /dev/null

	# -- test CA, and the DC's TLS certificate from it (otherwise the first
	#    start spends ~3 s generating 4096-bit RSA keys for LDAPS) --------
	mkdir -p "$LAB/ca"
	chmod 700 "$LAB/ca"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$LAB/ca/ca.key" \
		-out "$LAB/ca/ca.pem" -days 3650 -subj "/DC=com/DC=example/DC=lab/CN=$CANAME" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2> /dev/null
	local tls=$LAB/dc/private/tls
	mkdir -p "$tls"
	openssl req -newkey rsa:2048 -nodes -keyout "$tls/key.pem" -subj "/CN=$DCFQDN" \
		-out "$LAB/ca/dc.csr" 2> /dev/null
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$DCFQDN" > "$LAB/ca/dc.ext"
	openssl x509 -req -in "$LAB/ca/dc.csr" -CA "$LAB/ca/ca.pem" -CAkey "$LAB/ca/ca.key" \
		-CAcreateserial -days 365 -extfile "$LAB/ca/dc.ext" -out "$tls/cert.pem" 2> /dev/null
	rm -f "$LAB/ca/dc.csr" "$LAB/ca/dc.ext" "$LAB/ca/ca.srl"
	cp "$LAB/ca/ca.pem" "$tls/ca.pem"
	chmod 600 "$tls/key.pem"

	cat > "$LAB/krb5.conf" << EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
[realms]
	$REALM = {
		kdc = $DCIP
		admin_server = $DCIP
	}
[domain_realm]
	.$DNSDOMAIN = $REALM
	$DNSDOMAIN = $REALM
EOF
	# client tools given no -s read /etc/samba/smb.conf and write
	# gencache.tdb into /run/samba: give them a config of their own
	mkdir -p "$LAB/client"
	cat > "$LAB/client.conf" << EOF
[global]
	workgroup = $DOMAIN
	realm = $REALM
	lock directory = $LAB/client
	state directory = $LAB/client
	cache directory = $LAB/client
	private dir = $LAB/client
	log level = 0
EOF
	write_env

	t=$(now)
	start_dc
	log "DC up and answering LDAP (model $MODEL, pid $(dc_pid)): $(since "$t") s"

	export KRB5CCNAME=FILE:$LAB/admin.ccache
	FOREST_OID=$FOREST_OID sh "$FIX/render-pki-ldif.sh" "$LAB/ca/ca.pem" "$BASEDN" "$DCFQDN" "$CANAME" > "$LAB/pki.ldif"
	t=$(now)
	N ldbadd -H "ldap://$DCFQDN" --use-kerberos=required --configfile="$LAB/client.conf" \
		"$LAB/pki.ldif" > "$LAB/pki-add.log" 2>&1 || { cat "$LAB/pki-add.log" >&2; return 1; }
	log "PKI objects: $(tail -1 "$LAB/pki-add.log") ($(since "$t") s)"

	# -- member identity ------------------------------------------------------
	M=$LAB/member
	mkdir -p "$M/private" "$M/lock" "$M/state" "$M/cache" "$M/run" "$M/runsamba" "$M/varlog"
	chmod 700 "$M/private"
	cat > "$M/smb.conf" << EOF
[global]
	workgroup = $DOMAIN
	realm = $REALM
	security = ADS
	server role = member server
	netbios name = $MEMBER
	interfaces = $MEMBERIP
	bind interfaces only = yes
	password server = $DCFQDN
	kerberos method = dedicated keytab
	dedicated keytab file = $M/krb5.keytab
	private dir = $M/private
	lock directory = $M/lock
	state directory = $M/state
	cache directory = $M/cache
	pid directory = $M/run
	ncalrpc dir = $M/run/ncalrpc
	ntp signd socket directory = $M/run/ntp_signd
	usershare path = $M/usershares
	log file = $M/log.%m
	log level = 1
	idmap config * : backend = tdb
	idmap config * : range = 10000-19999
	idmap config $DOMAIN : backend = rid
	idmap config $DOMAIN : range = 100000-199999
	template shell = /bin/false
	# logons (adlab.sh logon): getpwnam("alice") resolves, homes in the lab
	template homedir = $LAB/home/%U
	winbind use default domain = yes
	apply group policies = no
	# autoenroll run exports the AD trust anchors: keep them inside the lab
	# (never the host's trust store) and run no trust-store command
	autoenroll:trust dir = $M/trust
	autoenroll:trust command = none
EOF
	t=$(now)
	N net ads join -s "$M/smb.conf" -U "Administrator%$ADMINPASS" --no-dns-updates \
		> "$LAB/join.log" 2>&1 || { cat "$LAB/join.log" >&2; return 1; }
	log "net ads join: $(since "$t") s: $(grep -o "Joined.*" "$LAB/join.log")"
	# 4.17 'net ads join' writes secrets.tdb but no keytab
	[ -s "$M/krb5.keytab" ] || N net ads keytab create -P -s "$M/smb.conf" > /dev/null 2>&1
	[ -s "$M/krb5.keytab" ] || die "no member keytab"
	# from now on secrets.tdb only: winbindd checks a user's TGT (pam_winbind
	# krb5_auth) while running as that user, and the 0600 keytab is not
	# readable then; the lab's tools name the keytab explicitly
	sed -i 's/^\tkerberos method = dedicated keytab$/\tkerberos method = secrets only/' "$M/smb.conf"
	KRB5CCNAME=FILE:$M/machine.ccache N kinit -k -t "$M/krb5.keytab" "$MEMBER\$@$REALM"

	# The test CA builds the DNS SAN from the computer's dNSHostName.
	local mdn hn
	mdn=$(N ldbsearch -H "ldap://$DCFQDN" --use-kerberos=required --configfile="$LAB/client.conf" \
		-b "$BASEDN" "(sAMAccountName=$MEMBER\$)" dn dNSHostName 2> /dev/null)
	hn=$(sed -n 's/^dNSHostName: //p' <<< "$mdn")
	mdn=$(sed -n 's/^dn: //p' <<< "$mdn")
	[ -n "$mdn" ] || die "member computer object not found"
	if [ "$hn" != "$MEMBERFQDN" ]; then
		N ldbmodify -H "ldap://$DCFQDN" --use-kerberos=required --configfile="$LAB/client.conf" \
			> /dev/null << EOF
dn: $mdn
changetype: modify
replace: dNSHostName
dNSHostName: $MEMBERFQDN
EOF
		log "member dNSHostName: was '${hn}', set to $MEMBERFQDN"
	else
		log "member dNSHostName: $hn (set by the join)"
	fi

	# -- GPO with the AutoEnrollment policy -----------------------------------
	t=$(now)
	gpo=$(N samba-tool gpo create "Lab AutoEnroll" -H "ldap://$DCFQDN" -s "$M/smb.conf" \
		--use-kerberos=required < /dev/null 2>&1 | grep -o '{[0-9A-F-]*}')
	[ -n "$gpo" ] || die "samba-tool gpo create gave no GUID"
	N samba-tool gpo setlink "$BASEDN" "$gpo" -H "ldap://$DCFQDN" -s "$M/smb.conf" \
		--use-kerberos=required < /dev/null > /dev/null 2>&1
	/usr/bin/python3 "$FIX/make-registry-pol.py" "$LAB/Registry.pol" 7 > /dev/null
	printf '[General]\r\nVersion=1\r\n' > "$LAB/GPT.INI"
	N smbclient -N "//$DCFQDN/sysvol" --use-kerberos=required -s "$M/smb.conf" \
		-c "cd $DNSDOMAIN/Policies/$gpo; put $LAB/GPT.INI GPT.INI; cd Machine; put $LAB/Registry.pol Registry.pol" \
		> "$LAB/gpo-upload.log" 2>&1 || { cat "$LAB/gpo-upload.log" >&2; return 1; }
	N ldbmodify -H "ldap://$DCFQDN" --use-kerberos=required --configfile="$LAB/client.conf" > /dev/null << EOF
dn: CN=$gpo,CN=Policies,CN=System,$BASEDN
changetype: modify
replace: versionNumber
versionNumber: 1
-
replace: gPCMachineExtensionNames
gPCMachineExtensionNames: [{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]
EOF
	echo "$gpo" > "$LAB/gpo.guid"
	write_env
	log "GPO $gpo created, linked, Registry.pol uploaded: $(since "$t") s"

	# -- users, OUs, the user GPO and the logon environment (lab-users.sh)
	t=$(now)
	# shellcheck source=lab-users.sh
	. "$FIX/lab-users.sh"
	users_build
	logon_env_write
	write_env
	log "users alice bob (OU=Staff, user GPO $(cat "$LAB/user-gpo.guid")), carol (OU=Contractors): $(since "$t") s"
	echo up > "$LAB/state"
	log "lab up (NS=$NS LAB=$LAB): $(since "$t0") s"
}

up_failed() {
	local f
	trap - EXIT INT TERM
	exec 1>&8 2>&9
	log "up failed: last lines of the logs, then tearing down" >&2
	for f in "$LAB/provision.log" "$LAB/dc/samba.stdout" "$LAB/dc/log.samba" \
		"$LAB/join.log" "$LAB/pki-add.log"; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 15 "$f" >&2
	done
	down || true
}

# Idempotent: healthy -> nothing; built but DC stopped -> start it; a
# changed ICPR_SO -> restart the DC with it; anything else -> rebuild.
up() {
	local st
	st=$(lab_state)
	if [ "$st" = up ] && ns_exists; then
		if dc_running && [ -n "${ICPR_SO:-}" ] &&
			! cmp -s "$ICPR_SO" "$LAB/mods/dcerpc_server/$ICPR_EP.so"; then
			log "ICPR_SO changed: restarting the DC with the new module"
			stop_dc
		fi
		if ! dc_running; then
			log "lab built but DC not running: starting it"
			if (start_dc); then
				log "lab up (DC pid $(dc_pid))"
				up_cep
				return 0
			fi
		elif admin_kinit 2> /dev/null && KRB5CCNAME=FILE:$LAB/admin.ccache ldap_ok; then
			log "lab already up and healthy (NS=$NS LAB=$LAB, DC pid $(dc_pid))"
			up_cep
			return 0
		fi
		log "lab unhealthy: rebuilding"
	fi
	lab_removable || die "LAB=$LAB exists, is not empty and is not a lab: refusing to use it"
	if [ -f "$LAB/.adlab" ] || ns_exists || [ -e "/etc/netns/$NS" ]; then
		log "half-built lab found (state '$st'): tearing it down first"
		down
	fi
	[ -z "${ICPR_SO:-}" ] || [ -f "$ICPR_SO" ] || die "ICPR_SO=$ICPR_SO: no such file"
	trap up_failed EXIT
	trap 'exit 130' INT TERM
	build
	up_cep
	trap - EXIT INT TERM
}

# LAB_CEP=1: the test CEP/CES too
up_cep() {
	[ "${LAB_CEP:-0}" = 1 ] || return 0
	export KRB5CCNAME=FILE:$LAB/admin.ccache
	cep_up
}

# ----------------------------------------------------------------- down --
# Paths that identify our mounts in /proc/*/mountinfo: $LAB itself and, as
# a bind mount's root is shown relative to its filesystem, $LAB relative to
# the mount it lives on.
lab_mount_patterns() {
	local mp rel
	echo "$LAB/"
	mp=$(findmnt -n -o TARGET -T "$LAB" 2> /dev/null || true)
	if [ -n "$mp" ] && [ "$mp" != / ]; then
		rel=${LAB#"$mp"}
		echo "$rel/dc/"
		echo "$rel/member/"
		echo "$rel/mods"
	fi
}

# pids of this shell and its ancestors (their command lines may name $LAB)
ancestors() {
	local p=$$
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		echo "$p"
		p=$(sed 's/.*) //' "/proc/$p/stat" 2> /dev/null | cut -d' ' -f2)
	done
}

verify_clean() {
	local bad=0 pats p f skip
	pats=$1
	skip=" $(ancestors | tr '\n' ' ') $BASHPID "
	if ns_exists; then
		echo "left: netns $NS (pids: $(ns_pids | tr '\n' ' '))" >&2
		bad=1
	fi
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		[[ $skip != *" $p "* ]] || continue
		# (2> before <: the process may be gone by now)
		if grep -qF -- "$LAB/" < <(tr '\0' ' ' 2> /dev/null < "$f"); then
			echo "left: process $p: $(tr '\0' ' ' 2> /dev/null < "$f")" >&2
			bad=1
		fi
	done
	if grep -q . < <(grep -lF -f <(echo "$pats") /proc/[0-9]*/mountinfo 2> /dev/null); then
		echo "left: mounts of the lab in:" \
			"$(grep -lF -f <(echo "$pats") /proc/[0-9]*/mountinfo 2> /dev/null | tr '\n' ' ')" >&2
		bad=1
	fi
	if grep -qF "/run/netns/$NS " /proc/self/mountinfo; then
		echo "left: /run/netns/$NS mount" >&2
		bad=1
	fi
	[ ! -e "/etc/netns/$NS" ] || { echo "left: /etc/netns/$NS" >&2; bad=1; }
	[ ! -e "$LAB" ] || { echo "left: $LAB" >&2; bad=1; }
	return $bad
}

down() {
	local t pats pids
	t=$(now)
	lab_removable || die "LAB=$LAB is not a lab dir (no .adlab marker): not touching it"
	pats=$(lab_mount_patterns)
	cep_down
	stop_dc
	pids=$(ns_pids | tr '\n' ' ')
	# shellcheck disable=SC2086
	[ -z "${pids// /}" ] || { log "stopping processes in $NS: $pids"; kill_wait 10 $pids; }
	if ns_exists; then
		ip netns del "$NS"
	fi
	rm -rf "/etc/netns/$NS"
	rmdir /etc/netns 2> /dev/null || true
	# 'ip netns add' makes /run/netns a shared bind mount of itself; undo it
	# once no namespace is left (umount fails while any other netns exists)
	if [ -z "$(ip netns list 2> /dev/null)" ] && mountpoint -q /run/netns; then
		umount /run/netns 2> /dev/null || true
	fi
	rm -rf "$LAB"
	if verify_clean "$pats"; then
		log "down: $(since "$t") s; clean: no process, mount or netns of the lab left (NS=$NS LAB=$LAB)"
	else
		log "down: something was left behind (see above)" >&2
		return 1
	fi
}

status() {
	if [ "$(lab_state)" = up ] && ns_exists; then
		if dc_running; then echo up; else echo dc-stopped; fi
	elif [ -f "$LAB/.adlab" ] || ns_exists; then
		echo half-built
	else
		echo down
	fi
}

need_lab() { ns_exists && [ -f "$LAB/.adlab" ] || die "no lab at LAB=$LAB NS=$NS"; }

case "${1:-}" in
up) up ;;
down) down ;;
start)
	need_lab
	t=$(now)
	start_dc
	log "DC up (pid $(dc_pid)): $(since "$t") s"
	;;
stop)
	need_lab
	t=$(now)
	stop_dc
	log "DC stopped: $(since "$t") s"
	;;
status)
	s=$(status)
	echo "$s"
	[ "$s" = up ]
	;;
env)
	need_lab
	cat "$LAB/env.sh"
	;;
client)
	need_lab
	shift
	mkdir -p /run/samba /var/log/samba
	exec ip netns exec "$NS" sh -c "$(member_sh plain)" sh "$@"
	;;
winbindd)
	need_lab
	# shellcheck source=lab-users.sh
	. "$FIX/lab-users.sh"
	# idempotent: one that answers is left alone; one still exiting is
	# waited for; then a fresh one, ready when it resolves domain names
	if winbindd_running; then
		log "member winbindd already running (pid $(cat "$LAB/member/winbindd.pid"))"
	else
		start_member_winbindd
	fi
	;;
member)
	need_lab
	shift
	mkdir -p /run/samba /var/log/samba
	exec ip netns exec "$NS" sh -c "$(member_sh nss)" sh "$@"
	;;
logon)
	need_lab
	shift
	# shellcheck source=lab-users.sh
	. "$FIX/lab-users.sh"
	logon_env_write
	syslog_sink_start
	if ! winbindd_running; then
		start_member_winbindd > /dev/null 2>&1 ||
			die "the member winbindd did not start (see $LAB/member/winbindd.stdout)"
		logon_wait_users ||
			die "the member winbindd does not resolve the lab's users (see $LAB/member/log.winbindd)"
	fi
	mkdir -p /run/samba /var/log/samba
	exec ip netns exec "$NS" sh -c "$(member_sh pam)" sh "$@"
	;;
admin)
	need_lab
	shift
	# shellcheck source=adlab-admin.sh
	. "$FIX/adlab-admin.sh"
	admin_main "$@"
	;;
cep)
	need_lab
	case "${2:-}" in
	up)
		[ "$(status)" = up ] || die "cep: the lab is not up (adlab.sh status: $(status))"
		admin_kinit || die "cep: kinit as Administrator failed"
		cep_up
		;;
	down) cep_down ;;
	status)
		s=$(cep_status)
		echo "$s"
		[ "$s" = up ]
		;;
	*)
		echo "usage: $0 cep up|down|status" >&2
		exit 2
		;;
	esac
	;;
*)
	echo "usage: $0 up|down|start|stop|status|env|client CMD...|winbindd|member CMD...|logon CMD...|admin VERB...|cep up|down|status" >&2
	exit 2
	;;
esac
