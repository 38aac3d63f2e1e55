#!/bin/sh
# test_unit.sh: vgpud.service's hardening holds what vgpud does. The unit is
# checked by systemd-analyze; vgpud then runs with exactly the unit's
# capability bounding set (setpriv), serves a client through a worker and
# answers vgpuctl, under strace; every system call it and its workers made
# must be in the unit's SystemCallFilter as systemd expands it.
. "$VGPU_SRCDIR/tests/local/lib.sh"
for tool in strace systemd-analyze setpriv pkill; do
    command -v $tool >/dev/null || { bad "$tool is not installed (scripts/setup installs it)"; finish; exit 1; }
done
UNIT=$B/dom0/vgpud.service
[ -f "$UNIT" ] || { bad "no $UNIT"; finish; exit 1; }

# systemd-analyze verify wants the ExecStart binary where the unit says: a copy that points at ours.
sed "s|^ExecStart=[^ ]*/vgpud |ExecStart=$VGPUD |" "$UNIT" >"$T/vgpud.service"
systemd-analyze verify "$T/vgpud.service" >"$T/verify" 2>&1
check "systemd-analyze verify accepts the unit" \
    "! grep -v -e 'Failed to put bus name' -e 'proc-xen.mount' -e 'xenstored.service' -e 'vgpu-provision' '$T/verify' | grep -qi 'error\\|invalid\\|unknown'"
[ -s "$T/verify" ] && cat "$T/verify"

caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
filter=$(sed -n 's/^SystemCallFilter=//p' "$UNIT")
check "the unit bounds capabilities and filters system calls" "[ -n '$caps' ] && [ -n '$filter' ]"
bset=$(for c in $caps; do printf ',+%s' "$(echo "${c#CAP_}" | tr '[:upper:]' '[:lower:]')"; done)

vm "$(uuid 1)" --name one --pool A --priority medium
if [ "$(id -u)" = 0 ]; then
    VGPUD_WRAP="setpriv --bounding-set -all$bset"
else
    VGPUD_WRAP=""
fi
# start_vgpud with the wrapper and strace in front (lib.sh's VGPUD is one word).
cat >"$T/vgpud-wrapped" <<EOS
#!/bin/sh
exec strace -f -qq -o "$T/strace" $VGPUD_WRAP "$VGPUD" "\$@"
EOS
chmod +x "$T/vgpud-wrapped"
REAL_VGPUD=$VGPUD
VGPUD=$T/vgpud-wrapped
start_vgpud --ctl-group "$(id -gn)"
VGPU_INSTANCE=one "$B/examples/vector_add" >"$T/o" 2>&1
check "a job runs through a worker with the unit's capabilities ($caps): $(tail -1 "$T/o")" "[ $? -eq 0 ]"
"$VGPUCTL" status >"$T/st" 2>&1
check "vgpuctl status answers" "[ $? -eq 0 ]"
# vgpud is strace's child: stop it, and strace ends with it.
pkill -TERM -P "$VGPUD_PID"
wait "$VGPUD_PID" 2>/dev/null
VGPUD_PID=""
VGPUD=$REAL_VGPUD

# shellcheck disable=SC2086 # one argument per filter item, split on purpose
python3 - "$T/strace" $filter >"$T/calls" 2>&1 <<'PY'
import re, subprocess, sys
def expand(item, seen):
    if not item.startswith("@"):
        return {item}
    out = subprocess.run(["systemd-analyze", "syscall-filter", item], capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        w = line.strip()
        if w and not w.startswith("#") and w not in seen:
            seen.add(w)
            names |= expand(w, seen)
    return names
allowed = set()
for item in sys.argv[2:]:
    allowed |= expand(item, set())
used = set()
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\d+\s+([a-z_0-9]+)\(", line)
    if m:
        used.add(m.group(1))
missing = sorted(used - allowed)
print(f"{len(used)} system calls used, {len(allowed)} allowed; outside the filter: {missing or 'none'}")
sys.exit(1 if missing or len(used) < 20 else 0)
PY
check "every system call is in the unit's filter: $(cat "$T/calls")" "[ $? -eq 0 ]"
finish
