#!/bin/busybox sh
# /init of the domU initramfs: loads vgpu.ko and runs the test programs;
# results go to xenstore (data/*) for dom0 to check, details to the console.
# shellcheck shell=dash
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
ROLE=$(sed -n 's/.*vgpurole=\([A-Z]\).*/\1/p' /proc/cmdline)
echo "DOMU-UP role=$ROLE uptime=$(cut -d' ' -f1 /proc/uptime)"
for m in xen-evtchn xen-gntalloc xen-gntdev; do insmod /lib/modules/$m.ko 2>/dev/null; done

put() { xenstore-write "data/$1" "$2"; echo "DOMU-RESULT $1=$2"; }
# run NAME CMD...: run a test program, store "OK <last line>" or "FAIL <last line>"
run() {
  n=$1; shift
  "$@" > "/tmp/$n.out" 2>&1; rc=$?
  cat "/tmp/$n.out"
  if [ $rc = 0 ]; then put "$n" "OK $(tail -1 "/tmp/$n.out")"; else put "$n" "FAIL rc=$rc $(tail -1 "/tmp/$n.out")"; fi
}
# waitkey KEY [SECONDS]: wait for data/KEY (default 60 s)
waitkey() { i=0; while ! xenstore-read "data/$1" >/dev/null 2>&1; do i=$((i+1)); [ $i -gt $((${2:-60} * 10)) ] && return 1; sleep 0.1; done; }
# load: busy jobs on two channels once dom0 says go, for the execution-log check
load() {
  if ! waitkey load 240; then put l1 "FAIL dom0 never said load"
  elif [ ! -x /usr/bin/vgpu-loadgen ]; then put l1 "FAIL vgpu-loadgen missing"
  else VGPU_TRANSPORT=xen run l1 vgpu-loadgen --instance "vgpu-$(echo "$ROLE" | tr '[:upper:]' '[:lower:]')" \
         --kernel busy --busy-us 4000 --jobs 12 --channels 2 --log /tmp/l1.jsonl
  fi
  # The client's records, for the demo's report (dom0 reads them from this console's log).
  [ -f /tmp/l1.jsonl ] && sed 's/^/VGPU-CLIENTREC /' /tmp/l1.jsonl
  echo "VGPU-CLIENTREC-END channels=2 jobs=12 result=$(xenstore-read data/l1 | cut -d' ' -f1)"
}

insmod /lib/modules/vgpu.ko || { put r1 "FAIL insmod vgpu.ko"; sleep 1000; }
S=/sys/bus/xen/devices/vgpu-0
i=0; while ! grep -q '^connected' $S/vgpu_state 2>/dev/null; do
  i=$((i+1)); [ $i -gt 300 ] && { put r1 "FAIL not connected: $(cat $S/vgpu_state 2>&1)"; break; }; sleep 0.1; done
put sysfs "state=$(cat $S/vgpu_state | tr ' ' ,) pool=$(cat $S/pool) priority=$(cat $S/priority) vm_id=$(cat $S/vm_id)"

if [ "$(xenstore-read data/mode 2>/dev/null)" = demo ]; then
  put r1 "OK connected, pool $(cat $S/pool) priority $(cat $S/priority) vm_id $(cat $S/vm_id)"
  load
  echo "DOMU-DONE role=$ROLE"
  sleep 1000
fi
run r1 vgpu_xen_client ok "$([ "$ROLE" = C ] && echo 100 || echo 500)"
if [ "$ROLE" = A ]; then
  run r9 vgpu_xen_client perm
  run r10 vgpu_xen_client watchquota
  run r2 vgpu_xen_client hostile
  run r3 vgpu_xen_client storm 20000
  waitkey go || put r4 "FAIL dom0 never said go"
  run r4 vgpu_xen_client ok 200
  # libvgpu examples through the kernel-module port (dom0 runs vgpud)
  if [ "$(xenstore-read data/examples 2>/dev/null)" = 1 ]; then
    if [ -x /usr/bin/vector_add ]; then run r7 vector_add; else put r7 "FAIL vector_add missing"; fi
    if [ -x /usr/bin/saxpy ]; then run r8 saxpy; else put r8 "FAIL saxpy missing"; fi
    # Host buffers of their own: 64 MiB end to end (vgpu-a's pinned limit is 96M), then
    # grant directories built by hand that vgpud must refuse.
    run h1 vgpu_xen_hostbuf big 64
    run h2 vgpu_xen_client hbhostile
  fi
  # Unload: refused while bound (xenbus holds a module reference) and while a
  # channel is open. Unbinding with a channel open breaks it cleanly; then rmmod works.
  vgpu_xen_client loop > /tmp/loop.out 2>&1 & LP=$!
  i=0; while ! grep -q VGPU-CLIENT-HELLO /tmp/loop.out; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.1; done
  if ! grep -q VGPU-CLIENT-HELLO /tmp/loop.out; then put r5 "FAIL loop client did not start: $(tail -1 /tmp/loop.out)"
  elif rmmod vgpu 2>/dev/null; then put r5 "FAIL rmmod succeeded while bound with an open channel"
  else
    echo vgpu-0 > /sys/bus/xen/drivers/vgpu/unbind
    # running: /proc/PID exists and is not a zombie
    alive() { [ -e "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status"; }
    i=0; while alive $LP; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.1; done
    if alive $LP; then kill $LP; put r5 "FAIL client still running after unbind"
    elif ! rmmod vgpu 2>/tmp/rmmod.err; then
      echo "DOMU-DIAG refcnt=$(cat /sys/module/vgpu/refcnt)"
      put r5 "FAIL rmmod after unbind and close: $(cat /tmp/rmmod.err)"
    else
      put r5 "OK rmmod refused while bound+open; unbind broke the open channel ($(tail -1 /tmp/loop.out | cut -c1-60)); rmmod done"
    fi
  fi
  # Reload: the handshake starts over and channels work again.
  insmod /lib/modules/vgpu.ko
  i=0; while ! grep -q '^connected' $S/vgpu_state 2>/dev/null; do
    i=$((i+1)); [ $i -gt 300 ] && break; sleep 0.1; done
  run r6 vgpu_xen_client ok 100
  if [ "$(xenstore-read data/examples 2>/dev/null)" = 1 ]; then
    load
    waitkey perf 240 || put p1 "FAIL dom0 never said perf"
    run p1 vgpu_xen_perf lat 300
    run p2 vgpu_xen_perf copy 8
  fi
  dmesg | grep -i -E 'vgpu|warn|bug' | tail -20
  put finished 1
elif [ "$ROLE" = C ]; then
  # vgpu-c: pool A at low priority, the competitor of vgpu-a in the execution-log check
  load
else
  # Hostile channels published by hand: the backend must refuse each one.
  FE=device/vgpu/0
  BEP=$(xenstore-read $FE/backend)
  # refused IDX KEY VALUE...: publish channel-IDX (state 4 last), wait for the backend's Closed
  refused() {
    idx=$1; shift
    args=""
    while [ $# -gt 1 ]; do args="$args $FE/channel-$idx/$1 $2"; shift 2; done
    # shellcheck disable=SC2086 # $args: KEY VALUE words, split on purpose (paths have no spaces)
    xenstore-write $args "$FE/channel-$idx/state" 4
    i=0; while [ "$(xenstore-read "$BEP/channel-$idx/state" 2>/dev/null)" != 6 ]; do
      i=$((i+1)); [ $i -gt 150 ] && { echo "channel-$idx not refused"; return 1; }; sleep 0.1; done
    echo "DOMU hostile channel-$idx refused"
    xenstore-rm "$FE/channel-$idx"
  }
  badgrant() {  # idx mode
    vgpu_xen_badgrant "$2" > /tmp/bg.out & BG=$!
    i=0; while [ ! -s /tmp/bg.out ]; do i=$((i+1)); [ $i -gt 50 ] && break; sleep 0.1; done
    # shellcheck disable=SC2046 # two grant refs, split on purpose
    set -- "$1" $(cat /tmp/bg.out)
    refused "$1" ring-page-order 0 ring-ref-0 "$2" data-dir-ref "$3" event-channel 1; rc=$?
    kill $BG; wait $BG 2>/dev/null; rm -f /tmp/bg.out
    return $rc
  }
  # ignored NAME: channel-01 or channel-001 is not channel 1: the backend must not touch index 1
  # (xenstored refuses '+' and blanks in names, so these are the aliases a guest can write)
  ignored() {
    xenstore-write "$FE/$1/ring-page-order" 0 "$FE/$1/ring-ref-0" 1 "$FE/$1/data-dir-ref" 1 \
      "$FE/$1/event-channel" 1 "$FE/$1/state" 4
    sleep 1.5
    if xenstore-exists "$BEP/channel-1" || xenstore-exists "$BEP/$1"; then
      echo "$1 taken for channel 1: $(xenstore-read "$BEP/channel-1/state" 2>&1)"; return 1
    fi
    echo "DOMU hostile $1 ignored"
    xenstore-rm "$FE/$1" || true
  }
  if ignored channel-01 && ignored channel-001 &&
     refused 7 ring-page-order 9 ring-ref-0 1 data-dir-ref 1 event-channel 1 &&
     refused 6 ring-page-order 0 ring-ref-0 77777 data-dir-ref 77778 event-channel 1 &&
     refused 5 ring-page-order x ring-ref-0 1 data-dir-ref 1 event-channel 1 &&
     refused 40 ring-page-order 0 ring-ref-0 1 data-dir-ref 1 event-channel 1 &&
     badgrant 4 badmagic && badgrant 3 toomany && badgrant 2 badref; then
    put r2 "OK channel-01/channel-001 ignored; order>max, unmappable refs, malformed key, index>max-channels, bad magic, too many pages, unmappable data refs: all refused"
  else
    put r2 "FAIL a hostile channel was not refused"
  fi
  run r3 vgpu_xen_client ok 100
  vgpu_xen_client loop > /tmp/loop.out 2>&1 &
  if [ "$(xenstore-read data/examples 2>/dev/null)" = 1 ]; then
    # A host buffer mapped in dom0 when the domain is destroyed (vgpud's run).
    vgpu_xen_hostbuf hold 4 > /tmp/hold.out 2>&1 &
    i=0; while ! grep -q VGPU-HB- /tmp/hold.out; do i=$((i+1)); [ $i -gt 300 ] && break; sleep 0.1; done
    put holding "$(head -1 /tmp/hold.out)"
  fi
  sleep 0.5
  put looping 1
fi
echo "DOMU-DONE role=$ROLE"
sleep 1000
