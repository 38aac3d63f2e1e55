#!/bin/sh
# test_ptx.sh: the example kernels' PTX assembles for the H100 (sm_90) with the toolkit's ptxas.
: "${VGPU_SRCDIR:?}"
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
[ -x "$ptxas" ] || { echo "SKIP: ptxas not found (no CUDA toolkit)"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$ptxas" -arch=sm_90 -o "$out" "$VGPU_SRCDIR/examples/kernels.ptx" && echo "kernels.ptx assembles for sm_90"
