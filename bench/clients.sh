#!/bin/sh
# clients.sh: throughput and p99 latency through vgpud with 1, 8 and 64 concurrent clients
# (vgpu-loadgen channels, vector_add of 4096 floats + SYNC per job, CPU reference executor).
# usage: bench/clients.sh [BUILDDIR] [JOBS_PER_CLIENT]
. "$(dirname "$0")/lib.sh"
jobs=${2:-200}
bench_setup "${1:-build}" 00000000-0000-4000-8000-0000000000b1 bench
bench_start
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
