#!/bin/sh
# test_live.sh: vgpuctl set-priority reaches the running vgpud and reorders queued work.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name blocker --pool A --priority high
vm "$(uuid 2)" --name first --pool A --priority medium
vm "$(uuid 3)" --name second --pool A --priority low
start_vgpud
"$LOADGEN" --instance blocker --kernel busy --busy-us 3000000 --jobs 1 >"$T/b.out" 2>&1 &
b=$!
# The blocker's busy kernel, not one of its first short jobs (a VM's first job also starts its
# worker): running for over 200 ms.
running() { [ "$(status_json | jget "(lambda r: r is not None and __import__('time').monotonic_ns() - r['since_ns'] > 200000000)([p for p in d['pools'] if p['name']=='A'][0]['running'])")" = True ]; }
check "the blocker runs" "wait_for 10 running"
"$LOADGEN" --instance first --kernel busy --busy-us 1000 --jobs 1 >"$T/f.out" 2>&1 &
f=$!
"$LOADGEN" --instance second --kernel busy --busy-us 1000 --jobs 1 >"$T/s.out" 2>&1 &
s=$!
queued2() { [ "$(status_json | jget "[p for p in d['pools'] if p['name']=='A'][0]['queued']")" = 2 ]; }
check "two jobs queued behind the blocker" "wait_for 10 queued2"
"$VGPUCTL" set-priority second high >"$T/ctl.out" 2>&1
check "set-priority applied live" "grep -q 'applied the change live' '$T/ctl.out'"
wait $b; wait $f; wait $s
# The jobs queued when the priority changed are each client's first job.
order=$(python3 -c "
import csv; r=[x for x in csv.DictReader(open('$T/exec.csv')) if x['vm_name'] in ('first','second')]
first={}
for x in sorted(r, key=lambda x: int(x['dispatch_ns'])): first.setdefault(x['vm_name'], x)
print(' '.join(sorted(first, key=lambda n: int(first[n]['dispatch_ns']))))")
check "second (now high) ran before first (medium): got '$order'" "[ '$order' = 'second first' ]"
finish
