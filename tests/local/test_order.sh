#!/bin/sh
# test_order.sh: six client processes in two pools and three priorities; the execution log
# must show priority order and FIFO within each pool, and both pools working at once.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name a-low --pool A --priority low
vm "$(uuid 2)" --name a-med --pool A --priority medium
vm "$(uuid 3)" --name a-high --pool A --priority high
vm "$(uuid 4)" --name b-low --pool B --priority low
vm "$(uuid 5)" --name b-med --pool B --priority medium
vm "$(uuid 6)" --name b-high --pool B --priority high
start_vgpud

now=$(python3 -c 'import time; print(time.monotonic_ns())')
later=$((now + 300000000))
pids=""
for i in 1 4; do   # low priority first: builds the queues
    "$LOADGEN" --instance "$(uuid $i)" --kernel busy --busy-us 20000 --jobs 6 --channels 3 \
        >"$T/c$i.out" 2>&1 &
    pids="$pids $!"
done
for i in 2 3 5 6; do
    "$LOADGEN" --instance "$(uuid $i)" --kernel mix --busy-us 5000 --jobs 6 --channels 2 \
        --start-at-ns "$later" >"$T/c$i.out" 2>&1 &
    pids="$pids $!"
done
rc=0
for p in $pids; do wait "$p" || rc=1; done
check "every client computed correct results" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || cat "$T"/c*.out
check "vgpud still running" vgpud_alive
if python3 "$(dirname "$0")/check_order.py" "$T/exec.csv"; then ok "execution log: priority, FIFO, pools"
else bad "execution log breaks a rule"; fi
finish
