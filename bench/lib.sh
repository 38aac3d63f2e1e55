#!/bin/sh
# lib.sh: what the bench scripts share, sourced: a store, a socket and a vgpud of their own in a
# fresh directory, removed on exit.
#   bench_setup BUILDDIR UUID NAME   a store at $t with VM NAME (UUID) registered
#   bench_start ARGS...              vgpud --executor cpu ARGS..., once both sockets are there
#   bench_stop                       stop it (the next bench_start starts another)
set -eu
t=$(mktemp -d)
chmod 755 "$t"
export VGPU_DB="$t/db" VGPU_CTL="$t/ctl" VGPU_SOCKET="$t/sock"
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$t"' EXIT

bench_setup() {
    b=$1
    "$b/admin/vgpuctl" init >/dev/null
    "$b/admin/vgpuctl" register-vm "$2" --name "$3" >/dev/null
}

bench_start() {
    "$b/dom0/vgpud" --executor cpu "$@" >"$t/log" 2>&1 &
    pid=$!
    i=0
    until [ -S "$VGPU_CTL" ] && [ -S "$VGPU_SOCKET" ]; do
        i=$((i + 1)); [ $i -lt 500 ] || { echo "vgpud did not start"; cat "$t/log"; exit 1; }
        sleep 0.01
    done
}

bench_stop() { kill "$pid"; wait "$pid" || true; pid=""; rm -f "$VGPU_CTL" "$VGPU_SOCKET"; }
