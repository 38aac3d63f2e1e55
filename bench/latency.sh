#!/bin/sh
# latency.sh: bench/latency against a vgpud of its own, twice: vgpud polling (--poll-us 50,
# the default) and vgpud sleeping on events (--poll-us 0); bench/copy once.
# usage: bench/latency.sh [BUILDDIR] [ITERS]
. "$(dirname "$0")/lib.sh"
iters=${2:-20000}
bench_setup "${1:-build}" 00000000-0000-4000-8000-0000000000b2 bench

echo "== vgpud --poll-us 50 (default): the 'polling' row is the one that counts"
bench_start --poll-us 50 --cpu-mem 2048 # the copy bench holds 256 MiB of device memory
"$b/bench/latency" --instance bench --iters "$iters"
"$b/bench/copy" --instance bench
bench_stop
echo "== vgpud --poll-us 0: the 'no polling' row is the one that counts"
bench_start --poll-us 0
"$b/bench/latency" --instance bench --iters "$iters"
bench_stop
