#!/bin/sh
# test_owner.sh: quotas and ownership. A VM without a quota of its own gets
# the daemon's default; tiny allocations are charged their real cost; what
# one channel made (memory, function handles) another channel of the same VM
# cannot use; a function handle dies with its module.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name free --pool A --priority medium
vm "$(uuid 2)" --name small --pool A --priority medium --mem-quota 1M
start_vgpud --cpu-mem 64
"$B/tests/local/quota_client" free 16777216 >"$T/o" 2>&1
check "default quota: a quarter of the executor's 64 MiB ($(tail -2 "$T/o" | head -1))" "[ $? -eq 0 ]"
check "status shows the default quota" \
    "[ \"\$(status_json | jget \"[v for v in d['vms'] if v['name']=='free'][0]['mem_quota']\")\" = 16777216 ]"
"$B/tests/local/owner_client" small tiny 1048576 >"$T/o" 2>&1
check "tiny allocations charged their real cost: $(cat "$T/o")" "[ $? -eq 0 ]"
"$B/tests/local/owner_client" free channels "$VGPU_SRCDIR/examples/kernels.ptx" >"$T/o" 2>&1
rc=$?
check "another channel's memory and functions, and a stale function, are refused" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || cat "$T/o"
check "vgpud alive" vgpud_alive
kill "$VGPUD_PID"; wait "$VGPUD_PID" 2>/dev/null; VGPUD_PID=""
start_vgpud --cpu-mem 64 --default-mem-quota 0
"$B/tests/local/quota_client" free 16777216 >"$T/o" 2>&1
check "--default-mem-quota 0: no default quota" "[ $? -ne 0 ] && grep -q 'over the quota): OK' '$T/o'"
finish
