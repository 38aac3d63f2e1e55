#!/bin/sh
# test_hostile.sh: clients that break the protocol get their channel closed, a kick storm is
# throttled; vgpud and an honest client running at the same time go on.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name honest --pool A --priority medium
vm "$(uuid 2)" --name evil --pool A --priority high
# A low kick limit: the storm below must be seen as one however loaded the
# machine is (the kernel coalesces kicks that vgpud is too slow to take).
start_vgpud --kick-limit 50/10
"$LOADGEN" --instance honest --kernel mix --busy-us 2000 --jobs 40 >"$T/honest.out" 2>&1 &
honest=$!
for mode in far-ahead random before-hello bad-range; do
    if "$B/tests/local/hostile" "$VGPU_SOCKET" evil "$mode" >"$T/h.out" 2>&1; then
        ok "hostile $mode: channel closed"
    else
        bad "hostile $mode: $(cat "$T/h.out")"
    fi
    check "vgpud alive after $mode" vgpud_alive
done
# The storm goes on until vgpud has logged it (or 20 s), then checks its channel still answers.
HOSTILE_STOP=$T/stop "$B/tests/local/hostile" "$VGPU_SOCKET" evil storm >"$T/h.out" 2>&1 &
storm=$!
check "event storm logged" "wait_for 20 grep -q 'event storm' '$T/vgpud.log'"
touch "$T/stop"
if wait $storm; then
    ok "event storm: throttled, channel still served ($(cat "$T/h.out"))"
else
    bad "event storm: $(cat "$T/h.out")"
fi
check "vgpud alive after the storm" vgpud_alive
wait $honest
check "honest client finished with correct results" "[ $? -eq 0 ]"
check "one log line per closed channel" "[ \$(grep -c 'channel closed:' '$T/vgpud.log') -ge 1 ]"
finish
