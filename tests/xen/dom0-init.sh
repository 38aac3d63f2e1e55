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
  for n in vgpu-a vgpu-b vgpu-c; do
    echo "----- console of $n -----"
    grep -v '^\s*$' /var/log/xen/console/guest-$n.log 2>/dev/null | grep -E 'VGPU|DOMU|vgpu|WARN|BUG|Call Trace|error' | tail -40
  done
}
finish() {
  echo "XENTEST-END rc=$1 dom0-uptime=$(up)"
  # shellcheck disable=SC2059 # the format is the octal escape of byte $1, built on purpose
  printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
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
  V=$(waitkey "/local/domain/$1/data/$2" "$3") || fail "dom$1 never reported data/$2"
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
DB_PATH=/var/lib/vgpu/vgpu.db
UUID_A=6b1e0a4c-5f3d-4c2a-9e71-00000000000a
UUID_B=6b1e0a4c-5f3d-4c2a-9e71-00000000000b
UUID_C=6b1e0a4c-5f3d-4c2a-9e71-00000000000c
ctl() { vgpuctl --db $DB_PATH "$@"; }
if [ "$BACKEND" = vgpud ]; then
  mkdir -p /run/vgpu /var/lib/vgpu
  # The store: vgpu-a and vgpu-c share pool A (high, low), vgpu-b is alone in pool B.
  ctl init > /dev/null || fail "vgpuctl init"
  { ctl register-vm $UUID_A --name vgpu-a --pool A --priority high --vm-id 101 > /dev/null &&
  ctl register-vm $UUID_B --name vgpu-b --pool B --priority low --vm-id 102 > /dev/null &&
  ctl register-vm $UUID_C --name vgpu-c --pool A --priority low --vm-id 103 --mem-quota 48M > /dev/null; } ||
    fail "vgpuctl register-vm"
  echo "VGPU-E2E-REGISTERED $(ctl list-vms | grep -c vgpu-) VMs uptime=$(up)"
  # vgpu-a's host buffers: one of 64 MiB fits, a second one does not.
  ctl set-pinned-limit $UUID_A 96M > /dev/null || fail "vgpuctl set-pinned-limit"
  # shellcheck disable=SC2086 # $VGPUD_OPTS: options from the kernel command line, split on purpose
  vgpud --transport xen --executor cpu --db $DB_PATH --cpu-mem 64 --exec-log /tmp/exec.csv $VGPUD_OPTS \
    > /tmp/backend.log 2>&1 &
  READY="xen: watching"
else
  vgpu_test_back > /tmp/backend.log 2>&1 &
  READY=VGPU-BACK-READY
fi
BPID=$!
waitlog() { i=0; while ! grep -q -E "$1" /tmp/backend.log; do i=$((i+1)); [ $i -gt $(($2 * 10)) ] && return 1; sleep 0.1; done; }
waitlog "$READY" 20 || { cat /tmp/backend.log; fail "backend did not start"; }
echo "VGPU-E2E-BACKEND-UP $BACKEND pid=$BPID uptime=$(up)"

# print_execlog LINE: vgpud's execution log after its first LINE lines, between markers,
# for xen-e2e.sh to extract (header first)
print_execlog() {
  echo "VGPU-EXECLOG-BEGIN"; head -1 /tmp/exec.csv; tail -n +$(($1 + 1)) /tmp/exec.csv
  echo "VGPU-EXECLOG-END"
}
# demo_records: what run-demo's report needs from inside, as prefixed console lines: the
# status samples, vgpud's final status, and each domU's client records (from its console log,
# once the domU has printed all of them).
demo_records() {
  sed 's/^/VGPU-SAMPLE /' /tmp/samples.jsonl
  echo "VGPU-FINAL $(ctl --json status --watch --count 1)"
  for n in vgpu-a vgpu-b vgpu-c; do
    L=/var/log/xen/console/guest-$n.log
    i=0; while ! grep -q VGPU-CLIENTREC-END "$L" 2>/dev/null; do
      i=$((i+1)); [ $i -gt 300 ] && break; sleep 0.1; done
    grep -E '^VGPU-CLIENTREC' "$L" | tr -d '\r' | sed "s/^VGPU-CLIENTREC/VGPU-CLIENTLOG $n/"
  done
}
# Demo mode (scripts/run-demo --transport xen-qemu): three domUs provisioned by the
# watcher, vgpu-a (A high), vgpu-b (B low), vgpu-c (A low), loading at the same time.
if [ "$(sed -n 's/.*vgpu.mode=\([^ ]*\).*/\1/p' /proc/cmdline)" = demo ]; then
  [ "$BACKEND" = vgpud ] || fail "demo mode needs vgpud"
  ctl provision --watch > /tmp/watch.log 2>&1 & WPID=$!
  DOMS=""
  for n in vgpu-a vgpu-b vgpu-c; do
    xl create -p /etc/xen/$n.cfg >/dev/null || fail "xl create $n"
    D=$(xl domid $n) || fail "xl domid $n"
    BE=/local/domain/0/backend/vgpu/$D/0
    waitkey "$BE/vm-id" 20 >/dev/null || { cat /tmp/watch.log; fail "watcher did not provision $n"; }
    xenstore-write "/local/domain/$D/data/mode" demo
    xl unpause $n
    echo "VGPU-DEMO-DOMU $n domid=$D pool=$(xenstore-read "$BE/pool") priority=$(xenstore-read "$BE/priority") vm-id=$(xenstore-read "$BE/vm-id") uptime=$(up)"
    DOMS="$DOMS $D"
  done
  for D in $DOMS; do expect_ok "$D" r1 120 VGPU-DEMO-CONNECTED; done
  ctl scan-vms
  # vgpud's status every 0.5 s while the loads run, for the report's queue-depth samples
  ctl --json status --watch --interval 0.5 > /tmp/samples.jsonl 2>&1 & SPID=$!
  # shellcheck disable=SC2046 # one xenstore-write for all: the loads start together
  xenstore-write $(for D in $DOMS; do echo "/local/domain/$D/data/load" 1; done)
  for D in $DOMS; do expect_ok "$D" l1 300 VGPU-DEMO-LOAD-OK; done
  kill $SPID; wait $SPID
  ctl status
  demo_records
  print_execlog 1   # all of it: nothing but these loads ran
  # the lines the local demo counts as vgpud's problems, while the domUs still run
  grep -E ': error:|: crit|broken' /tmp/backend.log | head -20 | sed 's/^/VGPU-DEMO-DAEMON-LOG /'
  kill $WPID
  for n in vgpu-a vgpu-b vgpu-c; do xl destroy $n; done
  kill $BPID; wait $BPID; echo "VGPU-DEMO-DAEMON pid=$BPID exit=$?"
  grep -E 'WARN|ERR|CRIT' /tmp/backend.log | head -20
  echo "XENTEST-PASS uptime=$(up)"
  finish 0
fi

# provision NAME VMID POOL PRIO: create paused, write the vgpu device entries, unpause.
# With vgpud: the store's entries through 'vgpuctl provision DOMID' (docs/provisioning.md);
# with the test backend (no vgpuctl): the same keys by hand.
provision() {
  xl create -p "/etc/xen/$1.cfg" >/dev/null || fail "xl create $1"
  D=$(xl domid "$1") || fail "xl domid $1"
  BE=/local/domain/0/backend/vgpu/$D/0
  FE=/local/domain/$D/device/vgpu/0
  if [ "$BACKEND" = vgpud ]; then
    ctl provision "$D" > /tmp/provision.out 2>&1 || { cat /tmp/provision.out; fail "vgpuctl provision $D"; }
    [ "$(xenstore-read "$BE/vm-id")" = "$2" ] || fail "provision $1: backend vm-id $(xenstore-read "$BE/vm-id" 2>&1)"
    xenstore-write "/local/domain/$D/data/examples" 1
  else
    xenstore-write "$BE/frontend" "$FE" "$BE/frontend-id" "$D" "$BE/state" 1 \
      "$BE/pool" "$3" "$BE/priority" "$4" "$BE/vm-id" "$2" \
      "$BE/vm-uuid" "6b1e0a4c-5f3d-4c2a-9e71-00000000000${1#vgpu-}" || fail "provision $1"
    xenstore-chmod -r "/local/domain/0/backend/vgpu/$D" n0 "r$D"
    xenstore-write "$FE/backend" "$BE" "$FE/backend-id" 0 "$FE/state" 1 || fail "provision $1"
    xenstore-chmod -r "$FE" "n$D" r0
  fi
  xl unpause "$1"
  echo "VGPU-E2E-DOMU-CREATED $1 domid=$D vm-id=$2 pool=$3 priority=$4 uptime=$(up)"
}
provision vgpu-a 101 A 2; DA=$D
provision vgpu-b 102 B 0; DB=$D
if [ "$BACKEND" = vgpud ]; then
  # The hypervisor's view: both domains registered, each in its pool.
  ctl scan-vms > /tmp/scan.out 2>&1 || { cat /tmp/scan.out; fail "vgpuctl scan-vms"; }
  cat /tmp/scan.out
  PA=$(awk '/^pool /{p=$2} / vgpu-a /{print p}' /tmp/scan.out)
  PB=$(awk '/^pool /{p=$2} / vgpu-b /{print p}' /tmp/scan.out)
  [ "$PA/$PB" = A/B ] || fail "scan-vms: vgpu-a in pool '$PA', vgpu-b in pool '$PB' (expected A/B)"
  echo "VGPU-E2E-SCAN-VMS-OK vgpu-a dom$DA pool $PA, vgpu-b dom$DB pool $PB (registered) uptime=$(up)"
fi

expect_ok "$DA" r1 120 VGPU-E2E-ROUNDTRIP-OK
expect_ok "$DB" r1 120 VGPU-E2E-ROUNDTRIP-OK
echo "VGPU-E2E-SYSFS dom=$DA $(xenstore-read "/local/domain/$DA/data/sysfs")"
echo "VGPU-E2E-SYSFS dom=$DB $(xenstore-read "/local/domain/$DB/data/sysfs")"
xenstore-read "/local/domain/$DA/data/sysfs" | grep -q 'pool=A priority=2 vm_id=101' || fail "sysfs of dom$DA"
xenstore-read "/local/domain/$DB/data/sysfs" | grep -q 'pool=B priority=0 vm_id=102' || fail "sysfs of dom$DB"
expect_ok "$DA" r9 60 VGPU-E2E-DEVPERM-OK
expect_ok "$DA" r10 60 VGPU-E2E-WATCHQUOTA-OK
expect_ok "$DA" r2 60 VGPU-E2E-HOSTILE-OK
grep -q -E "VIOLATION|channel closed: " /tmp/backend.log || fail "backend did not report the violation"
expect_ok "$DB" r2 120 VGPU-E2E-HOSTILE-XS-OK
expect_ok "$DB" r3 60 VGPU-E2E-ROUNDTRIP-AFTER-HOSTILE-OK
expect_ok "$DA" r3 120 VGPU-E2E-STORM-OK
kill -0 $BPID || fail "backend died"

# gntdev descriptors vgpud holds (its own handle, then one per data area and host
# buffer it shares with a worker), and grant mappings in the workers.
gntdev_fds() {
  n=0; for f in "/proc/$BPID/fd"/*; do [ "$(readlink "$f")" = /dev/xen/gntdev ] && n=$((n+1)); done; echo $n
}
worker_grant_maps() {
  n=0; for p in /proc/[0-9]*; do
    grep -q vgpud-worker "$p/cmdline" 2>/dev/null || continue
    c=$(grep -c /dev/xen/gntdev "$p/maps" 2>/dev/null); n=$((n + ${c:-0}))
  done; echo $n
}

# Destroy dom B while its client is mid-stream; the backend must carry on.
waitkey "/local/domain/$DB/data/looping" 60 >/dev/null || fail "dom$DB never started looping"
if [ "$BACKEND" = vgpud ]; then
  V=$(xenstore-read "/local/domain/$DB/data/holding")
  case "$V" in VGPU-HB-HOLD*) ;; *) fail "dom$DB's host buffer: $V" ;; esac
  F0=$(gntdev_fds); M0=$(worker_grant_maps)
  # Two channels (4 = the handle, 2 data areas, 1 buffer); the worker maps the buffer and
  # the data area of the channel that holds it (the other sends only NOPs: no worker).
  if [ "$F0" -lt 4 ] || [ "$M0" -lt 2 ]; then
    fail "dom$DB holds a host buffer, yet vgpud has $F0 gntdev fds (expected 4+) and its workers $M0 grant mappings (2+)"
  fi
fi
sleep 1
N0=$(grep -c "xen: dom$DB/0/ch[0-9]*: released" /tmp/backend.log)
xl destroy vgpu-b || fail "xl destroy"
i=0; while [ "$(grep -c "xen: dom$DB/0/ch[0-9]*: released" /tmp/backend.log)" -le "$N0" ]; do
  i=$((i+1)); [ $i -gt 100 ] && { cat /tmp/backend.log; fail "backend did not release dom$DB's channel"; }; sleep 0.1; done
kill -0 $BPID || fail "backend died after the destroy"
echo "VGPU-E2E-DESTROY-OK dom$DB destroyed mid-request, its channel released, backend alive uptime=$(up)"
if [ "$BACKEND" = vgpud ]; then
  # No channel is open now (dom A waits for go): only vgpud's own gntdev handle may be left.
  i=0; while [ "$(gntdev_fds)" != 1 ] || [ "$(worker_grant_maps)" != 0 ]; do
    i=$((i+1)); [ $i -gt 100 ] && fail "after dom$DB's destroy: vgpud has $(gntdev_fds) gntdev fds (expected 1), workers $(worker_grant_maps) grant mappings (expected 0)"
    sleep 0.1; done
  echo "VGPU-E2E-HOSTBUF-DESTROY-OK dom$DB destroyed with a 4 MiB host buffer mapped: vgpud's gntdev fds $F0 -> 1 (its own handle), workers' grant mappings $M0 -> 0 uptime=$(up)"
fi

if [ "$BACKEND" = vgpud ]; then
  # The provisioning service from here on: its first pass drops dom$DB's stale
  # backend directory; vgpu-c gets its entries from @introduceDomain.
  ctl provision --watch > /tmp/watch.log 2>&1 & WPID=$!
  i=0; while xenstore-exists "/local/domain/0/backend/vgpu/$DB"; do
    i=$((i+1)); [ $i -gt 100 ] && { cat /tmp/watch.log; fail "watcher left dom$DB's backend directory"; }; sleep 0.1; done
  xl create -p /etc/xen/vgpu-c.cfg >/dev/null || fail "xl create vgpu-c"
  DC=$(xl domid vgpu-c) || fail "xl domid vgpu-c"
  V=$(waitkey "/local/domain/0/backend/vgpu/$DC/0/vm-id" 20) || { cat /tmp/watch.log; fail "watcher did not provision dom$DC"; }
  [ "$V" = 103 ] || fail "dom$DC provisioned with vm-id $V (expected 103)"
  xl unpause vgpu-c
  echo "VGPU-E2E-WATCH-OK dom$DB's entries removed, dom$DC (vgpu-c, vm-id $V, pool A low) provisioned by 'vgpuctl provision --watch' uptime=$(up)"
fi
xenstore-write "/local/domain/$DA/data/go" 1
expect_ok "$DA" r4 60 VGPU-E2E-AFTER-OK
if [ "$BACKEND" = vgpud ]; then
  expect_ok "$DA" r7 120 VGPU-E2E-EXAMPLE-VECTOR-ADD-OK
  expect_ok "$DA" r8 120 VGPU-E2E-EXAMPLE-SAXPY-OK
  expect_ok "$DA" h1 240 VGPU-E2E-HOSTBUF-64MIB-OK
  expect_ok "$DA" h2 60 VGPU-E2E-HOSTBUF-HOSTILE-OK
  grep -q "host buffer .* refused: the domain's grant budget" /tmp/backend.log ||
    fail "vgpud did not name the domain's grant budget for dom$DA's 400 MiB host buffer"
  kill -0 $BPID || fail "backend died"
fi
expect_ok "$DA" r5 60 VGPU-E2E-UNLOAD-OK
expect_ok "$DA" r6 60 VGPU-E2E-RELOAD-OK
kill -0 $BPID || fail "backend died"
if [ "$BACKEND" = vgpud ]; then
  # Two domains in pool A (vgpu-a high, vgpu-c low) load it at the same time; the
  # execution log of that window goes to the console for xen-e2e.sh to check.
  expect_ok "$DC" r1 120 VGPU-E2E-ROUNDTRIP-OK
  # The store's quota of vgpu-c (48M) reached its channels through the backend dir.
  grep -q "xen: dom$DC/0/ch[0-9]*: connected .*vm-id 103.*mem-quota 50331648)" /tmp/backend.log ||
    { grep "dom$DC/" /tmp/backend.log; fail "vgpu-c's channels did not get its mem-quota"; }
  echo "VGPU-E2E-QUOTA-OK dom$DC's channels carry the provisioned mem-quota 48M uptime=$(up)"
  N0=$(wc -l < /tmp/exec.csv)
  xenstore-write "/local/domain/$DA/data/load" 1 "/local/domain/$DC/data/load" 1
  expect_ok "$DA" l1 180 VGPU-E2E-LOAD-OK
  expect_ok "$DC" l1 180 VGPU-E2E-LOAD-OK
  print_execlog "$N0"
  ctl status > /tmp/status.out 2>&1 || { cat /tmp/status.out; fail "vgpuctl status"; }
  cat /tmp/status.out
  grep -q '^vgpud running' /tmp/status.out || fail "vgpuctl status: vgpud not seen running"
  # The VM lines: vm_id uuid name prio submitted done failed p50 p99
  SA=$(awk '$3 == "vgpu-a" {print $5 "/" $6}' /tmp/status.out)
  SC=$(awk '$3 == "vgpu-c" {print $5 "/" $6}' /tmp/status.out)
  case "$SA$SC" in *-*|"") fail "vgpuctl status: no live figures (vgpu-a $SA, vgpu-c $SC)" ;; esac
  echo "VGPU-E2E-STATUS-OK vgpud live: vgpu-a submitted/done $SA, vgpu-c $SC uptime=$(up)"
  xenstore-write "/local/domain/$DA/data/perf" 1
  expect_ok "$DA" p1 180 VGPU-E2E-PERF-LAT
  expect_ok "$DA" p2 180 VGPU-E2E-PERF-COPY
  kill "$WPID"
fi
consoles
xl destroy vgpu-a
[ "$BACKEND" = vgpud ] && xl destroy vgpu-c
kill $BPID; sleep 0.3
echo "----- backend log -----"; cat /tmp/backend.log
for n in vgpu-a vgpu-c; do
  grep -q -E 'WARNING: CPU|BUG:|Call Trace' /var/log/xen/console/guest-$n.log 2>/dev/null && fail "kernel warning in $n"
done
echo "XENTEST-PASS uptime=$(up)"
finish 0
