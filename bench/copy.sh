#!/bin/sh
# copy.sh: bench/copy against a vgpud of its own (CPU reference executor with 2 GiB of memory, so
# that a VM may hold the 256 MiB device buffer beside the others).
# usage: bench/copy.sh [BUILDDIR]
set -eu
b=${1:-build}
t=$(mktemp -d)
chmod 755 "$t"
export VGPU_DB="$t/db" VGPU_CTL="$t/ctl" VGPU_SOCKET="$t/sock"
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$t"' EXIT
"$b/admin/vgpuctl" init >/dev/null
"$b/admin/vgpuctl" register-vm 00000000-0000-4000-8000-0000000000b3 --name copybench >/dev/null
"$b/dom0/vgpud" --executor cpu --cpu-mem 2048 >"$t/log" 2>&1 &
pid=$!
i=0
until [ -S "$VGPU_CTL" ] && [ -S "$VGPU_SOCKET" ]; do
    i=$((i + 1)); [ $i -lt 500 ] || { cat "$t/log"; exit 1; }; sleep 0.01
done
"$b/bench/copy" --instance copybench
