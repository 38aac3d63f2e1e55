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
if [ "$EXECUTOR" = cuda ]; then
    [ -f "$B/dom0/vgpu-exec-cuda.so" ] || { echo "SKIP: no CUDA toolkit: CUDA executor not built"; exit 77; }
    ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1' ||
        { echo "SKIP: no NVIDIA driver (libcuda.so.1 not found): the CUDA path needs a GPU"; exit 77; }
fi
RUN=$B/guest-cuda/vgpu-run
vm "$(uuid 1)" --name cudart --pool B --priority low
if [ "$EXECUTOR" = cpu ]; then
    start_vgpud
else
    "$VGPUD" --db "$VGPU_DB" --socket "$VGPU_SOCKET" --ctl "$VGPU_CTL" --executor cuda \
        >"$T/vgpud.log" 2>&1 &
    VGPUD_PID=$!
    if ! wait_for 30 status_json; then
        if grep -qi "no device\|NO_DEVICE\|no CUDA-capable" "$T/vgpud.log"; then
            echo "SKIP: no GPU: $(grep -m1 -i cuda "$T/vgpud.log")"
            exit 77
        fi
        bad "vgpud --executor cuda did not become ready: $(cat "$T/vgpud.log")"
        finish
        exit 1
    fi
fi
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
