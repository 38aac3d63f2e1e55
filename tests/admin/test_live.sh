#!/bin/sh
# vgpuctl's side of vgpud's control socket, against a small fake vgpud
# (FAKE_VGPUD): live status figures, and a live priority change that
# reorders the queued work.
. "$(dirname "$0")/lib.sh"
: "${FAKE_VGPUD:?set FAKE_VGPUD to the fake_vgpud binary}"
U1=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e51
U2=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52
U3=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e53

"$VGPUCTL" init >/dev/null
"$VGPUCTL" register-vm $U1 --name one --priority medium >/dev/null
"$VGPUCTL" register-vm $U2 --name two --priority medium >/dev/null
"$VGPUCTL" register-vm $U3 --name three --priority low >/dev/null

FAKE_PID=
stop_fake() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=; }
cleanup_hooks="stop_fake"
start_fake() {
    "$FAKE_VGPUD" "$VGPU_CTL" "$VGPU_DB" $U1 $U2 $U3 >"$TMP/fake.log" 2>&1 &
    FAKE_PID=$!
    i=0
    until grep -q ready "$TMP/fake.log" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { bad "fake vgpud did not start"; cat "$TMP/fake.log"; finish; exit 1; }
        sleep 0.05
    done
}
queue() { "$VGPUCTL" --json status | tr -d ' \n' | sed 's/.*"queue":\[\([^]]*\)\].*/\1/' | tr -d '"'; }

start_fake
expect "queue starts in priority then FIFO order" "^$U1,$U2,$U3$" "$(queue)"
run "status with vgpud" 0 status
expect "status shows vgpud" "vgpud running, executor fake" "$OUT"
expect "status shows pool figures" "pool A .*queued 3" "$OUT"
expect "status shows per-VM figures" "two +medium +3 +2 +0 +1.5ms +9.0ms" "$OUT"
run "status --json with vgpud" 0 status --json
expect "status json has live figures" '"wait_p99_ns": 9000000' "$OUT"
run "status --watch --count 2" 0 status --watch --interval 0.1 --count 2
expect "watch refreshes" "pool A" "$OUT"

run "live priority change" 0 set-priority three high
expect "vgpud applied it" "vgpud applied the change live" "$OUT"
expect "vgpud was told" "request \{\"cmd\":\"vm-update\",\"uuid\":\"$U3\"\}" "$(cat "$TMP/fake.log")"
expect "queued work follows the new priority" "^$U3,$U1,$U2$" "$(queue)"
run "live priority lowered" 0 set-priority one low
expect "queue reordered again" "^$U3,$U2,$U1$" "$(queue)"
run "remove-vm tells vgpud" 0 remove-vm two
expect "vm-remove sent" "\"cmd\":\"vm-remove\",\"uuid\":\"$U2\"" "$(cat "$TMP/fake.log")"

stop_fake
FAKE_REFUSE=1 "$FAKE_VGPUD" "$VGPU_CTL" "$VGPU_DB" $U1 >"$TMP/fake.log" 2>&1 &
FAKE_PID=$!
sleep 0.3
run "vgpud refuses: stored, exit 1" 1 set-priority one medium
expect "refusal reported" "vgpud refused it: refused by test" "$ERR"
expect "change stayed stored" "^1$" "$(sql "SELECT priority FROM vms WHERE name='one'")"
stop_fake

# A stale socket file with nobody listening counts as "not running".
run "stale socket: change stored, exit 0" 0 set-priority one high
expect "not running line" "vgpud is not running \(no control socket at $VGPU_CTL\)" "$OUT"
finish
