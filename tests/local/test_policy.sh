#!/bin/sh
# test_policy.sh: --policy sets a pool's policy; a job over its budget is logged and counted.
. "$(dirname "$0")/lib.sh"
"$VGPUD" --policy A:nonsense=1 >"$T/o" 2>&1
check "a bad --policy is a usage error (exit 2)" "[ $? -eq 2 ] && grep -q 'unknown key' '$T/o'"
vm "$(uuid 1)" --name slow --pool A --priority medium
start_vgpud --policy A:budget-ms=5,aging-ms=500,fair=rr
pool_field() { status_json | jget "[p for p in d['pools'] if p['name']=='A'][0]['$1']"; }
check "pool A has the policy" "[ \"\$(pool_field fair)\" = rr ] && [ \"\$(pool_field budget_ns)\" = 5000000 ]"
"$LOADGEN" --instance slow --kernel busy --busy-us 40000 --jobs 3 >"$T/o" 2>&1
check "the jobs still complete" "[ $? -eq 0 ]"
over() { [ "$(status_json | jget "[v for v in d['vms'] if v['name']=='slow'][0]['overruns']")" -ge 3 ]; }
check "three overruns counted for the VM" "wait_for 5 over"
check "and logged" "grep -q 'over its budget of 5 ms' '$T/vgpud.log'"
finish
