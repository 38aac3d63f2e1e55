#!/bin/sh
# latency.sh: bench/latency against a vgpud of its own, twice: vgpud polling (--poll-us 50,
# the default) and vgpud sleeping on events (--poll-us 0); bench/copy once.
# usage: bench/latency.sh [BUILDDIR] [ITERS]
set -eu
b=${1:-build}
iters=${2:-20000}
t=$(mktemp -d)
chmod 755 "$t"
export VGPU_DB="$t/db" VGPU_CTL="$t/ctl" VGPU_SOCKET="$t/sock"
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$t"' EXIT
"$b/admin/vgpuctl" init >/dev/null
"$b/admin/vgpuctl" register-vm 00000000-0000-4000-8000-0000000000b2 --name bench >/dev/null

start() {
    "$b/dom0/vgpud" --executor cpu "$@" >"$t/log" 2>&1 &
    pid=$!
    i=0
    until [ -S "$VGPU_CTL" ] && [ -S "$VGPU_SOCKET" ]; do
        i=$((i + 1)); [ $i -lt 500 ] || { cat "$t/log"; exit 1; }; sleep 0.01
    done
}
stop() { kill $pid; wait $pid || true; pid=""; rm -f "$VGPU_CTL" "$VGPU_SOCKET"; }

echo "== vgpud --poll-us 50 (default): the 'polling' row is the one that counts"
start --poll-us 50
"$b/bench/latency" --instance bench --iters "$iters"
"$b/bench/copy" --instance bench
stop
echo "== vgpud --poll-us 0: the 'no polling' row is the one that counts"
start --poll-us 0
"$b/bench/latency" --instance bench --iters "$iters"
stop
