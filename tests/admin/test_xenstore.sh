#!/bin/sh
# scan-vms, provisioning and live xenstore updates against a real xenstored
# (Debian's, run without Xen through the LD_PRELOAD shim xsd_shim.c).
# Exits 77 (skipped) with the reason when xenstored cannot be started.
. "$(dirname "$0")/lib.sh"
SRC=$(dirname "$0")
skip() { echo "SKIP: $*"; trap - EXIT; rm -rf "$TMP"; exit 77; }

XSD=${XENSTORED:-$(find /usr/lib/xen-*/bin -name xenstored 2>/dev/null | sort | head -1)}
[ -x "$XSD" ] || skip "no xenstored binary (install xen-utils-4.17 or set XENSTORED)"
command -v xenstore-write >/dev/null || skip "no xenstore-write (install xenstore-utils)"
"$VGPUCTL" scan-vms 2>&1 | grep -q "without Xen support" && skip "vgpuctl built without Xen support"
${CC:-cc} -shared -fPIC -O2 -w -o "$TMP/shim.so" "$SRC/xsd_shim.c" -ldl 2>"$TMP/cc.err" ||
    skip "cannot build the xenstored shim: $(cat "$TMP/cc.err")"

export XENSTORED_RUNDIR="$TMP/xs" XENSTORED_PATH="$TMP/xs/socket"
mkdir -p "$XENSTORED_RUNDIR"
env -u ASAN_OPTIONS -u UBSAN_OPTIONS LD_PRELOAD="$TMP/shim.so" \
    "$XSD" -N -T "$TMP/xs/trace.log" >"$TMP/xsd.log" 2>&1 &
XSD_PID=$!
stop_xsd() { kill "$XSD_PID" 2>/dev/null; wait "$XSD_PID" 2>/dev/null; }
cleanup_hooks="stop_xsd"
i=0
until [ -S "$XENSTORED_PATH" ] && xenstore-read /local/domain/0/name >/dev/null 2>&1 ||
      xenstore-write /local/domain/0/name Domain-0 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 100 ] && skip "xenstored did not start: $(cat "$TMP/xsd.log")"
    sleep 0.05
done

U1=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e51
U2=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52
U6=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e56
U9=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e59
domain() { xenstore-write /local/domain/"$1"/name "$2" /local/domain/"$1"/vm "/vm/$3" /vm/"$3"/name "$2"; }
xr() { xenstore-read "$1" 2>/dev/null; }
perms() { xenstore-ls -p "$(dirname "$1")" | grep -E "^ *$(basename "$1") = " | sed 's/.*(\(.*\))$/\1/'; }

"$VGPUCTL" init >/dev/null
"$VGPUCTL" register-vm $U1 --name web --priority high >/dev/null 2>&1
"$VGPUCTL" register-vm $U2 --name db --pool B >/dev/null 2>&1
domain 3 web $U1
domain 4 db $U2
domain 5 stranger $U9

run "scan-vms" 0 scan-vms
expect "scan counts domains" "3 running domain\(s\)" "$OUT"
expect "scan groups pool A" "pool A \(registered\)" "$OUT"
expect "scan shows web in A" "dom 3 +$U1 +web +vm_id 1 +high" "$OUT"
expect "scan shows db in B" "dom 4 +$U2 +db +vm_id 2 +medium" "$OUT"
expect "scan marks unregistered" "not registered" "$OUT"
expect "scan shows stranger unregistered" "dom 5 +$U9 +stranger" "$(printf '%s\n' "$OUT" | sed -n '/not registered/,$p')"
run "scan-vms --json" 0 --json scan-vms
expect "json registered flag" '"registered": false' "$OUT"

run "provision one domain" 0 provision 3
B=/local/domain/0/backend/vgpu/3/0 F=/local/domain/3/device/vgpu/0
expect "backend pool/priority/vm-id" "^A 2 1$" "$(xr $B/pool) $(xr $B/priority) $(xr $B/vm-id)"
expect "backend state Initialising" "^1$" "$(xr $B/state)"
expect "backend frontend link" "^$F 3$" "$(xr $B/frontend) $(xr $B/frontend-id)"
expect "backend limits" "^2 1024 8$" "$(xr $B/max-ring-page-order) $(xr $B/max-data-pages) $(xr $B/max-channels)"
expect "frontend keys" "^$B 0 1$" "$(xr $F/backend) $(xr $F/backend-id) $(xr $F/state)"
expect "backend owned by dom0, domU reads" "^n0,r3$" "$(perms $B)"
expect "backend key perms" "^n0,r3$" "$(perms $B/pool)"
expect "frontend owned by domU, dom0 reads" "^n3,r0$" "$(perms $F)"
expect "frontend state perms" "^n3,r0$" "$(perms $F/state)"
run "provision an unregistered domain" 1 provision 5
expect "unregistered message" "not registered" "$ERR"
run "provision a bad domid" 2 provision x1

run "provision --all" 0 provision --all
expect "sync provisions domain 4" "domain 4 .*provisioned" "$OUT"
expect "domain 4 backend pool B" "^B$" "$(xr /local/domain/0/backend/vgpu/4/0/pool)"
expect "stranger not provisioned" "^$" "$(xr /local/domain/0/backend/vgpu/5/0/state)"

run "live priority change reaches xenstore" 0 set-priority web low
expect "set-priority reports xenstore" "xenstore: updated the vGPU entries of domain 3" "$OUT"
expect "backend priority now 0" "^0$" "$(xr $B/priority)"
expect "handshake state untouched" "^1$" "$(xr $B/state)"

xenstore-rm /local/domain/4
run "provision --all after a domain went" 0 provision --all
expect "sync removes domain 4" "domain 4 .*removed" "$OUT"
expect "domain 4 backend gone" "^$" "$(xr /local/domain/0/backend/vgpu/4/0/state)"

# set-vm-id on a running VM restarts it through the toolstack (a fake xl here).
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "$@" >> "%s/xl.log"\n' "$TMP" >"$TMP/bin/xl"
chmod +x "$TMP/bin/xl"
PATH="$TMP/bin:$PATH" "$VGPUCTL" --yes set-vm-id web 42 >"$TMP/out" 2>&1
rc=$?
if [ $rc = 0 ]; then ok "set-vm-id on a running VM (exit 0)"; else bad "set-vm-id on a running VM: exit $rc: $(cat "$TMP/out")"; fi
expect "restart announced" "runs as domain 3 and will be restarted" "$(cat "$TMP/out")"
expect "toolstack asked to reboot domain 3" "^reboot 3$" "$(cat "$TMP/xl.log" 2>/dev/null)"
expect "backend vm-id updated" "^42$" "$(xr $B/vm-id)"

# The watcher provisions a domain that appears (its first pass runs on the
# watches' initial events; @introduceDomain itself needs real Xen).
"$VGPUCTL" register-vm $U6 --name six >/dev/null 2>&1
domain 6 six $U6
"$VGPUCTL" provision --watch >"$TMP/watch.log" 2>&1 &
WPID=$!
i=0
until grep -q "domain 6 .*provisioned" "$TMP/watch.log"; do
    i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.05
done
kill $WPID; wait $WPID
wrc=$?
expect "watcher provisioned domain 6" "domain 6 .*provisioned" "$(cat "$TMP/watch.log")"
if [ $wrc = 0 ]; then ok "watcher exits 0 on SIGTERM"; else bad "watcher exit $wrc on SIGTERM"; fi

run "remove-vm drops its xenstore entries" 0 remove-vm web
expect "domain 3 backend gone" "^$" "$(xr $B/state)"
expect "domain 3 frontend gone" "^$" "$(xr $F/state)"
run "provision --remove" 0 provision 6 --remove
expect "domain 6 backend gone" "^$" "$(xr /local/domain/0/backend/vgpu/6/0/state)"
finish
