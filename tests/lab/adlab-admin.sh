# adlab-admin.sh: directory and SYSVOL changes for the policy scenarios,
# made as the lab's Administrator (admin ccache, renewed when needed) inside
# the netns. Sourced by adlab.sh for `adlab.sh admin VERB [ARGS]`; not run
# on its own (it uses adlab.sh's variables and functions).
#
# Names: SOM = "domain", a relative DN ("OU=Servers": the base DN is
# appended) or a full DN; GPO = "{GUID}" (braces and case optional); GROUP /
# MEMBER = sAMAccountName ("MEMBER1$", "PB Deny A"); TARGET (for ace) = a
# DN, template:CN or gpo:GUID.
#
#   ou-create NAME | ou-delete NAME     OU=NAME,<base DN> (idempotent)
#   computer-move NAME SOM              e.g. computer-move MEMBER1 OU=Servers;
#                                       SOM "computers" = CN=Computers
#   parent NAME                         print the DN of the container of NAME
#   gpo-create NAME AEPOLICY|FILE       new GPO (version 1, Machine/Registry.pol
#                                       = make-registry-pol.py AEPOLICY, or FILE,
#                                       registry CSE in gPCMachineExtensionNames);
#                                       prints its {GUID} (stdout's only line)
#   gpo-delete GPO                      samba-tool gpo del (links removed too)
#   gpo-link GPO SOM [--enforce] [--disable] [--top]
#                                       link, or set the options of an existing
#                                       link in place. A new link goes first in
#                                       gPLink (highest link order number, lowest
#                                       precedence at the SOM: what samba-tool and
#                                       GPMC do); --top puts it last (link order 1)
#   gpo-unlink GPO SOM                  remove the link (absent: no error)
#   inheritance SOM block|inherit       gPOptions 1 / 0 (samba-tool gpo setinheritance)
#   gpo-put GPO FILE [--bump]           upload FILE as Machine/Registry.pol
#   gpo-get GPO FILE                    download Machine/Registry.pol to FILE
#   gpo-bump GPO                        as GPMC after an edit: machine version
#                                       (low 16 bits) + 1 in versionNumber and
#                                       in GPT.INI; prints the new versionNumber
#   gpo-version GPO                     "versionNumber=N gpt=N"
#   gpo-filter GPO GROUP                security filtering: Apply Group Policy
#                                       only for GROUP (Authenticated Users keep
#                                       Read, as recommended since MS16-072)
#   gpo-unfilter GPO GROUP              undo gpo-filter
#   group-create NAME | group-delete NAME
#   group-add GROUP MEMBER... | group-remove GROUP MEMBER...
#   sid NAME|domain                     objectSid of sAMAccountName NAME
#   forest-guid                         "{UPPER-CASE GUID}" of the forest root domain
#   ace TARGET add|del ACE [add|del ACE]...
#                                       edit the DACL (sddl-edit.py: deny ACEs
#                                       before the allows, allows appended)
#   dacl TARGET                         print the DACL (SDDL)
#   ldbsearch|ldbmodify|ldbadd|ldbdel ARGS
#                                       the ldb tool against the DC as admin
#                                       (LDIF on stdin for modify/add)
#   template-get NAME ATTR              the values of certificate template
#                                       NAME's attribute ATTR, one a line
#   template-set NAME ATTR [VALUE...]   replace ATTR of template NAME with the
#                                       VALUEs (none: delete the attribute)
#   template-copy SRC NEW OID [ATTR=VALUE...]
#                                       new template NEW: SRC's template
#                                       attributes and security descriptor
#                                       (owner, group, DACL), cn and
#                                       displayName NEW, msPKI-Cert-Template-OID
#                                       OID; each ATTR=VALUE replaces SRC's ATTR
#                                       (repeat ATTR for several values); plus
#                                       its OID object under CN=OID. Not
#                                       published: template-publish
#   template-delete NAME                unpublish NAME from every CA, delete its
#                                       OID object and the template (absent: no
#                                       error)
#   template-publish NAME [CA]          add NAME to the CA's certificateTemplates
#   template-unpublish NAME [CA]        remove it (absent: no error); CA: the
#                                       enrollment service cn, default $CANAME
# shellcheck shell=bash

AD_GPO_REG_CSE='[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]'
AD_APPLY_GP=edacfd8f-ffb3-11d1-b41d-00a0c968f939
AD_TMP=$LAB/admin-tmp

# a command in the netns with the admin ccache (private /run/samba)
adm() {
	mkdir -p /run/samba /var/log/samba
	KRB5CCNAME=FILE:$LAB/admin.ccache ip netns exec "$NS" sh -c "$(member_sh plain)" sh "$@"
}
adm_ticket() {
	KRB5CCNAME=FILE:$LAB/admin.ccache klist -s 2> /dev/null || admin_kinit ||
		die "kinit as Administrator failed"
}
adm_ldb() {
	local tool=$1
	shift
	adm "$tool" -H "ldap://$DCFQDN" --use-kerberos=required --configfile="$LAB/client.conf" "$@"
}
adm_tool() {
	adm samba-tool "$@" -H "ldap://$DCFQDN" -N --use-kerberos=required -s "$LAB/client.conf" < /dev/null
}
adm_smb() {
	adm smbclient -N "//$DCFQDN/sysvol" --use-kerberos=required -s "$LAB/client.conf" -c "$1" < /dev/null
}

# LDIF with continuation lines joined
unwrap() { awk 'NR > 1 && /^ / { buf = buf substr($0, 2); next } NR > 1 { print buf } { buf = $0 } END { if (NR) print buf }'; }

# attr DN ATTR [CONTROLS]: the values of ATTR (plain ones only), one a line
attr() {
	local ctl=()
	[ -z "${3:-}" ] || ctl=(--controls="$3")
	adm_ldb ldbsearch -b "$1" -s base "${ctl[@]}" "$2" 2> /dev/null | unwrap |
		sed -n "s/^$2: //p" || true
}

som_dn() {
	case $1 in
	domain) echo "$BASEDN" ;;
	computers) echo "CN=Computers,$BASEDN" ;;
	*[Dd][Cc]=*) echo "$1" ;;
	*) echo "$1,$BASEDN" ;;
	esac
}

gpo_guid() {
	local g=${1#\{}
	g=${g%\}}
	[[ $g =~ ^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$ ]] ||
		die "not a GPO GUID: '$1'"
	echo "{${g^^}}"
}
gpo_dn() { echo "CN=$(gpo_guid "$1"),CN=Policies,CN=System,$BASEDN"; }

target_dn() {
	case $1 in
	template:*) echo "CN=${1#template:},CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,$BASEDN" ;;
	gpo:*) gpo_dn "${1#gpo:}" ;;
	*) echo "$1" ;;
	esac
}

sid_of() {
	local s
	if [ "$1" = domain ]; then
		s=$(attr "$BASEDN" objectSid)
	else
		s=$(adm_ldb ldbsearch -b "$BASEDN" "(sAMAccountName=$1)" objectSid 2> /dev/null |
			sed -n 's/^objectSid: //p')
	fi
	[ -n "$s" ] || die "no objectSid for '$1'"
	echo "$s"
}

dn_of() {
	local d
	d=$(adm_ldb ldbsearch -b "$BASEDN" "(sAMAccountName=$1)" dn 2> /dev/null | unwrap | sed -n 's/^dn: //p')
	[ -n "$d" ] || die "no object with sAMAccountName '$1'"
	echo "$d"
}

exists() { grep -q '^dn:' < <(adm_ldb ldbsearch -b "$BASEDN" "(sAMAccountName=$1)" dn 2> /dev/null); }

parent_of() { # computer NAME (with or without the $)
	local d
	d=$(dn_of "${1%\$}\$")
	echo "${d#*,}"
}

modify() { # LDIF on stdin
	adm_ldb ldbmodify "$@" > "$AD_TMP/modify.log" 2>&1 || {
		cat "$AD_TMP/modify.log" >&2
		die "ldbmodify failed"
	}
}

# ------------------------------------------------------------------ gPLink --
# gPLink as lines "DN;OPTIONS", in attribute order
gplink_lines() {
	attr "$1" gPLink | sed 's/\]\[/]\n[/g' | sed -n 's/^\[LDAP:\/\/\(.*\)\]$/\1/Ip'
}
gplink_write() { # SOM_DN LINES
	local v="" l
	while IFS= read -r l; do
		[ -n "$l" ] && v="${v}[LDAP://$l]"
	done <<< "$2"
	if [ -n "$v" ]; then
		modify << EOF
dn: $1
changetype: modify
replace: gPLink
gPLink: $v
EOF
	else
		modify << EOF
dn: $1
changetype: modify
replace: gPLink
EOF
	fi
}

gpo_link() {
	local g=$1 som opts=0 top=0 lines dn new="" found=0 l
	som=$(som_dn "$2")
	shift 2
	for a in "$@"; do
		case $a in
		--enforce) opts=$((opts | 2)) ;;
		--disable) opts=$((opts | 1)) ;;
		--top) top=1 ;;
		*) die "gpo-link: unknown option $a" ;;
		esac
	done
	dn=$(gpo_dn "$g")
	lines=$(gplink_lines "$som")
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		if [ "${l%;*}" = "$dn" ] || [ "${l%;*}" = "${dn^^}" ] || [ "${l%;*}" = "${dn,,}" ]; then
			l="${l%;*};$opts"
			found=1
		fi
		new="$new$l"$'\n'
	done <<< "$lines"
	if [ $found = 0 ]; then
		if [ $top = 1 ]; then new="$new$dn;$opts"; else new="$dn;$opts"$'\n'"$new"; fi
	fi
	gplink_write "$som" "$new"
	log "gPLink of $som: $(attr "$som" gPLink)" >&2
}

gpo_unlink() {
	local som dn new="" l
	som=$(som_dn "$2")
	dn=$(gpo_dn "$1")
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		if [ "${l%;*}" = "$dn" ] || [ "${l%;*}" = "${dn^^}" ] || [ "${l%;*}" = "${dn,,}" ]; then
			continue
		fi
		new="$new$l"$'\n'
	done <<< "$(gplink_lines "$som")"
	gplink_write "$som" "$new"
}

# -------------------------------------------------------------- GPO files --
gpo_path() { echo "$DNSDOMAIN/Policies/$(gpo_guid "$1")"; }

gpo_put() {
	local f=$2
	[ -f "$f" ] || die "gpo-put: no file $f"
	cp "$f" "$AD_TMP/Registry.pol"
	adm_smb "cd $(gpo_path "$1"); mkdir Machine; cd Machine; put $AD_TMP/Registry.pol Registry.pol" \
		> "$AD_TMP/smb.log" 2>&1
	grep -q 'putting file' "$AD_TMP/smb.log" || {
		cat "$AD_TMP/smb.log" >&2
		die "upload of Registry.pol to $(gpo_path "$1") failed"
	}
}

gpo_get() {
	rm -f "$AD_TMP/get.pol"
	adm_smb "get $(gpo_path "$1")/Machine/Registry.pol $AD_TMP/get.pol" > "$AD_TMP/smb.log" 2>&1
	[ -f "$AD_TMP/get.pol" ] || {
		cat "$AD_TMP/smb.log" >&2
		die "download of $(gpo_path "$1")/Machine/Registry.pol failed"
	}
	cp "$AD_TMP/get.pol" "$2"
}

gpt_version() {
	rm -f "$AD_TMP/GPT.INI.get"
	adm_smb "get $(gpo_path "$1")/GPT.INI $AD_TMP/GPT.INI.get" > /dev/null 2>&1
	tr -d '\r' < "$AD_TMP/GPT.INI.get" 2> /dev/null | sed -n 's/^Version=//Ip'
}

set_version() { # GPO N: GPT.INI then versionNumber (GPMC writes both)
	printf '[General]\r\nVersion=%s\r\n' "$2" > "$AD_TMP/GPT.INI"
	adm_smb "cd $(gpo_path "$1"); put $AD_TMP/GPT.INI GPT.INI" > "$AD_TMP/smb.log" 2>&1 ||
		{ cat "$AD_TMP/smb.log" >&2; die "GPT.INI upload failed"; }
	modify << EOF
dn: $(gpo_dn "$1")
changetype: modify
replace: versionNumber
versionNumber: $2
EOF
}

gpo_bump() {
	local v m
	v=$(attr "$(gpo_dn "$1")" versionNumber)
	v=${v:-0}
	m=$(((v & 0xFFFF) + 1))
	[ $m -le 65535 ] || m=1
	v=$(((v & 0xFFFF0000) | m))
	set_version "$1" "$v"
	echo "$v"
}

gpo_create() {
	local name=$1 pol=$2 out g
	if [[ $pol =~ ^(0x)?[0-9A-Fa-f]+$ ]] && [ ! -f "$pol" ]; then
		/usr/bin/python3 "$FIX/make-registry-pol.py" "$AD_TMP/new.pol" "$pol" > /dev/null
		pol=$AD_TMP/new.pol
	fi
	[ -f "$pol" ] || die "gpo-create: '$2' is neither an AEPolicy number nor a file"
	out=$(adm_tool gpo create "$name" 2>&1)
	g=$(grep -o '{[0-9A-F-]*}' <<< "$out" | head -n 1)
	[ -n "$g" ] || die "samba-tool gpo create '$name': $out"
	gpo_put "$g" "$pol"
	set_version "$g" 1
	modify << EOF
dn: $(gpo_dn "$g")
changetype: modify
replace: gPCMachineExtensionNames
gPCMachineExtensionNames: $AD_GPO_REG_CSE
EOF
	echo "$g"
}

# ------------------------------------------------------------------- ACLs --
dacl_of() { attr "$1" nTSecurityDescriptor sd_flags:1:4; }

ace_edit() {
	local dn cur new dsid
	dn=$(target_dn "$1")
	shift
	dsid=$(sid_of domain)
	cur=$(dacl_of "$dn")
	[ -n "$cur" ] || die "no DACL read from $dn"
	new=$(/usr/bin/python3 "$FIX/sddl-edit.py" "$dsid" "$@" <<< "$cur") || die "sddl-edit failed"
	[ "$new" = "$cur" ] && return 0
	modify --controls=sd_flags:1:4 << EOF
dn: $dn
changetype: modify
replace: nTSecurityDescriptor
nTSecurityDescriptor: $new
EOF
}

# -------------------------------------------------------------- templates --
PKS_DN="CN=Public Key Services,CN=Services,CN=Configuration,$BASEDN"
tpl_dn() { echo "CN=$1,CN=Certificate Templates,$PKS_DN"; }
es_dn() { echo "CN=$1,CN=Enrollment Services,$PKS_DN"; }

# the attributes template-copy takes over (not the operational ones)
TPL_ATTRS=" flags revision msPKI-Template-Schema-Version msPKI-Template-Minor-Revision
 msPKI-Enrollment-Flag msPKI-Private-Key-Flag msPKI-Certificate-Name-Flag
 msPKI-Minimal-Key-Size msPKI-RA-Signature msPKI-RA-Policies msPKI-RA-Application-Policies
 msPKI-Certificate-Application-Policy msPKI-Certificate-Policy msPKI-Supersede-Templates
 pKIDefaultKeySpec pKIKeyUsage pKIMaxIssuingDepth pKICriticalExtensions pKIExpirationPeriod
 pKIOverlapPeriod pKIExtendedKeyUsage pKIDefaultCSPs "
TPL_ATTRS=${TPL_ATTRS//$'\n'/ }

template_set() {
	local dn a=$2 v ldif
	dn=$(tpl_dn "$1")
	[ -n "$(attr "$dn" cn)" ] || die "no template $1"
	shift 2
	ldif="dn: $dn"$'\n'"changetype: modify"$'\n'"replace: $a"
	for v in "$@"; do ldif="$ldif"$'\n'"$a: $v"; done
	modify <<< "$ldif"
}

# an OID object's cn, in the lab's style: <second-to-last arc>.<last arc, 32 digits>
oid_cn() {
	local last=${1##*.} prev=${1%.*}
	printf '%s.%032d' "${prev##*.}" "$last"
}

template_copy() {
	local src=$1 new=$2 oid=$3 sdn ndn l a x sd ldif seen=" "
	shift 3
	sdn=$(tpl_dn "$src")
	ndn=$(tpl_dn "$new")
	[ -n "$(attr "$sdn" cn)" ] || die "template-copy: no template $src"
	[ -z "$(attr "$ndn" cn)" ] || die "template-copy: template $new exists"
	[[ $oid =~ ^[0-9]+(\.[0-9]+)+$ ]] || die "template-copy: bad OID '$oid'"
	for x in "$@"; do
		[[ $x == ?*=* ]] || die "template-copy: '$x' is not ATTR=VALUE"
		seen="$seen${x%%=*} "
	done
	ldif="dn: $ndn"$'\n'"objectClass: top"$'\n'"objectClass: pKICertificateTemplate"
	ldif="$ldif"$'\n'"cn: $new"$'\n'"displayName: $new"$'\n'"msPKI-Cert-Template-OID: $oid"
	while IFS= read -r l; do
		a=${l%%:*}
		if [ -n "$a" ] && [[ $TPL_ATTRS == *" $a "* ]] && [[ $seen != *" $a "* ]]; then
			ldif="$ldif"$'\n'"$l"
		fi
	done < <(adm_ldb ldbsearch -b "$sdn" -s base 2> /dev/null | unwrap)
	for x in "$@"; do ldif="$ldif"$'\n'"${x%%=*}: ${x#*=}"; done
	sd=$(attr "$sdn" nTSecurityDescriptor sd_flags:1:7)
	[ -z "$sd" ] || ldif="$ldif"$'\n'"nTSecurityDescriptor: $sd"
	ldif="$ldif"$'\n\n'"dn: CN=$(oid_cn "$oid"),CN=OID,$PKS_DN"$'\n'"objectClass: top"
	ldif="$ldif"$'\n'"objectClass: msPKI-Enterprise-Oid"$'\n'"cn: $(oid_cn "$oid")"
	ldif="$ldif"$'\n'"displayName: $new"$'\n'"flags: 1"$'\n'"msPKI-Cert-Template-OID: $oid"
	printf '%s\n' "$ldif" > "$AD_TMP/add.ldif"
	adm_ldb ldbadd < "$AD_TMP/add.ldif" > "$AD_TMP/add.log" 2>&1 || {
		cat "$AD_TMP/add.log" >&2
		die "ldbadd of template $new and its OID object failed"
	}
	# (ldbadd can say "Failed to parse ldif" and exit 0)
	if [ -z "$(attr "$ndn" cn)" ] || [ -z "$(attr "CN=$(oid_cn "$oid"),CN=OID,$PKS_DN" cn)" ]; then
		cat "$AD_TMP/add.log" >&2
		die "template $new or its OID object is missing after ldbadd"
	fi
}

template_publish() { # NAME CA add|delete
	local dn
	dn=$(es_dn "$2")
	[ -n "$(attr "$dn" cn)" ] || die "no enrollment service $dn"
	if grep -qxiF -- "$1" < <(attr "$dn" certificateTemplates); then
		[ "$3" = delete ] || return 0
	else
		[ "$3" = add ] || return 0
	fi
	modify <<< "dn: $dn"$'\n'"changetype: modify"$'\n'"$3: certificateTemplates"$'\n'"certificateTemplates: $1"
}

template_delete() {
	local dn oid ca o
	dn=$(tpl_dn "$1")
	while IFS= read -r ca; do
		[ -z "$ca" ] || template_publish "$1" "$ca" delete
	done < <(adm_ldb ldbsearch -b "CN=Enrollment Services,$PKS_DN" -s one cn 2> /dev/null |
		sed -n 's/^cn: //p')
	oid=$(attr "$dn" msPKI-Cert-Template-OID)
	if [ -n "$oid" ]; then
		while IFS= read -r o; do
			[ -z "$o" ] || adm_ldb ldbdel "$o" > /dev/null 2>&1 || die "cannot delete $o"
		done < <(adm_ldb ldbsearch -b "CN=OID,$PKS_DN" -s one "(msPKI-Cert-Template-OID=$oid)" \
			dn 2> /dev/null | unwrap | sed -n 's/^dn: //p')
	fi
	if [ -n "$(attr "$dn" cn)" ]; then
		adm_ldb ldbdel "$dn" > /dev/null 2>&1 || die "cannot delete $dn"
	fi
}

# ------------------------------------------------------------------ verbs --
admin_main() {
	local verb=${1:-} dn g s
	shift || true
	mkdir -p "$AD_TMP"
	adm_ticket
	case $verb in
	ou-create)
		dn="OU=$1,$BASEDN"
		[ -n "$(attr "$dn" ou)" ] || adm_tool ou create "$dn" > /dev/null
		[ -n "$(attr "$dn" ou)" ] || die "OU $dn not created"
		;;
	ou-delete)
		dn="OU=$1,$BASEDN"
		[ -z "$(attr "$dn" ou)" ] || adm_tool ou delete "$dn" > /dev/null
		;;
	computer-move)
		dn=$(som_dn "$2")
		[ "$(parent_of "$1")" = "$dn" ] || adm_tool computer move "$1" "$dn" > /dev/null
		[ "$(parent_of "$1")" = "$dn" ] || die "$1 not moved to $dn"
		;;
	parent) parent_of "$1" ;;
	gpo-create) gpo_create "$1" "$2" ;;
	gpo-delete) adm_tool gpo del "$(gpo_guid "$1")" > /dev/null ;;
	gpo-link) gpo_link "$@" ;;
	gpo-unlink) gpo_unlink "$1" "$2" ;;
	inheritance)
		case $2 in block | inherit) ;; *) die "inheritance SOM block|inherit" ;; esac
		adm_tool gpo setinheritance "$(som_dn "$1")" "$2" > /dev/null
		;;
	gpo-put)
		gpo_put "$1" "$2"
		[ "${3:-}" != --bump ] || gpo_bump "$1"
		;;
	gpo-get) gpo_get "$1" "$2" ;;
	gpo-bump) gpo_bump "$1" ;;
	gpo-version) echo "versionNumber=$(attr "$(gpo_dn "$1")" versionNumber) gpt=$(gpt_version "$1")" ;;
	gpo-filter)
		s=$(sid_of "$2")
		ace_edit "gpo:$1" del "(OA;CI;CR;$AD_APPLY_GP;;AU)" \
			add "(A;CI;RPLCLORC;;;$s)" add "(OA;CI;CR;$AD_APPLY_GP;;$s)"
		;;
	gpo-unfilter)
		s=$(sid_of "$2")
		ace_edit "gpo:$1" del "(A;CI;RPLCLORC;;;$s)" del "(OA;CI;CR;$AD_APPLY_GP;;$s)" \
			add "(OA;CI;CR;$AD_APPLY_GP;;AU)"
		;;
	group-create)
		exists "$1" || adm_tool group add "$1" > /dev/null
		;;
	group-delete)
		! exists "$1" || adm_tool group delete "$1" > /dev/null
		;;
	group-add)
		g=$1
		shift
		adm_tool group addmembers "$g" "$(
			IFS=,
			echo "$*"
		)" > /dev/null
		;;
	group-remove)
		g=$1
		shift
		adm_tool group removemembers "$g" "$(
			IFS=,
			echo "$*"
		)" > /dev/null
		;;
	sid) sid_of "$1" ;;
	forest-guid)
		dn=$(adm_ldb ldbsearch -b "" -s base rootDomainNamingContext 2> /dev/null | unwrap |
			sed -n 's/^rootDomainNamingContext: //p')
		g=$(attr "$dn" objectGUID)
		[ -n "$g" ] || die "no objectGUID for the forest root '$dn'"
		echo "{${g^^}}"
		;;
	ace) ace_edit "$@" ;;
	dacl) dacl_of "$(target_dn "$1")" ;;
	ldbsearch | ldbmodify | ldbadd | ldbdel) adm_ldb "$verb" "$@" ;;
	template-get) attr "$(tpl_dn "$1")" "$2" ;;
	template-set) template_set "$@" ;;
	template-copy) template_copy "$@" ;;
	template-delete) template_delete "$1" ;;
	template-publish) template_publish "$1" "${2:-$CANAME}" add ;;
	template-unpublish) template_publish "$1" "${2:-$CANAME}" delete ;;
	*)
		echo "usage: adlab.sh admin VERB ARGS (see tests/lab/adlab-admin.sh)" >&2
		exit 2
		;;
	esac
}

# ------------------------------------------- verbs for security scenarios --
# Added verbs (admin_main above keeps handling every other verb):
#   gpc-add CN SRC_GPO NAME     a groupPolicyContainer CN=<CN>,CN=Policies,...
#                               with ANY cn (e.g. one naming a path), the
#                               gPCFileSysPath of SRC_GPO, versionNumber 1,
#                               flags 0, gPCFunctionalityVersion 2, displayName
#                               NAME and the default security descriptor, as a
#                               GPO creator could make it; prints its DN
#   gpc-delete DN               delete it (absent: no error)
#   gpc-link DN SOM             link DN at SOM with link order 1 (last in gPLink)
#   gpc-unlink DN SOM           remove that link (absent: no error)
#   gpt-set GPO N               write GPT.INI Version=N only (versionNumber in
#                               the GPC untouched: SYSVOL ahead of or behind it)
gpc_add() {
	local dn="CN=$1,CN=Policies,CN=System,$BASEDN" path
	path=$(attr "$(gpo_dn "$2")" gPCFileSysPath)
	[ -n "$path" ] || die "gpc-add: no gPCFileSysPath on GPO $2"
	cat > "$AD_TMP/gpc.ldif" << EOF2
dn: $dn
objectClass: groupPolicyContainer
displayName: $3
gPCFileSysPath: $path
versionNumber: 1
flags: 0
gPCFunctionalityVersion: 2
EOF2
	adm_ldb ldbadd "$AD_TMP/gpc.ldif" > "$AD_TMP/add.log" 2>&1 || {
		cat "$AD_TMP/add.log" >&2
		die "ldbadd of $dn failed"
	}
	echo "$dn"
}

gpc_link() {
	local som lines
	som=$(som_dn "$2")
	lines=$(gplink_lines "$som")
	gplink_write "$som" "$lines"$'\n'"$1;0"
	log "gPLink of $som: $(attr "$som" gPLink)" >&2
}

gpc_unlink() {
	local som new="" l x
	som=$(som_dn "$2")
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		x=${l%;*}
		[ "${x,,}" = "${1,,}" ] || new="$new$l"$'\n'
	done <<< "$(gplink_lines "$som")"
	gplink_write "$som" "$new"
}

gpt_set() {
	printf '[General]\r\nVersion=%s\r\n' "$2" > "$AD_TMP/GPT.INI"
	adm_smb "cd $(gpo_path "$1"); put $AD_TMP/GPT.INI GPT.INI" > "$AD_TMP/smb.log" 2>&1 ||
		{ cat "$AD_TMP/smb.log" >&2; die "GPT.INI upload failed"; }
}

eval "$(declare -f admin_main | sed '1s/^admin_main/admin_main_base/')"
admin_main() {
	case ${1:-} in
	gpc-add | gpc-delete | gpc-link | gpc-unlink | gpt-set)
		mkdir -p "$AD_TMP"
		adm_ticket
		;;
	esac
	case ${1:-} in
	gpc-add) gpc_add "$2" "$3" "$4" ;;
	gpc-delete) adm_ldb ldbdel "$2" > /dev/null 2>&1 || true ;;
	gpc-link) gpc_link "$2" "$3" ;;
	gpc-unlink) gpc_unlink "$2" "$3" ;;
	gpt-set) gpt_set "$2" "$3" ;;
	*) admin_main_base "$@" ;;
	esac
}
