#!/bin/sh
# test_vmid.sh: two VMs never share vgpud's record of a vm_id (issue 16). A vm_id changed in the
# store without vgpud being told, then given to another VM: that VM's channel is refused while
# the first still holds the id; once vgpud hears of the change, the first VM's channels close
# and each VM works under its own id.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name one --pool A --priority medium --vm-id 5
vm "$(uuid 2)" --name two --pool A --priority medium --vm-id 7
start_vgpud
"$LOADGEN" --instance one --kernel busy --busy-us 500000 --jobs 60 >"$T/one.out" 2>&1 &
one=$!
one_open() { [ "$(status_json | jget "[v['channels'] for v in d['vms'] if v['name']=='one'][0]")" -gt 0 ]; }
check "VM one has a channel open as vm_id 5" "wait_for 10 one_open"
# The store changes behind vgpud's back (no control socket): one becomes 6, two takes 5.
"$VGPUCTL" --ctl "$T/nowhere" --yes set-vm-id one 6 >"$T/set1.out" 2>&1
"$VGPUCTL" --ctl "$T/nowhere" --yes set-vm-id two 5 >"$T/set2.out" 2>&1
check "the store has one as 6, two as 5" \
    "[ \"\$(\"\$VGPUCTL\" --json show-vm two | jget \"d['vm_id']\")\" = 5 ]"
"$LOADGEN" --instance two --kernel vector_add --jobs 1 >"$T/two.out" 2>&1
rc=$?
check "VM two's channel as vm_id 5 is refused (DENIED, exit $rc) while one holds it" \
    "[ $rc -ne 0 ] && grep -q DENIED '$T/two.out'"
check "vgpud says why" "grep -q 'channels open as another VM' '$T/vgpud.log'"
check "VM one still runs" "kill -0 $one"
# vgpud hears of the change: one's channels close, its jobs end.
"$VGPUCTL" update-vm one --priority high >"$T/apply.out" 2>&1
gone() { ! kill -0 "$one" 2>/dev/null; }
check "VM one's client ends once vgpud applies its new vm_id" "wait_for 20 gone"
wait "$one"; rc=$?
check "VM one's client saw its channel closed (exit $rc)" "[ $rc -ne 0 ]"
check "vgpud logged the change" "grep -q 'vm_id now 6' '$T/vgpud.log'"
"$LOADGEN" --instance two --kernel vector_add --jobs 2 >"$T/two2.out" 2>&1
check "VM two now works as vm_id 5" "[ \$? -eq 0 ]"
"$LOADGEN" --instance one --kernel vector_add --jobs 2 >"$T/one2.out" 2>&1
check "VM one works as vm_id 6" "[ \$? -eq 0 ]"
ids=$(status_json | jget "sorted((v['name'], v['vm_id']) for v in d['vms'] if v['channels'] == 0 and v['name'] in ('one', 'two') and v['requests'])")
check "vgpud's records: one as 6 and two as 5, nothing merged (got $ids)" \
    "echo \"$ids\" | grep -q \"('one', 6), ('two', 5)\""
check "vgpud is alive" vgpud_alive
finish
