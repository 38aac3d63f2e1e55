#!/bin/bash
# xen-e2e.sh: the Xen end-to-end test. Boots Xen 4.17 + Debian's kernel as PV
# dom0 under QEMU TCG with two PV domUs running vgpu.ko and the test programs,
# dom0 running the vgpu backend; passes on explicit markers only.
# Exit: 0 pass, 1 fail, 77 skip (QEMU, packages, headers or libxen-dev missing).
# Env: VGPU_SRCDIR VGPU_BUILDDIR (meson sets them), VGPU_XENLAB_CACHE (package
# cache, default /var/cache/vgpu-xenlab), TIMEOUT, MEM, DOM0_MEM, DOMU_MEM, DOMU_MEM_A;
# VGPU_XEN_MODE=demo: three domUs load pools A and B instead of the checks (run-demo);
# VGPU_XEN_EXECLOG: where the execution log extracted from the console goes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${VGPU_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BUILD=${VGPU_BUILDDIR:-$SRC/build}
skip() { echo "SKIP: $*"; exit 77; }
T0=$EPOCHREALTIME

for p in qemu-system-x86_64 cpio apt-get apt-cache dpkg depmod bc xz gcc make pkg-config ldd; do
  command -v $p >/dev/null || skip "$p not installed (apt-get install qemu-system-x86 cpio bc xz-utils kmod gcc make pkg-config)"
done
pkg-config --exists xenstore xengnttab xenevtchn || skip "libxen-dev not installed"
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || skip "static libc (libc6-dev) not installed"

CACHE=${VGPU_XENLAB_CACHE:-/var/cache/vgpu-xenlab}
mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ] || CACHE=$BUILD/tests/xen/cache
export CACHE
export WORK=$BUILD/tests/xen/lab
mkdir -p "$CACHE" "$WORK"
echo "== fetch Debian packages into $CACHE"
rc=0; "$HERE/fetch.sh" || rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: fetch.sh exited $rc"; exit 1; }
KVER=$(cat "$CACHE/kver")
KDIR=/usr/src/linux-headers-$KVER
[ -f "$KDIR/Makefile" ] || skip "kernel headers $KDIR missing (apt-get install linux-headers-$KVER)"

echo "== build vgpu.ko against $KVER, the test backend and the domU programs"
rm -rf "$WORK/kmod"
"$SRC/scripts/kbuild.sh" "$SRC" "$WORK/kmod" "$KDIR" 2>&1 | grep -v 'Skipping BTF' || true
[ -e "$WORK/kmod/vgpu.ko" ] || { echo "FAIL: vgpu.ko did not build"; exit 1; }
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I$SRC/proto"
# shellcheck disable=SC2046,SC2086
gcc $CFLAGS -I"$SRC/dom0" -I"$SRC/dom0/transport" -o "$WORK/vgpu_test_back" "$HERE/vgpu_test_back.c" \
  "$SRC"/dom0/transport/xen_*.c "$SRC/proto/vgpu_validate.c" "$SRC/proto/vgpu_status.c" \
  $(pkg-config --cflags --libs xenstore xengnttab xenevtchn)
# shellcheck disable=SC2086
gcc $CFLAGS -static -o "$WORK/vgpu_xen_client" "$HERE/vgpu_xen_client.c"
# shellcheck disable=SC2086
gcc $CFLAGS -static -o "$WORK/vgpu_xen_badgrant" "$HERE/vgpu_xen_badgrant.c"
# shellcheck disable=SC2086
gcc $CFLAGS -I"$SRC/guest-lib" -static -pthread -o "$WORK/vgpu_xen_perf" "$HERE/vgpu_xen_perf.c" \
  "$SRC"/guest-lib/*.c "$SRC/proto/vgpu_validate.c" "$SRC/proto/vgpu_status.c" -lm
# shellcheck disable=SC2086
gcc $CFLAGS -I"$SRC/guest-lib" -static -pthread -o "$WORK/vgpu_xen_hostbuf" "$HERE/vgpu_xen_hostbuf.c" \
  "$SRC"/guest-lib/*.c "$SRC/proto/vgpu_validate.c" "$SRC/proto/vgpu_status.c" -lm
export KO=$WORK/kmod/vgpu.ko BIN_DOM0=$WORK/vgpu_test_back
export BIN_DOMU="$WORK/vgpu_xen_client $WORK/vgpu_xen_badgrant $WORK/vgpu_xen_perf $WORK/vgpu_xen_hostbuf" BIN_DOMU_DYN=""
# The backend: vgpud when the build has one with the Xen transport (VGPU_XEN_VGPUD
# and VGPU_XEN_VGPUCTL override the paths), else the test backend.
VGPUD=${VGPU_XEN_VGPUD:-$BUILD/dom0/vgpud}
VGPUCTL=${VGPU_XEN_VGPUCTL:-$BUILD/admin/vgpuctl}
BACKEND=vgpu_test_back
if [ "${VGPU_XEN_BACKEND:-auto}" != test ] && [ -x "$VGPUD" ] && [ -x "$VGPUCTL" ] &&
   grep -q "Xen transport disabled" "$VGPUD"; then
  BACKEND=vgpud
  BIN_DOM0="$BIN_DOM0 $VGPUD $(dirname "$VGPUD")/vgpud-worker $VGPUCTL"
  for e in vector_add saxpy vgpu-loadgen; do
    [ -x "$BUILD/examples/$e" ] && BIN_DOMU_DYN="$BIN_DOMU_DYN $BUILD/examples/$e"
  done
elif [ "${VGPU_XEN_BACKEND:-auto}" = vgpud ]; then
  echo "FAIL: VGPU_XEN_BACKEND=vgpud but $VGPUD has no Xen transport (or $VGPUCTL is missing)"; exit 1
else
  echo "NOTE: $VGPUD with the Xen transport not built: dom0 runs the test backend"
fi
MODE=${VGPU_XEN_MODE:-e2e}
if [ "$MODE" = demo ]; then
  [ "$BACKEND" = vgpud ] || { echo "FAIL: VGPU_XEN_MODE=demo needs $VGPUD with the Xen transport and $VGPUCTL"; exit 1; }
  export MEM=${MEM:-1280}   # three domUs at once
fi
export BACKEND MODE
# vgpud runs more (examples, a third domU, the loads): more room on a loaded machine
[ "$BACKEND" = vgpud ] && export TIMEOUT=${TIMEOUT:-540}
export HERE DOMU_MEM=${DOMU_MEM:-128}
echo "== build initramfs images"
"$HERE/build-initramfs.sh"
T1=$EPOCHREALTIME

echo "== backend: $BACKEND; domU programs: $BIN_DOMU $BIN_DOMU_DYN"
echo "== boot Xen under QEMU (TCG); console log: $WORK/run.log"
export LOG=$WORK/run.log
rc=0; "$HERE/run.sh" || rc=$?
T2=$EPOCHREALTIME
grep -E 'XENTEST|VGPU-E2E|VGPU-DEMO|VGPU-BACK-(ATTACH|RELEASE|VIOLATION)|VGPU-BACK: xen: .*(refused|storm)|TIMEOUT|crashed|Panic|Kernel panic|WARNING: CPU|BUG:' "$LOG" || true
printf 'prepare %.1f s, boot and test %.1f s\n' "$(echo "$T1 - $T0" | bc)" "$(echo "$T2 - $T1" | bc)"
if [ $rc != 0 ]; then
  echo "FAIL: no XENTEST-PASS marker. Last console lines:"
  tail -60 "$LOG"
  exit 1
fi
if [ "$BACKEND" = vgpud ]; then
  # The execution log of the two domains loading pool A: the scheduling rules.
  XLOG=${VGPU_XEN_EXECLOG:-$WORK/exec-log.csv}
  "$HERE/execlog.sh" "$LOG" > "$XLOG" || { echo "FAIL: no execution log on the console"; exit 1; }
  echo "== execution log: $XLOG ($(($(wc -l < "$XLOG") - 1)) jobs)"
  python3 "$SRC/tests/local/check_order.py" "$XLOG" || { echo "FAIL: execution log breaks the scheduling rules"; exit 1; }
  for v in 'A,[0-9]*,vgpu-a,2' 'A,[0-9]*,vgpu-c,0'; do
    grep -q ",$v," "$XLOG" || { echo "FAIL: no job matching '$v' (pool,vm_id,name,priority) in the execution log"; exit 1; }
  done
  if [ "$MODE" = demo ]; then
    grep -q ",B,[0-9]*,vgpu-b,0," "$XLOG" || { echo "FAIL: no job of vgpu-b (pool B) in the execution log"; exit 1; }
  fi
fi
echo "PASS"
