#!/bin/bash
# tests/waf/get-waf.sh DIR: Samba's waf, from Debian 12's samba source
# package, into DIR (Debian does not package waf itself).
#
# apt runs with a PRIVATE configuration under DIR/apt: its own sources.list
# (one deb-src line for the mirror this machine already uses, the archive
# keyring for the signature), its own lists, cache and status directories.
# The machine's /etc/apt and /var/lib/apt/lists are never written: they are
# fingerprinted before and compared after. apt checks the downloaded files
# against the signed Sources index; only buildtools/ and third_party/waf are
# then taken out of the orig tarball.
#
# Result: DIR/waf (a shell wrapper that runs waflib from
# DIR/samba/third_party/waf for a plain wscript), and DIR/samba/buildtools.
# Cached: a second call with the same DIR downloads nothing (DIR/apt/dl
# keeps the source package's files).
# Environment: AE_WAF_MIRROR (default: the first deb.debian.org-style URI of
# /etc/apt/sources.list{,.d/*}), AE_WAF_SUITE (default bookworm).
set -euo pipefail

DIR=${1:?usage: get-waf.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
SUITE=${AE_WAF_SUITE:-bookworm}

if [ -x "$DIR/waf" ] && [ -f "$DIR/samba/third_party/waf/waflib/Context.py" ]; then
	echo "get-waf: cached in $DIR"
	exit 0
fi

mirror() {
	if [ -n "${AE_WAF_MIRROR:-}" ]; then
		echo "$AE_WAF_MIRROR"
		return
	fi
	# deb822 (URIs: ...) or one-line (deb URI suite ...) entries; the first
	# Debian archive (not -security) URI
	local f u
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		u=$(sed -n -E 's/^URIs:[[:space:]]*([^[:space:]]+).*/\1/p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]].*/\2/p' "$f" |
			grep -E '/debian/?$' | head -n 1) || true
		if [ -n "$u" ]; then
			echo "$u"
			return
		fi
	done
	echo http://deb.debian.org/debian
}

fingerprint() {
	# names, sizes and mtimes of the machine's apt configuration and lists
	find /etc/apt /var/lib/apt/lists -xdev -printf '%p %s %T@\n' 2>/dev/null | sort | sha256sum
}

APT=$DIR/apt
rm -rf "$APT"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/parts" "$APT/prefs.d" "$APT/dl"
MIRROR=$(mirror)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb-src [signed-by=$KEYRING] $MIRROR $SUITE main" > "$APT/sources.list"
: > "$APT/status"
opts=(-o Dir::Etc::SourceList="$APT/sources.list"
      -o Dir::Etc::SourceParts="$APT/parts"
      -o Dir::Etc::PreferencesParts="$APT/prefs.d"
      -o Dir::State::Lists="$APT/lists"
      -o Dir::State::status="$APT/status"
      -o Dir::Cache="$APT/cache"
      -o Dir::Cache::archives="$APT/cache/archives"
      -o APT::Sandbox::User=root
      -o Debug::NoLocking=1)

before=$(fingerprint)
t0=$(date +%s.%N)
echo "get-waf: deb-src $MIRROR $SUITE main (private apt state in $APT)"
apt-get "${opts[@]}" -q update
(cd "$APT/dl" && apt-get "${opts[@]}" -q source --download-only samba)
t1=$(date +%s.%N)
after=$(fingerprint)
if [ "$before" != "$after" ]; then
	echo "get-waf: the machine's /etc/apt or /var/lib/apt/lists changed" >&2
	exit 1
fi
echo "get-waf: /etc/apt and /var/lib/apt/lists unchanged"
rm -rf "$APT/lists" "$APT/cache"    # the indexes (~10 MB): not needed any more

orig=$(ls "$APT"/dl/samba_*.orig.tar.* | head -n 1)
echo "get-waf: downloaded $(du -cb "$APT"/dl/samba_* | tail -n 1 | cut -f1) bytes in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s: $(cd "$APT/dl" && ls samba_* | tr '\n' ' ')"
rm -rf "$DIR/samba"
mkdir -p "$DIR/samba"
tar -xf "$orig" -C "$DIR/samba" --strip-components=1 --wildcards \
	'*/buildtools' '*/third_party/waf'
test -f "$DIR/samba/third_party/waf/waflib/Context.py"
test -f "$DIR/samba/buildtools/bin/waf"

# buildtools/bin/waf is Samba's wrapper: it puts third_party/waf and
# buildtools/wafsamba on sys.path and runs waflib's Scripting.waf_entry_point,
# which for a non-Samba wscript works the same without wafsamba. This wrapper
# does that with the plain waflib (no Samba build rules loaded).
cat > "$DIR/waf" << WRAP
#!/bin/sh
# waf from Debian's samba source package ($(basename "$orig")), plain waflib
exec /usr/bin/python3 -B -c '
import os, sys
sys.path.insert(0, "$DIR/samba/third_party/waf")
from waflib import Context, Scripting
Scripting.waf_entry_point(os.getcwd(), Context.WAFVERSION, "$DIR/samba/third_party/waf")
' "\$@"
WRAP
chmod 755 "$DIR/waf"
echo "get-waf: $("$DIR/waf" --version 2>&1 | head -n 1)"
