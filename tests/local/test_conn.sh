#!/bin/sh
# test_conn.sh: attacks before any channel exists (descriptor floods, silent
# connections, a pipe as kick fd, bad control requests, a trickling control
# client, running out of descriptors); vgpud lives and an honest client is served.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name honest --pool A --priority medium
vm "$(uuid 2)" --name evil --pool A --priority high
start_vgpud
export VGPUD_PID
attack() { python3 "$VGPU_SRCDIR/tests/local/conn_attack.py" "$1" >"$T/a.out" 2>&1; }
for mode in manyfds silent notevfd churn ctlnull trickle; do
    if attack $mode; then ok "$mode: $(tail -1 "$T/a.out")"; else bad "$mode: $(cat "$T/a.out")"; fi
    check "vgpud alive after $mode" vgpud_alive
done
check "refusals are rate-limited in the log" "[ \$(grep -c 'refused' '$T/vgpud.log') -lt 50 ]"
check "channel churn is rate-limited in the log ($(grep -c 'channel up\|channel closed' "$T/vgpud.log") lines)" \
    "[ \$(grep -c 'channel up\|channel closed' '$T/vgpud.log') -lt 50 ]"
check "honest client served after the attacks" \
    "'$LOADGEN' --instance honest --kernel vector_add --jobs 4 >'$T/h.out' 2>&1"

# Out of descriptors: silent connections fill vgpud's table; it must not spin
# and must serve an honest client once the silent ones are gone.
kill "$VGPUD_PID"; wait "$VGPUD_PID" 2>/dev/null
VGPUD_PID=""
start_vgpud
export VGPUD_PID
prlimit --pid "$VGPUD_PID" --nofile=48:48 || bad "prlimit"
if python3 - "$VGPU_SOCKET" "$VGPUD_PID" >"$T/emfile.out" 2>&1 <<'PY'
import socket, sys, time
path, pid = sys.argv[1], int(sys.argv[2])
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / 100.0
socks = []
for _ in range(120):
    s = socket.socket(socket.AF_UNIX); s.connect(path); socks.append(s)
c0, t0 = cpu(), time.monotonic()
time.sleep(1.0)  # a measurement window, not a wait for an event
used = cpu() - c0
print(f"vgpud used {used:.2f} s of CPU in {time.monotonic() - t0:.2f} s with its fd table full")
sys.exit(0 if used < 0.5 else 1)
PY
then ok "fd table full: no busy loop ($(cat "$T/emfile.out"))"; else bad "fd table full: $(cat "$T/emfile.out")"; fi
check "vgpud alive with its fd table full" vgpud_alive
check "honest client served after the fd table emptied" \
    "wait_for 10 '$LOADGEN' --instance honest --kernel vector_add --jobs 2"
finish
