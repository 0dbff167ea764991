#!/bin/bash
# Fault suite, broken files in the store in place of LabMachine's record,
# certificate or key (the cases t_security_store_checks and
# t_status_broken_files do not cover: a FIFO LabMachine.state in a fresh
# store, a truncated .crt, another certificate's key, a 0644 key, a link
# Evil.crt, a garbage record of an unmanaged name). For each: LabMachine
# enrolled in a fresh store, the file broken, then `run` (bounded: a FIFO
# must not block it):
#   - completes with exit 0 or 3 (LabMachine enrolled anew, its key 0600
#     and matching);
#   - names the broken file and says what is wrong with it (the check's
#     INVALID cause or the recovery note);
#   - loses nothing: the broken entry is kept aside (archive/ or
#     quarantine/, or the record's .corrupt copy), never deleted;
#   - never follows a link: the file a link points at is unchanged;
#   - when the certificate itself was intact (a broken key or record), the
#     old certificate is in archive/ (a broken record loses the facts it
#     held, so the pair is not trusted and LabMachine is enrolled anew);
# and the run after it leaves the new pair alone (skip valid).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"
. "$(dirname "$0")/fault/lib.sh"

OUT=$WORK/$NAME/outside
mkdir -p "$OUT"

# kept_aside FILE: FILE's name is somewhere under archive/ or quarantine/ or as a .corrupt copy
kept_aside() {
	local b=${1#LabMachine}
	find "$STORE" -mindepth 1 \( -path "$STORE/archive/*" -o -path "$STORE/quarantine/*" -o \
		-name "$1.corrupt*" \) \( -name "LabMachine*$b" -o -name "$1*" \) -print -quit |
		qgrep . || fail "$1: nothing kept aside (store: $(find "$STORE" -mindepth 1 -printf '%P ' | cut -c1-400))"
}

# break_case LABEL FILE REGEX SETUP...: the case described above
break_case() {
	local label=$1 file=$2 re=$3
	shift 3
	note "--- $label"
	cyc_store "$(echo "$label" | tr -c 'a-z0-9\n' -)"
	cycle
	expect_rc_in 0 3
	expect_issued "$STORE" LabMachine
	old=$(serial_of "$STORE/LabMachine.crt")
	"$@"
	cycle
	expect_rc_in 0 3
	expect_output "$file" "$label: the file"
	expect_output "$re" "$label: the cause"
	expect_issued "$STORE" LabMachine
	kept_aside "$file"
	if [ "$file" != LabMachine.crt ]; then
		# the old certificate was intact: it is archived, not dropped
		for c in "$STORE"/archive/LabMachine.*.crt; do
			[ "$(serial_of "$c")" != "$old" ] || old=""
		done
		[ -z "$old" ] || fail "$label: the old certificate $old is not in archive/"
	fi
	note "$label: $(printf '%s\n' "$AE_ALL" | grep -m1 -oE "${file}[^\"]*" | cut -c1-150)"
	cycle
	expect_rc_in 0 3
	expect_item LabMachine skip valid skipped
}

garbage_into() { head -c "$2" /dev/urandom > "$STORE/$1"; }
truncate_half() { truncate -s $(($(stat -c %s "$STORE/$1") / 2)) "$STORE/$1"; }
fifo_for() { rm -f "$STORE/$1" && mkfifo -m 0600 "$STORE/$1"; }
dir_for() { rm -f "$STORE/$1" && mkdir -m 0700 "$STORE/$1"; }
link_for() { # FILE: FILE replaced by a link to a copy outside the store
	cp "$STORE/$1" "$OUT/$1" && chmod 0644 "$OUT/$1"
	sha256sum "$OUT/$1" > "$OUT/$1.sum"
	rm -f "$STORE/$1" && ln -s "$OUT/$1" "$STORE/$1"
}
link_unchanged() {
	sha256sum -c --quiet "$OUT/$1.sum" || fail "$1: the file the link pointed at changed"
	[ "$(stat -c %a "$OUT/$1")" = 644 ] || fail "$1: the mode of the link's target changed"
}

break_case "truncated key" LabMachine.key 'key|does not' truncate_half LabMachine.key
break_case "garbage key" LabMachine.key 'key|does not' garbage_into LabMachine.key 1200
break_case "garbage certificate" LabMachine.crt 'does not parse' garbage_into LabMachine.crt 1500
break_case "garbage record" LabMachine.state 'corrupt|parse|invalid' garbage_into LabMachine.state 300
break_case "FIFO certificate" LabMachine.crt 'FIFO' fifo_for LabMachine.crt
break_case "FIFO key" LabMachine.key 'FIFO' fifo_for LabMachine.key
break_case "directory key" LabMachine.key 'directory|regular' dir_for LabMachine.key
break_case "symlink key" LabMachine.key 'link' link_for LabMachine.key
link_unchanged LabMachine.key
break_case "symlink certificate" LabMachine.crt 'link' link_for LabMachine.crt
link_unchanged LabMachine.crt
break_case "symlink record" LabMachine.state 'link' link_for LabMachine.state
link_unchanged LabMachine.state
pass
