#!/bin/sh
# test_ptx.sh: the committed PTX (examples' kernels, tests/ptx's suite) assembles for the H100
# (sm_90) with the toolkit's ptxas: what the CPU interpreter runs is valid for a real GPU.
: "${VGPU_SRCDIR:?}"
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
[ -x "$ptxas" ] || { echo "SKIP: ptxas not found (no CUDA toolkit)"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for f in examples/kernels.ptx tests/ptx/kernels_sm90.ptx tests/ptx/kernels_sm75.ptx; do
    "$ptxas" -arch=sm_90 -o "$out" "$VGPU_SRCDIR/$f" || { echo "FAIL: $f"; exit 1; }
    echo "$f assembles for sm_90"
done
