#!/bin/sh
# test_limits.sh: a VM cannot open more channels than vgpud allows; it is told why.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name many --pool A --priority medium
start_vgpud --max-channels 2
"$LOADGEN" --instance many --kernel vector_add --jobs 2 --channels 2 >"$T/o" 2>&1
check "two channels allowed" "[ $? -eq 0 ]"
"$LOADGEN" --instance many --kernel busy --busy-us 20000 --jobs 20 --channels 3 >"$T/o" 2>&1
rc=$?
check "a third channel refused" "[ $rc -ne 0 ]"
check "with the reason" "grep -q 'maximum of 2 channels' '$T/vgpud.log' && grep -qi 'busy\|limit' '$T/o'"
tail -3 "$T/o"
check "vgpud alive" vgpud_alive
finish
