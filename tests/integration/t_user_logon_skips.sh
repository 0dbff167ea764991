#!/bin/bash
# Issue F, must show 3: pam_autoenroll.so does nothing for a local
# (non-domain) user and for root (no run is started for them); bob (no
# mail) gets LabUser skipped before any request, naming `mail` (the CA sees
# no LabUser request of LAB\bob; his run's output or syslog, and
# `policy --user bob`, name the attribute); carol (OU=Contractors: no user
# policy) gets nothing (no request of LAB\carol, no certificate).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/user/lib.sh"
need_user_client pam
on_exit pam_session none
ae_wrapper
pam_session

# local users first: by the time bob's and carol's runs ended, a run the
# module had started for them would have logged its start long before
logon nobody open_session
[ "$LOGON_RC" = 0 ] || fail "open_session for the local user nobody failed (exit $LOGON_RC)"
logon root open_session
[ "$LOGON_RC" = 0 ] || fail "open_session for root failed (exit $LOGON_RC)"

user_reset bob
user_reset carol
bob_before=$(ca_requests LabUser bob | wc -l)
carol_before=$(ICPR_CA_DIR="$LAB/ca" "$CA_ADMIN" list --requester 2> /dev/null | awk '$5 == "LAB\\carol"' | wc -l)
mark=$(wc -l < "$LAB/member/syslog.log" 2> /dev/null || echo 0)
base_b=$(run_ends bob)
base_c=$(run_ends carol)
logon bob
[ "$LOGON_RC" = 0 ] || fail "bob's logon failed (exit $LOGON_RC)"
logon carol
[ "$LOGON_RC" = 0 ] || fail "carol's logon failed (exit $LOGON_RC)"
wait_run_end bob $((base_b + 1))
wait_run_end carol $((base_c + 1))
[ "$(run_starts nobody)" = 0 ] || fail "pam_autoenroll.so started a run for the local user nobody"
[ "$(run_starts root)" = 0 ] || fail "pam_autoenroll.so started a run for root"
! grep -qE -- '--user (nobody|root)( |$)' "$CALLS" || fail "a run for nobody or root: $(grep -E -- '--user (nobody|root)' "$CALLS" | head -n 1)"
note "nobody, root: no run started"

# -- bob -------------------------------------------------------------------
[ "$(ca_requests LabUser bob | wc -l)" = "$bob_before" ] ||
	fail "the CA got a LabUser request of LAB\\bob (it must be skipped before any request)"
log=$(cat "$WORK/$NAME/ae-bob.log" 2> /dev/null; tail -n +"$((mark + 1))" "$LAB/member/syslog.log" | grep bob)
grep 'LabUser' <<< "$log" | qgrep -w 'mail' ||
	fail "neither bob's run nor syslog names LabUser and the missing attribute 'mail': $(grep LabUser <<< "$log" | tail -n 1 | cut -c1-200)"
note "bob's run: $(grep 'LabUser' <<< "$log" | grep -w mail | tail -n 1 | cut -c1-200)"
logon bob authenticate
user_ae policy --user bob --ccache "$(user_ccache bob)"
[ "$AE_RC" = 0 ] || fail "autoenroll policy --user bob: exit $AE_RC"
grep 'LabUser' <<< "$AE_ALL" | qgrep -w 'mail' || fail "policy --user bob does not name 'mail' for LabUser"
note "policy --user bob: $(grep 'LabUser' <<< "$AE_ALL" | grep -w mail | head -n 1 | cut -c1-200)"

# -- carol -----------------------------------------------------------------
n=$(ICPR_CA_DIR="$LAB/ca" "$CA_ADMIN" list --requester 2> /dev/null | awk '$5 == "LAB\\carol"' | wc -l)
[ "$n" = "$carol_before" ] || fail "the CA got a request of LAB\\carol (she has no user policy)"
crts=$(find "$(user_store carol)" -name '*.crt' 2> /dev/null | head -n 3)
[ -z "$crts" ] || fail "carol has certificates: $crts"
note "carol: no request, no certificate"
pass
