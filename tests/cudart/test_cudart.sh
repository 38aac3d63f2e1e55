#!/bin/sh
# test_cudart.sh [cpu|cuda]: runtime-API programs built with `nvcc -cudart shared`, unchanged, on
# guest-cudart's libcudart.so.13 and guest-cuda's libcuda.so.1 through vgpu-run and a vgpud of
# our own running that executor (default cpu, the CPU reference executor).
EXECUTOR=${1:-cpu}
# vgpud must load NVIDIA's libcuda.so.1 for the CUDA executor, never ours from meson's path.
unset LD_LIBRARY_PATH
. "$(dirname "$0")/../local/lib.sh"
C=$B/tests/cudart
if [ ! -x "$C/rt_errors" ] || [ ! -e "$B/guest-cudart/libcudart.so.13" ]; then
    echo "SKIP: no CUDA toolkit (nvcc, the runtime headers and the libcuda stub) found at build time"
    exit 77
fi
RUN=$B/guest-cuda/vgpu-run
vm "$(uuid 1)" --name cudart --pool B --priority low
start_vgpud_executor "$EXECUTOR"
export VGPU_INSTANCE=cudart

# The loader takes our runtime, not the toolkit's: vgpu-run's path comes first.
check "vgpu-run loads guest-cudart's libcudart" \
    "$RUN sh -c 'echo \$LD_LIBRARY_PATH' | grep -q '^$B/guest-cudart:$B/guest-cuda'"
progs=""
for p in rt_vector_add rt_matmul rt_constant rt_streams rt_pinned rt_mixed rt_errors; do
    progs="$progs $C/$p"
    if timeout 120 "$RUN" "$C/$p" >"$T/$p.out" 2>&1; then
        ok "$p: $(tr '\n' ' ' <"$T/$p.out")"
    else
        bad "$p: $(cat "$T/$p.out")"
    fi
done
# Every runtime symbol the programs import is ours, under the version node they ask for.
# shellcheck disable=SC2086
if python3 "$VGPU_SRCDIR/tests/cuda/import_check.py" --prefix=cuda --prefix=__cuda \
    "$B/guest-cudart/libcudart.so.13" $progs >"$T/imports" 2>&1; then
    ok "imports: $(tr '\n' ' ' <"$T/imports")"
else
    bad "imports: $(cat "$T/imports")"
fi
finish
