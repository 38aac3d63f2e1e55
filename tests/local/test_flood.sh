#!/bin/sh
# test_flood.sh: a guest that keeps its ring full without kicks must not
# starve the loop: while it floods, the control socket answers, and an
# honest client in the same pool is served. With ring polling on and off.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name honest --pool A --priority medium
vm "$(uuid 2)" --name evil --pool A --priority high

# ctl_within MS: the control socket answers a status request within MS ms.
ctl_within() {
    python3 - "$VGPU_CTL" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.settimeout(int(sys.argv[2]) / 1000)
t0 = time.monotonic()
try:
    s.connect(sys.argv[1]); s.sendall(b'{"cmd":"status"}\n')
    ok = b'"ok"' in s.recv(65536)
except OSError:
    ok = False
print(f"{(time.monotonic() - t0) * 1000:.0f} ms")
sys.exit(0 if ok else 1)
PY
}

for poll in 50 0; do
    start_vgpud --poll-us $poll
    # The flooder gets a core of its own at real-time priority where it can
    # (root): it must keep pace with vgpud however loaded the machine is.
    pin=""
    if [ "$(nproc)" -ge 2 ] && taskset -p -c 0 "$VGPUD_PID" >/dev/null 2>&1 &&
        chrt -f 10 true 2>/dev/null; then
        pin="taskset -c 1 chrt -f 10"
    fi
    $pin "$B/tests/local/hostile" "$VGPU_SOCKET" evil flood >"$T/flood.out" 2>&1 &
    evil=$!
    # The flood runs 8 s; these checks start while it does.
    wait_for 10 grep -q 'channel up for VM 2' "$T/vgpud.log" || bad "poll $poll: flood channel not up"
    worst=0 fails=0
    for _ in 1 2 3 4 5; do
        if out=$(ctl_within 250); then
            ms=${out% ms}; [ "$ms" -gt "$worst" ] && worst=$ms
        else
            fails=$((fails + 1))
        fi
    done
    check "poll $poll: control socket answers within 250 ms during the flood (worst $worst ms)" \
        "[ $fails -eq 0 ]"
    check "poll $poll: honest client served during the flood" \
        "timeout 10 '$LOADGEN' --instance honest --kernel vector_add --jobs 4 >'$T/h.out' 2>&1"
    check "poll $poll: the flood was still running meanwhile" "kill -0 $evil"
    wait $evil
    check "poll $poll: the flooding channel was served too ($(cat "$T/flood.out"))" "[ $? -eq 0 ]"
    check "poll $poll: vgpud alive" vgpud_alive
    kill "$VGPUD_PID"; wait "$VGPUD_PID" 2>/dev/null; VGPUD_PID=""
done
finish
