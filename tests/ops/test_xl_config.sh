#!/bin/sh
# test_xl_config.sh: vgpuctl xl-config prints a line xl's own parser (libxlutil) reads back as
# the stub device argument show-vm gives.
set -u
: "${VGPU_BUILDDIR:?}"
VGPUCTL=$VGPU_BUILDDIR/admin/vgpuctl
XLP=$VGPU_BUILDDIR/tests/ops/xl_parse
T=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-xl.XXXXXX")
trap 'rm -rf "$T"' EXIT
export VGPU_DB="$T/vgpu.db" VGPU_CTL="$T/ctl"
PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1 ($2)"; fi; }

"$VGPUCTL" init >/dev/null
"$VGPUCTL" register-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5f --name web --pool B --priority high --vm-id 7 >/dev/null
line=$("$VGPUCTL" xl-config web)
check "one line: $line" "[ \"\$(printf '%s\n' \"\$line\" | wc -l)\" = 1 ]"
check "exactly the documented form" "[ '$line' = 'device_model_args_hvm = [ \"-device\", \"vgpu-stub,vm-id=7,pool=B,priority=2\" ]' ]"

# Appended to a domain config, as docs/qemu-vgpu.md says; device_model_args (every guest
# type) is left alone, an older device_model_args_hvm is replaced (xl: the last one counts).
printf 'name = "web"\ntype = "hvm"\nmemory = 1024\ndevice_model_args = [ "-a" ]\ndevice_model_args_hvm = [ "-old" ]\n' >"$T/web.cfg"
"$VGPUCTL" xl-config 3F2A6C1E-9B7D-4E21-8C55-0A1B2C3D4E5F >>"$T/web.cfg"
"$XLP" "$T/web.cfg" device_model_args_hvm >"$T/args" 2>"$T/err"
check "libxlutil parses the config" "[ $? -eq 0 ] || { cat '$T/err'; false; }"
dev=$("$VGPUCTL" --json show-vm web | python3 -c 'import json,sys; print(json.load(sys.stdin)["qemu_device"])')
check "the list is -device and show-vm's qemu_device ($dev)" "[ \"\$(cat '$T/args')\" = \"\$(printf -- '-device\n%s' '$dev')\" ]"

json=$("$VGPUCTL" --json xl-config web | python3 -c 'import json,sys; print(json.load(sys.stdin)["device_model_args_hvm"])')
check "device_model_args is untouched" "[ \"\$('$XLP' '$T/web.cfg' device_model_args)\" = -a ]"
check "--json gives the list ($json)" "[ \"$json\" = \"['-device', '$dev']\" ]"

"$VGPUCTL" set-priority web low >/dev/null
check "follows the store (priority low)" "\"$VGPUCTL\" xl-config web | grep -q 'priority=0\"'"
"$VGPUCTL" xl-config nosuch >/dev/null 2>"$T/err"
rc=$?
check "an unknown VM is bad usage (exit 2): rc=$rc" "[ $rc -eq 2 ] && grep -q \"unknown VM 'nosuch'\" '$T/err'"
"$VGPUCTL" xl-config >/dev/null 2>&1
check "the VM argument is required" "[ $? -eq 2 ]"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
