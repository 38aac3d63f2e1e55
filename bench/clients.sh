#!/bin/sh
# clients.sh: throughput and p99 latency through vgpud with 1, 8 and 64 concurrent clients
# (vgpu-loadgen channels, vector_add of 4096 floats + SYNC per job, CPU reference executor).
# usage: bench/clients.sh [BUILDDIR] [JOBS_PER_CLIENT]
set -eu
b=${1:-build}
jobs=${2:-200}
t=$(mktemp -d)
chmod 755 "$t"
export VGPU_DB="$t/db" VGPU_CTL="$t/ctl" VGPU_SOCKET="$t/sock"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$t"' EXIT
"$b/admin/vgpuctl" init >/dev/null
"$b/admin/vgpuctl" register-vm 00000000-0000-4000-8000-0000000000b1 --name bench >/dev/null
"$b/dom0/vgpud" --executor cpu >"$t/log" 2>&1 &
pid=$!
i=0
until python3 -c "import socket,os; s=socket.socket(socket.AF_UNIX); s.connect(os.environ['VGPU_CTL'])" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 500 ] || { echo "vgpud did not start"; cat "$t/log"; exit 1; }; sleep 0.01
done
printf '%-8s %10s %12s %12s %12s\n' clients jobs 'jobs/s' 'p50 (us)' 'p99 (us)'
for n in 1 8 64; do
    out=$("$b/examples/vgpu-loadgen" --instance bench --kernel vector_add --size 4096 \
        --jobs "$jobs" --channels "$n")
    total=$((n * jobs))
    secs=$(echo "$out" | sed -n 's/.*; \([0-9.]*\) s$/\1/p')
    p50=$(echo "$out" | sed -n 's/.*p50 \([0-9.]*\) us.*/\1/p')
    p99=$(echo "$out" | sed -n 's/.*p99 \([0-9.]*\) us.*/\1/p')
    printf '%-8s %10s %12.0f %12s %12s\n' "$n" "$total" "$(awk "BEGIN{print $total / $secs}")" "$p50" "$p99"
done
