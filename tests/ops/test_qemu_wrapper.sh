#!/bin/sh
# test_qemu_wrapper.sh: admin/hooks/vgpu-qemu-wrapper adds the stub device from the domain's
# platform keys, with a fake xenstore-read and a fake xenopsd wrapper that prints its arguments.
set -u
: "${VGPU_SRCDIR:?}"
W=$VGPU_SRCDIR/admin/hooks/vgpu-qemu-wrapper
T=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-qw.XXXXXX")
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1 ($2)"; fi; }

# xenstore: one file per key under $T/xs (path with / as _).
cat >"$T/xenstore-read" <<EOF2
#!/bin/sh
f="$T/xs/\$(echo "\$1" | tr / _)"
[ -f "\$f" ] && cat "\$f"
EOF2
# shellcheck disable=SC2016 # the stand-in's own "$@" and $a: expanded when it runs
printf '#!/bin/sh\nfor a in "$@"; do printf "[%%s]" "$a"; done; echo\n' >"$T/real"
chmod +x "$T/xenstore-read" "$T/real"
mkdir "$T/xs"
export XENSTORE_READ="$T/xenstore-read" VGPU_QEMU_WRAPPER_REAL="$T/real" VGPU_SYSLOG=0
# keys DOMID VMID POOL PRIO: set the platform keys ('-' leaves one out).
keys() {
    rm -f "$T/xs/"*
    [ "$2" = - ] || printf '%s' "$2" >"$T/xs/_local_domain_$1_platform_vgpu-vm-id"
    [ "$3" = - ] || printf '%s' "$3" >"$T/xs/_local_domain_$1_platform_vgpu-pool"
    [ "$4" = - ] || printf '%s' "$4" >"$T/xs/_local_domain_$1_platform_vgpu-priority"
}
run() { sh "$W" "$@" 2>"$T/err"; }

keys 5 7 B 2
got=$(run 5 -xen-domid 5 -m 1024)
check "device appended from the keys: $got" \
    "[ '$got' = '[5][-xen-domid][5][-m][1024][-device][vgpu-stub,vm-id=7,pool=B,priority=2]' ]"
keys 5 7 B high
got=$(run -xen-domid 5)
check "priority by name: $got" "[ '$got' = '[-xen-domid][5][-device][vgpu-stub,vm-id=7,pool=B,priority=2]' ]"
keys 5 - - -
got=$(run -xen-domid 5 -m 1)
check "a VM without vgpu keys runs unchanged: $got" "[ '$got' = '[-xen-domid][5][-m][1]' ]"
for bad in "70000 B 1" "0 B 1" "07 B 1" "x B 1" "7 bad.name 1" "7 B 3" "7 - 1" "7 B -" \
    "7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 1"; do
    # shellcheck disable=SC2086
    keys 5 $bad
    got=$(run -xen-domid 5 -m 1)
    check "invalid keys ($bad): started without the device, reason logged" \
        "[ '$got' = '[-xen-domid][5][-m][1]' ] && grep -q 'domain 5 starts without the vgpu-stub device: vgpu-' '$T/err'"
done
keys 5 7 B 2
got=$(run 5 -m 1)
check "without -xen-domid the arguments pass through: $got" "[ '$got' = '[5][-m][1]' ] &&
    grep -q 'no numeric -xen-domid' '$T/err'"
keys 9 12 A 0
got=$(run -xen-domid 9 "arg with space")
check "arguments keep their spaces: $got" \
    "[ \"\$got\" = '[-xen-domid][9][arg with space][-device][vgpu-stub,vm-id=12,pool=A,priority=0]' ]"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
