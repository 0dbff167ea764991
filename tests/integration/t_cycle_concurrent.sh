#!/bin/bash
# Concurrency: 10 `autoenroll run` started together on one fresh store. The
# store lock serialises them: exactly one request per template reaches the
# CA (LabMachine once, LabPending once, counted in `ca-admin list` before
# and after); every run exits 0 or 3; exactly one run enrolls each
# template, the others find the certificate (skip/valid) or the pending
# request (retrieve/pending); the store ends with LabMachine's pair valid
# and LabPending pending.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/policy/lib.sh"
. "$(dirname "$0")/cycle/lib.sh"

N=10
cyc_store concurrent
m0=$(ca_count LabMachine)
p0=$(ca_count LabPending)
pids=()
for i in $(seq $N); do
	timeout -k 5 "$AE_TIMEOUT" "$ADLAB" client "$AUTOENROLL" -s "$CONF" run --json \
		> "$WORK/$NAME/c$i.out" 2> "$WORK/$NAME/c$i.err" < /dev/null &
	pids+=($!)
done
bad=""
for i in $(seq $N); do
	wait "${pids[i - 1]}"
	rc=$?
	case $rc in 0 | 3) ;; *) bad="$bad run $i exit $rc;" ;; esac
	sanitizer_check "$WORK/$NAME/c$i.err"
done
[ -z "$bad" ] || fail "$bad $(grep -hv '^ldb: ' "$WORK/$NAME"/c*.err | tail -n 2 | tr '\n' ' ')"
note "$N concurrent runs: all exited 0 or 3"

m1=$(ca_count LabMachine)
p1=$(ca_count LabPending)
note "CA request records: LabMachine $m0 -> $m1, LabPending $p0 -> $p1"
[ $((m1 - m0)) = 1 ] || fail "$((m1 - m0)) LabMachine requests reached the CA, want 1"
[ $((p1 - p0)) = 1 ] || fail "$((p1 - p0)) LabPending requests reached the CA, want 1"

# what each run did
enrolled=0 submitted=0
for i in $(seq $N); do
	CJ=$WORK/$NAME/c$i.out
	/usr/bin/python3 "$CQ" "$CJ" d > /dev/null 2>&1 || fail "run $i printed no JSON object"
	note "run $i: LabMachine $(cq 'acts("LabMachine")'); LabPending $(cq 'acts("LabPending")')"
	[ "$(cq 'item("LabMachine", "enroll") is not None')" = false ] || enrolled=$((enrolled + 1))
	[ "$(cq 'item("LabPending", "enroll") is not None')" = false ] || submitted=$((submitted + 1))
	case "$(cq 'acts("LabMachine")')" in
	enroll/no-certificate/done | skip/valid/skipped) ;;
	*) fail "run $i: LabMachine $(cq 'acts("LabMachine")')" ;;
	esac
	case "$(cq 'acts("LabPending")')" in
	enroll/no-certificate/pending | retrieve/pending/pending) ;;
	*) fail "run $i: LabPending $(cq 'acts("LabPending")')" ;;
	esac
done
[ $enrolled = 1 ] || fail "$enrolled runs enrolled LabMachine, want 1"
[ $submitted = 1 ] || fail "$submitted runs submitted LabPending, want 1"

expect_issued "$STORE" LabMachine
cstatus
[ "$(sq 'cert("LabPending")["state"]')" = pending ] ||
	fail "status: LabPending is $(sq 'cert("LabPending")["state"]'), want pending"
probs=$(pair_problems "$STORE")
[ -z "$probs" ] || fail "store: $probs"
[ -z "$(find "$STORE" -name '*.tmp.*')" ] || fail "temporary files left: $(find "$STORE" -name '*.tmp.*')"
pass
