#!/bin/sh
# test_shutdown.sh: vgpud stopped while clients wait: they get a clear error, not a hang.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name w1 --pool A --priority medium
vm "$(uuid 2)" --name w2 --pool B --priority low
start_vgpud
"$LOADGEN" --instance w1 --kernel busy --busy-us 50000 --jobs 1000 --channels 2 >"$T/1.out" 2>&1 &
c1=$!
"$LOADGEN" --instance w2 --kernel busy --busy-us 50000 --jobs 1000 >"$T/2.out" 2>&1 &
c2=$!
started() { [ "$(status_json | jget "sum(v['completed'] for v in d['vms'])")" -ge 2 ]; }
check "clients running" "wait_for 20 started"
kill -TERM "$VGPUD_PID"
wait "$VGPUD_PID"
check "vgpud exited cleanly on SIGTERM" "[ $? -eq 0 ]"
VGPUD_PID=""
exited() { ! kill -0 $c1 2>/dev/null && ! kill -0 $c2 2>/dev/null; }
check "clients exit within 10 s" "wait_for 10 exited"
wait $c1; r1=$?
wait $c2; r2=$?
check "clients report failure (exit $r1, $r2)" "[ $r1 -ne 0 ] && [ $r2 -ne 0 ]"
check "with a clear message" "grep -Eqi 'shut|vgpud|no vgpu transport' '$T/1.out' '$T/2.out'"
cat "$T/1.out"
finish
