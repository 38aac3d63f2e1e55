#!/bin/sh
# test_cuda.sh [cpu|cuda|plain]: driver-API programs, unchanged, on libcuda.so.1 through vgpu-run
# and a vgpud of our own running that executor (default cpu, the CPU reference executor).
# plain: cu_plain only, built without the toolkit, on examples/kernels.ptx (runs everywhere).
EXECUTOR=${1:-cpu}
# vgpud must load NVIDIA's libcuda.so.1 for the CUDA executor, never ours from meson's path.
unset LD_LIBRARY_PATH
. "$(dirname "$0")/../local/lib.sh"
C=$B/tests/cuda
if [ "$EXECUTOR" = plain ]; then
    vm "$(uuid 1)" --name cuda --pool B --priority low
    start_vgpud
    export VGPU_INSTANCE=cuda
    if timeout 60 "$B/guest-cuda/vgpu-run" "$C/cu_plain" "$VGPU_SRCDIR/examples/kernels.ptx" \
        >"$T/plain.out" 2>&1; then
        ok "cu_plain: $(cat "$T/plain.out")"
    else
        bad "cu_plain: $(cat "$T/plain.out")"
    fi
    finish
    exit
fi
if [ ! -x "$C/cu_errors" ]; then
    echo "SKIP: no CUDA toolkit (nvcc, cuda.h and the libcuda stub) found at build time"
    exit 77
fi
RUN=$B/guest-cuda/vgpu-run
vm "$(uuid 1)" --name cuda --pool B --priority low
start_vgpud_executor "$EXECUTOR"
export VGPU_INSTANCE=cuda

run() { # NAME PROGRAM ARGS...: one program, its output kept for the log
    name=$1
    shift
    if timeout 120 "$RUN" "$@" >"$T/$name.out" 2>&1; then ok "$name"; else bad "$name: $(cat "$T/$name.out")"; fi
}
for v in "" _ptds; do # _ptds: built with the per-thread default stream
    run vector_add$v "$C/cu_vector_add$v" "$C/kernels.fatbin" "$C/kernels.ptx"
    run matmul$v "$C/cu_matmul$v" "$C/kernels.fatbin"
    run errors$v "$C/cu_errors$v" "$C/kernels.fatbin" "$C/noptx.fatbin"
    run threads$v "$C/cu_threads$v" "$C/kernels.fatbin"
    run global$v "$C/cu_global$v" "$C/kernels.fatbin"
done
# The loader took our library, not a driver's: vgpu-run's path comes first.
check "vgpu-run loads guest-cuda's libcuda" \
    "$RUN sh -c 'echo \$LD_LIBRARY_PATH' | grep -q '^$B/guest-cuda'"
progs=""
for p in cu_vector_add cu_matmul cu_errors cu_threads cu_global; do progs="$progs $C/$p $C/${p}_ptds"; done
# shellcheck disable=SC2086
if python3 "$VGPU_SRCDIR/tests/cuda/import_check.py" "$B/guest-cuda/libcuda.so.1" $progs \
    >"$T/imports" 2>&1; then
    ok "imports: $(tr '\n' ' ' <"$T/imports")"
else
    bad "imports: $(cat "$T/imports")"
fi
finish
