#!/bin/sh
# gen-ptx.sh: remakes the committed PTX from its CUDA C with nvcc:
# tests/ptx/kernels_sm90.ptx, tests/ptx/kernels_sm75.ptx and examples/kernels.ptx.
# usage: tests/ptx/gen-ptx.sh [OUTROOT]   (default: the source tree; regen.sh passes a scratch folder)
# The fatbin fixtures are made once by hand (see tests/ptx/meson.build).
set -e
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src}
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
mkdir -p "$out/tests/ptx" "$out/examples"
# Compile from each source's folder, by name: the output then does not depend on where the tree is.
cd "$src/tests/ptx"
"$nvcc" -arch=compute_90 -ptx -o "$out/tests/ptx/kernels_sm90.ptx" kernels.cu
"$nvcc" -arch=compute_75 -ptx -o "$out/tests/ptx/kernels_sm75.ptx" kernels.cu
cd "$src/examples"
"$nvcc" -arch=compute_75 -ptx -o "$out/examples/kernels.ptx" kernels.cu
