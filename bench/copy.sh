#!/bin/sh
# copy.sh: bench/copy against a vgpud of its own (CPU reference executor with 2 GiB of memory, so
# that a VM may hold the 256 MiB device buffer beside the others).
# usage: bench/copy.sh [BUILDDIR]
. "$(dirname "$0")/lib.sh"
bench_setup "${1:-build}" 00000000-0000-4000-8000-0000000000b3 copybench
bench_start --cpu-mem 2048
"$b/bench/copy" --instance copybench
