#!/bin/sh
# test_kill.sh: a client killed with SIGKILL mid-batch has its memory and queued jobs released;
# the others finish correctly.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name victim --pool A --priority low
vm "$(uuid 2)" --name other --pool A --priority medium
start_vgpud
"$LOADGEN" --instance victim --kernel mix --size 65536 --busy-us 20000 --jobs 1000 --channels 2 \
    >"$T/victim.out" 2>&1 &
victim=$!
"$LOADGEN" --instance other --kernel mix --busy-us 3000 --jobs 30 >"$T/other.out" 2>&1 &
other=$!
vm_field() { status_json | jget "[v for v in d['vms'] if v['name']=='victim'][0]['$1']"; }
busy() { [ "$(vm_field completed)" -ge 3 ] && [ "$(vm_field mem_used)" -gt 0 ]; }
check "victim has memory and finished jobs" "wait_for 20 busy"
kill -9 $victim
wait $victim 2>/dev/null
gone() { [ "$(vm_field channels)" = 0 ]; }
check "victim's channels released" "wait_for 10 gone"
check "victim's memory freed" "[ \"\$(vm_field mem_used)\" = 0 ]"
check "victim has nothing queued" "[ \"\$(vm_field queued)\" = 0 ]"
wait $other
check "the other client finished with correct results" "[ $? -eq 0 ]"
check "vgpud alive" vgpud_alive
finish
