# lib.sh: helpers for the 'local' suite: a vgpud of the test's own, clients, waits with deadlines.
# shellcheck shell=sh
set -u
: "${VGPU_BUILDDIR:?}"
B=$VGPU_BUILDDIR
VGPUD=$B/dom0/vgpud
VGPUCTL=$B/admin/vgpuctl
LOADGEN=$B/examples/vgpu-loadgen
T=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-local.XXXXXX")
chmod 755 "$T"
export VGPU_DB="$T/vgpu.db" VGPU_CTL="$T/ctl" VGPU_SOCKET="$T/sock"
PASS=0
FAIL=0
VGPUD_PID=""

cleanup() {
    [ -n "$VGPUD_PID" ] && kill "$VGPUD_PID" 2>/dev/null && wait "$VGPUD_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() { if eval "$2"; then ok "$1"; else bad "$1 ($2)"; fi; }
finish() {
    [ -n "$VGPUD_PID" ] && { echo "--- vgpud log (tail)"; tail -n 60 "$T/vgpud.log"; }
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
}

# wait_for SECONDS CMD...: poll CMD every 20 ms until it succeeds or the deadline passes.
wait_for() {
    end=$(($(date +%s%N) + $1 * 1000000000))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(date +%s%N)" -gt "$end" ] && return 1
        sleep 0.02
    done
}

status_json() { python3 "$VGPU_SRCDIR/tests/local/ctl_status.py"; }
# jq-free field extraction: python3 is part of the build deps (meson).
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

vm() { "$VGPUCTL" register-vm "$@" >/dev/null || bad "register-vm $*"; }

start_vgpud() {
    "$VGPUD" --db "$VGPU_DB" --socket "$VGPU_SOCKET" --ctl "$VGPU_CTL" --executor cpu \
        --exec-log "$T/exec.csv" "$@" >"$T/vgpud.log" 2>&1 &
    VGPUD_PID=$!
    wait_for 10 status_json ||
        { bad "vgpud did not become ready"; cat "$T/vgpud.log"; exit 1; }
}

# start_vgpud_executor cpu|cuda [VGPUD ARGS]: vgpud on that executor. cuda SKIPs (exit 77) where
# the CUDA executor was not built, there is no NVIDIA driver, or no GPU answers.
start_vgpud_executor() {
    if [ "$1" = cpu ]; then
        shift
        start_vgpud "$@"
        return
    fi
    [ -f "$B/dom0/vgpu-exec-cuda.so" ] || { echo "SKIP: no CUDA toolkit: CUDA executor not built"; exit 77; }
    ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1' ||
        { echo "SKIP: no NVIDIA driver (libcuda.so.1 not found): the CUDA path needs a GPU"; exit 77; }
    "$VGPUD" --db "$VGPU_DB" --socket "$VGPU_SOCKET" --ctl "$VGPU_CTL" --executor cuda \
        >"$T/vgpud.log" 2>&1 &
    VGPUD_PID=$!
    if ! wait_for 30 status_json; then
        if grep -qi "no device\|NO_DEVICE\|no CUDA-capable" "$T/vgpud.log"; then
            echo "SKIP: no GPU: $(grep -m1 -i cuda "$T/vgpud.log")"
            exit 77
        fi
        bad "vgpud --executor cuda did not become ready: $(cat "$T/vgpud.log")"
        finish
        exit 1
    fi
}

vgpud_alive() { kill -0 "$VGPUD_PID" 2>/dev/null; }

# uuid N: a fixed UUID for instance N.
uuid() { printf '00000000-0000-4000-8000-%012d' "$1"; }

"$VGPUCTL" init >/dev/null || { echo "vgpuctl init failed"; exit 1; }
if [ ! -x "$LOADGEN" ]; then echo "SKIP: $LOADGEN not built"; exit 77; fi
