#!/bin/sh
# test_gpu_check.sh: scripts/gpu-check without a GPU says so in one line and exits 77; every
# check it makes on a GPU also runs here, through vgpud on the CPU reference executor.
set -u
: "${VGPU_BUILDDIR:?}" "${VGPU_SRCDIR:?}"
B=$VGPU_BUILDDIR
GC=$VGPU_SRCDIR/scripts/gpu-check
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PASS=0
FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1"; fi; }

if [ ! -x "$B/tests/gpu/gpu_probe" ]; then
    echo "SKIP: no CUDA toolkit at build time: gpu-check's programs (tests/gpu) are not built"
    exit 77
fi
if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
    echo "note: an NVIDIA driver is installed: the no-GPU answer is not checked here"
else
    "$GC" --builddir "$B" --no-build >"$T/nogpu" 2>&1
    rc=$?
    cat "$T/nogpu"
    check "without a GPU: exit 77" "[ $rc -eq 77 ]"
    check "and one line saying so" \
        "[ \$(wc -l <'$T/nogpu') -eq 1 ] && grep -q '^gpu-check: SKIP: no NVIDIA driver' '$T/nogpu'"
fi
"$GC" --builddir "$B" --no-build --executor cpu --quick --json "$T/summary.json" >"$T/cpu" 2>&1
rc=$?
cat "$T/cpu"
check "on the CPU executor every check passes" "[ $rc -eq 0 ] && ! grep -q '^FAIL' '$T/cpu'"
check "the PASS lines cover (a) to (f)" "for s in a b c d e f; do grep -q \"^PASS \$s\\.\" '$T/cpu' || exit 1; done"
check "one JSON summary, also in --json's file" \
    "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d[\"passed\"] and \"latency_us.vgpu.p50\" in d[\"bench\"]))' '$T/summary.json' &&
     [ \"\$(grep -c '^{' '$T/cpu')\" = 1 ]"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
