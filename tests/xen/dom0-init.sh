#!/bin/busybox sh
# /init of the dom0 initramfs: Xen tools up, the vgpu backend, two PV domUs
# with a vgpu device each, then the checks. Markers: VGPU-E2E-*, XENTEST-PASS/FAIL.
# shellcheck shell=dash
/bin/busybox --install -s /bin
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /run/xenstored /var/lib/xen /var/lib/xenstored /var/log/xen/console
ln -sfn /run /var/run

up() { cut -d' ' -f1 /proc/uptime; }
consoles() {
  for n in vgpu-a vgpu-b; do
    echo "----- console of $n -----"
    grep -v '^\s*$' /var/log/xen/console/guest-$n.log 2>/dev/null | grep -E 'VGPU|DOMU|vgpu|WARN|BUG|Call Trace|error' | tail -40
  done
}
finish() {
  echo "XENTEST-END rc=$1 dom0-uptime=$(up)"
  printf "\\$(printf %o $1)" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
  sleep 1; poweroff -f
}
fail() {
  echo "XENTEST-FAIL: $*"; consoles
  echo "----- backend log (tail) -----"; tail -30 /tmp/backend.log 2>/dev/null
  dmesg | tail -15; finish 1
}
# waitkey PATH SECONDS: value of a xenstore key once it exists
waitkey() { i=0; while ! V=$(xenstore-read "$1" 2>/dev/null); do
  i=$((i+1)); [ $i -gt $(($2 * 10)) ] && return 1; sleep 0.1; done; echo "$V"; }
# expect_ok DOMID KEY SECONDS MARKER
expect_ok() {
  V=$(waitkey /local/domain/$1/data/$2 $3) || fail "dom$1 never reported data/$2"
  case "$V" in OK*) echo "$4 dom=$1 $V uptime=$(up)" ;; *) fail "dom$1 data/$2: $V" ;; esac
}

echo "XENTEST-DOM0-UP uptime=$(up) hypervisor=$(cat /sys/hypervisor/type 2>/dev/null)"
for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
  insmod /lib/modules/$m.ko || fail "insmod $m"
done
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
xenstored --pid-file /run/xenstored.pid 2>&1 || fail "xenstored"
i=0; while ! xenstore-read /local >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 100 ] && fail "xenstored not answering"; sleep 0.1; done
/usr/bin/xen-init-dom0 >/dev/null || fail "xen-init-dom0"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || fail "xenconsoled"
echo "XENTEST-XENSTORED-UP uptime=$(up)"

BACKEND=$(sed -n 's/.*vgpu.backend=\([^ ]*\).*/\1/p' /proc/cmdline)
VGPUD_OPTS=$(sed -n "s/.*vgpu.vgpud_opts=\([^ ]*\).*/\1/p" /proc/cmdline | tr : " ")
[ -x "/usr/bin/$BACKEND" ] || fail "no backend program $BACKEND"
if [ "$BACKEND" = vgpud ]; then
  mkdir -p /run/vgpu /var/lib/vgpu
  vgpuctl --db /var/lib/vgpu/vgpu.db init > /dev/null || fail "vgpuctl init"
  vgpud --transport xen --db /var/lib/vgpu/vgpu.db --cpu-mem 64 $VGPUD_OPTS > /tmp/backend.log 2>&1 &
  READY="xen: watching"
else
  vgpu_test_back > /tmp/backend.log 2>&1 &
  READY=VGPU-BACK-READY
fi
BPID=$!
waitlog() { i=0; while ! grep -q -E "$1" /tmp/backend.log; do i=$((i+1)); [ $i -gt $(($2 * 10)) ] && return 1; sleep 0.1; done; }
waitlog "$READY" 20 || { cat /tmp/backend.log; fail "backend did not start"; }
echo "VGPU-E2E-BACKEND-UP $BACKEND pid=$BPID uptime=$(up)"

# provision NAME VMID POOL PRIO: create paused, write the vgpu device entries, unpause.
provision() {
  xl create -p /etc/xen/$1.cfg >/dev/null || fail "xl create $1"
  D=$(xl domid $1) || fail "xl domid $1"
  BE=/local/domain/0/backend/vgpu/$D/0
  FE=/local/domain/$D/device/vgpu/0
  xenstore-write $BE/frontend $FE $BE/frontend-id $D $BE/state 1 \
    $BE/pool $3 $BE/priority $4 $BE/vm-id $2 || fail "provision $1"
  xenstore-chmod -r /local/domain/0/backend/vgpu/$D n0 r$D
  xenstore-write $FE/backend $BE $FE/backend-id 0 $FE/state 1 || fail "provision $1"
  xenstore-chmod -r $FE n$D r0
  [ "$BACKEND" = vgpud ] && xenstore-write /local/domain/$D/data/examples 1
  xl unpause $1
  echo "VGPU-E2E-DOMU-CREATED $1 domid=$D vm-id=$2 pool=$3 priority=$4 uptime=$(up)"
}
provision vgpu-a 101 A 2; DA=$D
provision vgpu-b 102 B 0; DB=$D

expect_ok $DA r1 120 VGPU-E2E-ROUNDTRIP-OK
expect_ok $DB r1 120 VGPU-E2E-ROUNDTRIP-OK
echo "VGPU-E2E-SYSFS dom=$DA $(xenstore-read /local/domain/$DA/data/sysfs)"
echo "VGPU-E2E-SYSFS dom=$DB $(xenstore-read /local/domain/$DB/data/sysfs)"
xenstore-read /local/domain/$DA/data/sysfs | grep -q 'pool=A priority=2 vm_id=101' || fail "sysfs of dom$DA"
xenstore-read /local/domain/$DB/data/sysfs | grep -q 'pool=B priority=0 vm_id=102' || fail "sysfs of dom$DB"
expect_ok $DA r2 60 VGPU-E2E-HOSTILE-OK
grep -q -E "VIOLATION|channel closed: " /tmp/backend.log || fail "backend did not report the violation"
expect_ok $DB r2 120 VGPU-E2E-HOSTILE-XS-OK
expect_ok $DB r3 60 VGPU-E2E-ROUNDTRIP-AFTER-HOSTILE-OK
expect_ok $DA r3 120 VGPU-E2E-STORM-OK
kill -0 $BPID || fail "backend died"

# Destroy dom B while its client is mid-stream; the backend must carry on.
waitkey /local/domain/$DB/data/looping 60 >/dev/null || fail "dom$DB never started looping"
sleep 1
N0=$(grep -c "xen: dom$DB/0/ch[0-9]*: released" /tmp/backend.log)
xl destroy vgpu-b || fail "xl destroy"
i=0; while [ "$(grep -c "xen: dom$DB/0/ch[0-9]*: released" /tmp/backend.log)" -le "$N0" ]; do
  i=$((i+1)); [ $i -gt 100 ] && { cat /tmp/backend.log; fail "backend did not release dom$DB's channel"; }; sleep 0.1; done
kill -0 $BPID || fail "backend died after the destroy"
echo "VGPU-E2E-DESTROY-OK dom$DB destroyed mid-request, its channel released, backend alive uptime=$(up)"

xenstore-write /local/domain/$DA/data/go 1
expect_ok $DA r4 60 VGPU-E2E-AFTER-OK
if [ "$BACKEND" = vgpud ]; then
  expect_ok $DA r7 120 VGPU-E2E-EXAMPLE-VECTOR-ADD-OK
  expect_ok $DA r8 120 VGPU-E2E-EXAMPLE-SAXPY-OK
fi
expect_ok $DA r5 60 VGPU-E2E-UNLOAD-OK
expect_ok $DA r6 60 VGPU-E2E-RELOAD-OK
kill -0 $BPID || fail "backend died"
consoles
xl destroy vgpu-a
kill $BPID; sleep 0.3
echo "----- backend log -----"; cat /tmp/backend.log
grep -q -E 'WARNING: CPU|BUG:|Call Trace' /var/log/xen/console/guest-vgpu-a.log && fail "kernel warning in dom$DA"
echo "XENTEST-PASS uptime=$(up)"
finish 0
