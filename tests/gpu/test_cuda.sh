#!/bin/sh
# test_cuda.sh: the CUDA executor end to end on a real GPU: vgpud --executor cuda, the examples
# and a short demo run. SKIPPED (exit 77) with the reason where no GPU or driver is present.
set -u
: "${VGPU_BUILDDIR:?}" "${VGPU_SRCDIR:?}"
B=$VGPU_BUILDDIR
if [ ! -f "$B/dom0/vgpu-exec-cuda.so" ]; then
    echo "SKIP: CUDA executor not built (no CUDA toolkit at configure time)"; exit 77
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1'; then
    echo "SKIP: no NVIDIA driver (libcuda.so.1 not found): the CUDA path needs a GPU"; exit 77
fi
T=$(mktemp -d); chmod 755 "$T"
export VGPU_DB="$T/db" VGPU_CTL="$T/ctl" VGPU_SOCKET="$T/sock"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$T"' EXIT
"$B/admin/vgpuctl" init >/dev/null
"$B/admin/vgpuctl" register-vm 00000000-0000-4000-8000-0000000000c1 --name gpu1 >/dev/null
"$B/dom0/vgpud" --executor cuda >"$T/log" 2>&1 &
pid=$!
i=0
until [ -S "$VGPU_CTL" ]; do
    i=$((i + 1))
    if ! kill -0 $pid 2>/dev/null || [ $i -gt 500 ]; then
        if grep -qi "no device\|NO_DEVICE\|no CUDA-capable" "$T/log"; then
            echo "SKIP: no GPU: $(grep -m1 CUDA "$T/log")"; exit 77; fi
        echo "FAIL: vgpud --executor cuda did not start"; cat "$T/log"; exit 1
    fi
    sleep 0.02
done
rc=0
export VGPU_INSTANCE=gpu1
"$B/examples/vector_add" || rc=1
"$B/examples/saxpy" || rc=1
"$B/examples/vgpu-loadgen" --kernel mix --jobs 50 --channels 4 || rc=1
kill $pid; wait $pid; pid=""
python3 "$VGPU_SRCDIR/demo/run.py" --builddir "$B" --quick --executor cuda --out "$T/report" || rc=1
head -5 "$T/log"
if [ $rc -eq 0 ]; then echo "CUDA executor: all checks passed"; else echo "CUDA executor: FAILED"; fi
exit $rc
