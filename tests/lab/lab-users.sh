# lab-users.sh: the lab's users, OUs and user GPO, and the "logged-on
# client" environment (PAM + NSS through the member winbindd). Sourced by
# adlab.sh (build: users_build + logon_env_write; `adlab.sh logon`); uses
# its variables and functions (N, log, die, LAB, BASEDN, ...).
#
# Directory objects (made once, at `up`, as Administrator over LDAP):
#   OU=Staff,<base>        alice: mail alice@<dns domain>, UPN alice@<dns domain>
#                          bob:   UPN bob@<dns domain>, no mail (a template
#                                 whose names need the e-mail is skipped)
#   OU=Contractors,<base>  carol: mail set, UPN set; no GPO applies to her
#   GPO "Lab User AutoEnroll" ($LAB/user-gpo.guid), linked to OU=Staff only:
#     User/Registry.pol    AEPolicy=7 (+ OfflineExpiration*; the same PReg
#                          as Machine/Registry.pol: the AutoEnrollment key
#                          Software\Policies\Microsoft\Cryptography\AutoEnrollment
#                          is read from HKCU for the user, [MS-GPREG] 2.2)
#     GPT.INI Version      65536: user half 1, machine half 0 ([MS-GPOL] 2.2.4)
#     versionNumber        65536 (the same, in the groupPolicyContainer)
#     gPCUserExtensionNames  the registry CSE {35378EAC-...} with its user
#                          tool extension {D02B1F73-...} ([MS-GPREG] 1.9)
#   All three users: password $USERPASS, sAMAccountName = cn = the name.
#
# Logon environment (adlab.sh logon CMD; files rewritten by logon_env_write):
#   $LAB/member/nsswitch.conf  passwd/group: files winbind (glibc NSS, so
#                              every child of PAM resolves domain users too)
#   $LAB/member/pam.d/         over /etc/pam.d: autoenroll-test, other (deny),
#                              autoenroll-session (the scenarios' session
#                              lines, e.g. pam_autoenroll.so; empty at first),
#                              autoenroll-test-session (no auth; open_session
#                              with KRB5CCNAME from $LAB/member/logon.env, for
#                              a ccache an earlier authenticate left)
#   $LAB/member/ccache/        pam_winbind's FILE ccaches, krb5cc_<uid>
#   $LAB/home/                 homes (pam_mkhomedir, template homedir)
# autoenroll-test:
#   auth    pam_winbind krb5_auth krb5_ccache_type=FILE:<ccache dir>/krb5cc_%u
#           (the KDC checks the password; winbindd writes the ccache owned by
#           the user and pam_winbind puts KRB5CCNAME into the PAM
#           environment), else pam_unix (local users)
#   account pam_winbind, else pam_unix
#   session pam_winbind (no krb5_auth: close_session leaves the ccache to a
#           detached enrollment), pam_mkhomedir (domain uids only: a local
#           user's home is never made), then autoenroll-session
# Syslog: inside the logon, /dev/log is the socket of syslog-sink.py, which
# appends to $LAB/member/syslog.log (the host's syslog never sees the lab).
# shellcheck shell=bash

LAB_PAM_SERVICE=autoenroll-test
LAB_USER_GPO_NAME="Lab User AutoEnroll"
AD_GPO_USER_REG_CSE='[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]'

lu_tool() { # samba-tool VERB... as Administrator (KRB5CCNAME: the admin ccache)
	N samba-tool "$@" -H "ldap://$DCFQDN" -s "$LAB/member/smb.conf" --use-kerberos=required \
		< /dev/null
}

lu_user() { # NAME OU [MAIL]
	local mail=()
	[ -z "${3:-}" ] || mail=(--mail-address="$3")
	lu_tool user create "$1" "$USERPASS" --userou="OU=$2" --given-name="${1^}" \
		--surname=Lab "${mail[@]}" > "$LAB/user-$1.log" 2>&1 ||
		{ cat "$LAB/user-$1.log" >&2; die "samba-tool user create $1 failed"; }
}

users_build() {
	local g M=$LAB/member
	export KRB5CCNAME=FILE:$LAB/admin.ccache
	lu_tool ou create "OU=Staff,$BASEDN" > /dev/null 2>&1 || die "cannot create OU=Staff"
	lu_tool ou create "OU=Contractors,$BASEDN" > /dev/null 2>&1 ||
		die "cannot create OU=Contractors"
	lu_user alice Staff "alice@$DNSDOMAIN"
	lu_user bob Staff
	lu_user carol Contractors "carol@$DNSDOMAIN"
	g=$(lu_tool gpo create "$LAB_USER_GPO_NAME" 2>&1 | grep -o '{[0-9A-F-]*}' | head -n 1)
	[ -n "$g" ] || die "samba-tool gpo create '$LAB_USER_GPO_NAME' gave no GUID"
	lu_tool gpo setlink "OU=Staff,$BASEDN" "$g" > /dev/null 2>&1 ||
		die "cannot link $g to OU=Staff"
	/usr/bin/python3 "$FIX/make-registry-pol.py" "$LAB/UserRegistry.pol" 7 > /dev/null
	printf '[General]\r\nVersion=65536\r\n' > "$LAB/GPT-user.INI"
	N smbclient -N "//$DCFQDN/sysvol" --use-kerberos=required -s "$M/smb.conf" \
		-c "cd $DNSDOMAIN/Policies/$g; put $LAB/GPT-user.INI GPT.INI; mkdir User; cd User; put $LAB/UserRegistry.pol Registry.pol" \
		> "$LAB/user-gpo-upload.log" 2>&1 < /dev/null
	grep -q 'putting file .*Registry.pol' "$LAB/user-gpo-upload.log" ||
		{ cat "$LAB/user-gpo-upload.log" >&2; die "upload of the user GPO's Registry.pol failed"; }
	N ldbmodify -H "ldap://$DCFQDN" --use-kerberos=required --configfile="$LAB/client.conf" \
		> /dev/null << EOF
dn: CN=$g,CN=Policies,CN=System,$BASEDN
changetype: modify
replace: versionNumber
versionNumber: 65536
-
replace: gPCUserExtensionNames
gPCUserExtensionNames: $AD_GPO_USER_REG_CSE
EOF
	echo "$g" > "$LAB/user-gpo.guid"
}

# The logons' syslog: tests/lab/syslog-sink.py on $LAB/member/syslog.sock,
# appending to $LAB/member/syslog.log (started when not running).
syslog_sink_running() {
	local p
	p=$(cat "$LAB/member/syslog-sink.pid" 2> /dev/null) && [ -n "$p" ] &&
		grep -qF "syslog-sink.py $LAB/member/syslog.sock" < <(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)
}
syslog_sink_start() {
	local _
	syslog_sink_running && return 0
	rm -f "$LAB/member/syslog.sock"
	ip netns exec "$NS" /usr/bin/python3 "$FIX/syslog-sink.py" "$LAB/member/syslog.sock" \
		"$LAB/member/syslog.log" < /dev/null > "$LAB/member/syslog-sink.stdout" 2>&1 8>&- 9>&- &
	echo $! > "$LAB/member/syslog-sink.pid"
	for _ in $(seq 100); do
		[ -S "$LAB/member/syslog.sock" ] && return 0
		sleep 0.05
	done
	die "the lab's syslog sink did not start ($LAB/member/syslog-sink.stdout)"
}

# After a (re)start of the member winbindd: until getpwnam of a lab user
# works in the logon environment (a fresh winbindd answers pings before it
# resolves names), at most 15 s.
logon_wait_users() {
	local _
	mkdir -p /run/samba /var/log/samba
	for _ in $(seq 150); do
		ip netns exec "$NS" sh -c "$(member_sh pam)" sh getent passwd alice > /dev/null 2>&1 &&
			return 0
		sleep 0.1
	done
	return 1
}

# The member winbindd runs and answers. One that is still exiting (a
# scenario stopped it) is waited for (10 s), so that a new one can start.
# (A zombie counts as gone: the container's pid 1 may never reap it.)
winbindd_running() {
	local p _
	p=$(cat "$LAB/member/winbindd.pid" 2> /dev/null) && [ -n "$p" ] || return 1
	lu_winbindd_alive "$p" || return 1
	ip netns exec "$NS" sh -c "$(member_sh plain)" sh wbinfo -p > /dev/null 2>&1 && return 0
	for _ in $(seq 100); do
		lu_winbindd_alive "$p" || return 1
		sleep 0.1
	done
	return 1
}
lu_winbindd_alive() {
	[ "$(cat "/proc/$1/comm" 2> /dev/null)" = winbindd ] &&
		[ "$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)" != Z ]
}

# replace FILE with the text on stdin (atomic: a logon reading it never
# sees half a file)
lu_put() {
	cat > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
}

logon_env_write() {
	local M=$LAB/member d=$LAB/member/pam.d
	mkdir -p "$d" "$M/ccache" "$LAB/home" "$M/devov" "$M/state" "$M/cache"
	# a user's cycle (dropped to the user) reads the member's smb.conf and
	# krb5.conf and reaches its store under state/ and cache/, whatever
	# umask made them (mktemp -d and a 077 umask give 0700)
	chmod 755 "$LAB" "$M" "$M/state" "$M/cache"
	chmod 644 "$M/smb.conf" "$LAB/krb5.conf"
	chmod 755 "$d" "$LAB/home"
	chmod 1777 "$M/ccache"
	lu_put "$M/nsswitch.conf" << EOF
# the lab's logon environment (adlab.sh logon): bind-mounted over /etc/nsswitch.conf
passwd:         files winbind
group:          files winbind
shadow:         files
hosts:          files dns
EOF
	lu_put "$d/$LAB_PAM_SERVICE" << EOF
# the lab's logon service (tests/lab/lab-users.sh); /etc/pam.d inside adlab.sh logon
auth     [success=done new_authtok_reqd=done default=ignore] pam_winbind.so krb5_auth krb5_ccache_type=FILE:$M/ccache/krb5cc_%u
auth     required    pam_unix.so
account  [success=done new_authtok_reqd=done default=ignore] pam_winbind.so
account  required    pam_unix.so
session  optional    pam_winbind.so
session  [success=1 default=ignore] pam_succeed_if.so quiet uid < 100000
session  optional    pam_mkhomedir.so umask=0077
session  include     autoenroll-session
EOF
	# open_session only, with KRB5CCNAME from $M/logon.env (KRB5CCNAME=...):
	# a session for a ccache an earlier authenticate left (e.g. with the DC
	# stopped in between)
	lu_put "$d/$LAB_PAM_SERVICE-session" << EOF
# open_session with the KRB5CCNAME of $M/logon.env (tests/lab/lab-users.sh)
auth     required    pam_deny.so
account  required    pam_permit.so
session  required    pam_env.so readenv=1 envfile=$M/logon.env user_readenv=0 conffile=/dev/null
session  include     autoenroll-session
EOF
	lu_put "$d/other" << 'EOF'
auth     required    pam_deny.so
account  required    pam_deny.so
password required    pam_deny.so
session  required    pam_deny.so
EOF
	[ -e "$d/autoenroll-session" ] || : > "$d/autoenroll-session"
}
