#!/bin/bash
# deps.sh: install every Debian 12 package the build, the lab, the tests and
# the demo need. Fast when nothing is missing (one dpkg-query, no apt).
#
#   tests/deps.sh            (root when something is missing)
#   tests/deps.sh --list     print the package list and exit
#
# On install: one 'apt-get update', then one 'apt-get install
# --no-install-recommends' of the missing packages. Two side effects of the
# packages are undone:
# * no service may start: without /usr/sbin/policy-rc.d (a plain Debian
#   image) installing samba would start smbd/nmbd/samba-ad-dc on the host;
#   a policy-rc.d that denies every start is put in place for the install
#   and removed after it;
# * libnss-winbind's postinst adds 'winbind' to the passwd/group lines of
#   /etc/nsswitch.conf; the file is put back as it was (the lab uses
#   nss_wrapper instead).
set -euo pipefail

PKGS=(
	# build
	gcc libc6-dev meson ninja-build pkg-config
	samba-dev libtalloc-dev libtevent-dev libldb-dev libsmbclient-dev
	libldap-dev libssl-dev libgnutls28-dev libcmocka-dev libwbclient-dev libnss3-dev
	libpam0g-dev
	# XML: MS-XCEP and MS-WSTEP messages (source/xml, policy, request)
	libxml2-dev
	# HTTPS for MS-XCEP/MS-WSTEP (source/transport/ae_https*): libcurl on
	# OpenSSL, MIT GSSAPI for Negotiate with channel bindings
	libcurl4-openssl-dev libkrb5-dev
	# the machine password from secrets.tdb (transport/ae_creds_kinit.c)
	libtdb-dev
	# the no-op memo's SHA-256 (engine/ae_noop_digest.c)
	nettle-dev
	# structured journal entries (util/ae_log_event.c, sd_journal_sendv)
	libsystemd-dev
	# lab: AD DC, member, client tools
	samba samba-ad-dc samba-ad-provision winbind smbclient krb5-user
	ldb-tools ldap-utils libsasl2-modules-gssapi-mit python3-samba
	libnss-wrapper libnss-winbind attr
	# logons in the lab (adlab.sh logon): PAM with pam_winbind
	libpam-winbind
	# lab and test plumbing
	iproute2 openssl bc python3-cryptography valgrind
	# t_user_run_drops_privileges: secrets.tdb never opened, setresuid seen
	strace
	# t_certmonger_getcert: a private certmonger (-L) with our CA helper
	certmonger
	# the install: man pages (scdoc), unit checks (systemd-analyze), the
	# package build and its check (tests/integration/t_pkg_deb.sh)
	scdoc systemd man-db dpkg-dev debhelper fakeroot lintian
	# the user's NSS database (autoenroll:user nssdb): certutil in the tests
	libnss3-tools
	# PAM logons in the lab (pam_autoenroll.so)
	pamtester
	# benchmarks (/usr/bin/time for peak RSS)
	time
	# the test CEP/CES (tests/cep): Apache httpd with mod_ssl and
	# mod_auth_gssapi, the channel-bound GSS acceptor and client, curl
	apache2 libapache2-mod-auth-gssapi python3-gssapi curl
	# TPM 2.0 keys (request/ae_key_tpm.c): the OpenSSL 3 provider, and a
	# software TPM for the unit tests and scenarios (tests/tpm/swtpm.sh)
	tpm2-openssl swtpm swtpm-tools tpm2-tools
	# the fault suite's EIO file system (tests/faults/eiofs.c, FUSE):
	# libfuse3 to build it, fusermount3 and the kernel's fuse module to mount
	fuse3 libfuse3-dev
)

if [ "${1:-}" = --list ]; then
	printf '%s\n' "${PKGS[@]}"
	exit 0
fi

# one dpkg-query for all; unknown packages print nothing
# (dpkg-query exits 1 when any is unknown)
status=$(dpkg-query -W -f='${Package}:${db:Status-Abbrev}\n' "${PKGS[@]}" 2> /dev/null || true)
installed=" $(sed -n 's/:ii *$//p' <<< "$status" | tr '\n' ' ') "
missing=()
for p in "${PKGS[@]}"; do
	[[ $installed == *" $p "* ]] || missing+=("$p")
done

if [ ${#missing[@]} = 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
[ "$(id -u)" = 0 ] || {
	echo "deps: must run as root to install them" >&2
	exit 1
}

tmp=$(mktemp -d)
policy_added=0
restore() {
	if [ $policy_added = 1 ]; then
		rm -f /usr/sbin/policy-rc.d
	fi
	if [ -f "$tmp/nsswitch.conf" ] && ! cmp -s "$tmp/nsswitch.conf" /etc/nsswitch.conf; then
		cp "$tmp/nsswitch.conf" /etc/nsswitch.conf
		echo "deps: put /etc/nsswitch.conf back (a package's postinst had changed it)"
	fi
	rm -rf "$tmp"
}
trap restore EXIT

[ ! -f /etc/nsswitch.conf ] || cp -p /etc/nsswitch.conf "$tmp/nsswitch.conf"
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# tests/deps.sh: no service starts during the install\nexit 101\n' \
		> /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy_added=1
fi

export DEBIAN_FRONTEND=noninteractive
t0=$(date +%s)
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: installed in $(($(date +%s) - t0)) s"
