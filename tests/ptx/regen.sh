#!/bin/sh
# regen.sh: the committed PTX is exactly what this machine's nvcc makes of the CUDA C sources.
: "${VGPU_SRCDIR:?}"
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
[ -x "$nvcc" ] || { echo "SKIP: nvcc not found (no CUDA toolkit): the committed PTX is used as is"; exit 77; }
release=$("$nvcc" --version | sed -n 's/^Cuda compilation tools, \(release [^,]*\),.*/\1/p')
for f in tests/ptx/kernels_sm90.ptx tests/ptx/kernels_sm75.ptx examples/kernels.ptx; do
    grep -q "Cuda compilation tools, $release," "$VGPU_SRCDIR/$f" || {
        echo "SKIP: no CUDA toolkit of the release that made $f (this nvcc is $release)"; exit 77; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
NVCC=$nvcc sh "$VGPU_SRCDIR/tests/ptx/gen-ptx.sh" "$T" || { echo "FAIL: nvcc failed"; exit 1; }
rc=0
for f in tests/ptx/kernels_sm90.ptx tests/ptx/kernels_sm75.ptx examples/kernels.ptx; do
    if diff -u "$VGPU_SRCDIR/$f" "$T/$f"; then
        echo "$f: same as nvcc $release makes"
    else
        echo "FAIL: $f is not what nvcc makes of its source: run tests/ptx/gen-ptx.sh and commit"
        rc=1
    fi
done
exit $rc
