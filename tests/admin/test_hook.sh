#!/bin/sh
# The XCP-ng vm-pre-start hook (admin/hooks/xapi-vm-pre-start) against a fake xe.
. "$(dirname "$0")/lib.sh"
HOOK="$VGPU_SRCDIR/admin/hooks/xapi-vm-pre-start"
U1=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e51
U2=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52
cat >"$TMP/xe" <<XE
#!/bin/sh
case "\$1" in
vm-param-get)
    case "\$*" in
    *$U1*vgpu-pool*) echo B ;; *$U1*vgpu-priority*) echo high ;;
    *$U2*vgpu-pool*) echo Z ;; *) exit 1 ;;
    esac ;;
vm-param-set) echo "\$@" >>"$TMP/set.log" ;;
esac
XE
chmod +x "$TMP/xe"
"$VGPUCTL" init >/dev/null
hook() { XE="$TMP/xe" VGPUCTL="$VGPUCTL" sh "$HOOK" -vmuuid "$1" -reason start >/dev/null 2>&1; }

if hook $U1; then ok "hook exits 0"; else bad "hook failed"; fi
expect "registered from platform keys" "^B\|2$" "$(sql "SELECT p.name, priority FROM vms JOIN pools p USING(pool_id) WHERE vm_uuid='$U1'")"
expect "vm-id published as a platform key" "platform:vgpu-vm-id=1" "$(cat "$TMP/set.log")"
if hook $U2; then ok "bad platform pool does not stop the VM"; else bad "hook failed on bad pool"; fi
expect "bad platform pool not registered" "^0$" "$(sql "SELECT count(*) FROM vms WHERE vm_uuid='$U2'")"
if hook 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e53; then ok "VM without vGPU keys is left alone"; else bad "hook failed"; fi
expect "nothing registered for it" "^1$" "$(sql "SELECT count(*) FROM vms")"
finish
