#!/bin/bash
# guest-reads-stub.sh: boots Debian's kernel under the vgpu QEMU (TCG) with a
# vgpu-stub device; the busybox initramfs loads vgpu.ko and prints what the
# PCI driver shows in sysfs. Checks those values against the device's
# properties, and that rmmod takes the attributes away. One boot per
# VM_ID:POOL:PRIORITY argument (default 321:B:0); 'none' boots without the
# device and expects vgpu.ko to load and bind to nothing.
# usage: guest-reads-stub.sh [VM_ID:POOL:PRIORITY | none]...
# Env: VGPU_SRCDIR VGPU_BUILDDIR (meson sets them); VGPU_XENLAB_CACHE (the
# Debian package cache of tests/xen/fetch.sh, shared with the xen suite).
# Exit: 0 pass, 1 fail, 77 skip (no QEMU, no vgpu.ko or no matching kernel).
set -euo pipefail
SRC=${VGPU_SRCDIR:?}
BUILD=${VGPU_BUILDDIR:?}
BOOT_TIMEOUT=${VGPU_GUEST_BOOT_TIMEOUT:-180}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

ko=$BUILD/guest-kmod/vgpu.ko
[ -s "$ko" ] || skip "$ko not built (no kernel headers?)"
kver=$(modinfo -F vermagic "$ko" | awk '{print $1}')
[ -n "$kver" ] || fail "modinfo cannot read the vermagic of $ko"

rc=0; qemu=$(VGPU_BUILDDIR=$BUILD "$SRC/qemu-vgpu/build.sh" | tail -1) || rc=$?
[ $rc = 77 ] && skip "QEMU with vgpu-stub cannot be built here (qemu-vgpu/build.sh exited 77)"
{ [ $rc = 0 ] && [ -x "$qemu" ]; } || fail "qemu-vgpu/build.sh exited $rc"

# The kernel and busybox: the same cache and fetch logic as the xen suite.
CACHE=${VGPU_XENLAB_CACHE:-/var/cache/vgpu-xenlab}
mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ] || CACHE=$BUILD/tests/xen/cache
export CACHE
mkdir -p "$CACHE"
rc=0; "$SRC/tests/xen/fetch.sh" || rc=$?
[ $rc = 77 ] && skip "Debian kernel packages cannot be fetched (tests/xen/fetch.sh exited 77)"
[ $rc = 0 ] || fail "tests/xen/fetch.sh exited $rc"
[ "$(cat "$CACHE/kver")" = "$kver" ] ||
    skip "vgpu.ko is built for $kver, the fetched kernel is $(cat "$CACHE/kver"); install linux-headers-$(cat "$CACHE/kver") or run apt-get update"
vmlinux=$CACHE/vmlinux
busybox=$CACHE/root/bin/busybox
[ -s "$vmlinux" ] || skip "no vmlinux in $CACHE"
[ -x "$busybox" ] || skip "no busybox in $CACHE/root/bin"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/root/bin" "$WORK/root/proc" "$WORK/root/sys" "$WORK/root/dev"
cp "$busybox" "$WORK/root/bin/busybox"
for a in sh mount insmod rmmod dmesg cat grep echo poweroff; do ln -s busybox "$WORK/root/bin/$a"; done
cp "$ko" "$WORK/root/vgpu.ko"
cat > "$WORK/root/init" <<'EOS'
#!/bin/sh
echo
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
if insmod /vgpu.ko; then echo "VGPU-STUB-GUEST-INSMOD ok"; else echo "VGPU-STUB-GUEST-INSMOD failed"; fi
dmesg | grep -i vgpu
n=0
for d in /sys/bus/pci/devices/*; do
    [ -e "$d/vgpu_vm_id" ] || continue
    n=$((n + 1))
    echo "VGPU-STUB-GUEST vm_id=$(cat "$d/vgpu_vm_id") pool=$(cat "$d/vgpu_pool") priority=$(cat "$d/vgpu_priority")"
done
echo "VGPU-STUB-GUEST-DEVICES $n"
rmmod vgpu && echo "VGPU-STUB-GUEST-RMMOD ok"
left=$(ls /sys/bus/pci/devices/*/vgpu_vm_id 2>/dev/null)
echo "VGPU-STUB-GUEST-LEFT ${left:-none}"
poweroff -f
EOS
chmod +x "$WORK/root/init"
(cd "$WORK/root" && find . | cpio -o -H newc --quiet > "$WORK/initramfs.cpio")

check() { # NAME EXPECTED ACTUAL
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '${3:-<nothing>}'"
    echo "ok: $1 = '$3'"
}
# marker NAME: the rest of the last serial line with 'NAME '
marker() { grep -o "$1 .*" "$WORK/serial.log.txt" | tail -1 | cut -d' ' -f2- || true; }

# boot VM_ID POOL PRIORITY: one guest boot with those device properties
# (VM_ID 'none': without the device).
boot() {
    local VM_ID=$1 POOL=$2 PRIORITY=$3 log=$WORK/serial.log rc secs start args dev=()
    [ "$VM_ID" = none ] || dev=(-device "vgpu-stub,vm-id=$VM_ID,pool=$POOL,priority=$PRIORITY")
    # panic=-1 with -no-reboot: a panic ends QEMU at once; timeout catches a hang.
    args=("$qemu" -machine q35 -accel tcg -m 256 -smp 1 -nographic -nodefaults -serial stdio
          -no-reboot -L /usr/share/seabios -L /usr/share/qemu
          -kernel "$vmlinux" -initrd "$WORK/initramfs.cpio"
          -append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 mitigations=off"
          "${dev[@]}")
    echo "$ ${args[*]}"
    start=$(date +%s)
    rc=0; timeout -k 5 "$BOOT_TIMEOUT" "${args[@]}" > "$log" 2>&1 < /dev/null || rc=$?
    secs=$(( $(date +%s) - start ))
    tr -d '\r' < "$log" > "$log.txt"
    cat "$log.txt"
    echo "== QEMU exited $rc after ${secs}s"
    { [ $rc != 124 ] && [ $rc != 137 ]; } || fail "the guest did not power off in ${BOOT_TIMEOUT}s (killed)"
    grep -q "Kernel panic" "$log.txt" && fail "the guest kernel panicked"
    [ $rc = 0 ] || fail "QEMU exited $rc"

    check "insmod vgpu.ko" "ok" "$(marker VGPU-STUB-GUEST-INSMOD)"
    if [ "$VM_ID" = none ]; then
        check "vgpu-stub devices bound" "0" "$(marker VGPU-STUB-GUEST-DEVICES)"
        check "rmmod vgpu" "ok" "$(marker VGPU-STUB-GUEST-RMMOD)"
        echo "ok: without the device vgpu.ko loads and binds to nothing (${secs}s boot)"
        return
    fi
    check "vgpu-stub devices bound" "1" "$(marker VGPU-STUB-GUEST-DEVICES)"
    check "sysfs values" "vm_id=$VM_ID pool=$POOL priority=$PRIORITY" "$(marker VGPU-STUB-GUEST)"
    grep -q "vgpu-stub: vm_id $VM_ID, pool '$POOL', priority $PRIORITY" "$log.txt" ||
        fail "no probe line 'vgpu-stub: vm_id $VM_ID, pool '$POOL', priority $PRIORITY' in dmesg"
    echo "ok: probe dev_info line"
    check "rmmod vgpu" "ok" "$(marker VGPU-STUB-GUEST-RMMOD)"
    check "attributes left after rmmod" "none" "$(marker VGPU-STUB-GUEST-LEFT)"
    echo "ok: guest read vm_id=$VM_ID pool=$POOL priority=$PRIORITY from vgpu-stub (${secs}s boot)"
}

[ $# -gt 0 ] || set -- 321:B:0
for cfg in "$@"; do
    IFS=: read -r vm_id pool prio <<< "$cfg"
    boot "$vm_id" "$pool" "$prio"
done
echo "PASS: $# guest boot(s) read their identity from vgpu-stub"
