#!/bin/sh
# test_worker.sh: one worker process per VM: the hard time limit, crashes (kill -9, seccomp)
# contained to their VM, 200 kill cycles without leaks, the loop never waits on a worker.
. "$(dirname "$0")/lib.sh"
LOST=$B/tests/local/lost_client
PROBE="python3 $VGPU_SRCDIR/tests/local/worker_probe.py"
vm "$(uuid 1)" --name a --pool A --priority medium
vm "$(uuid 2)" --name b --pool A --priority medium
vm "$(uuid 3)" --name c --pool B --priority medium
wfield() { status_json | jget "[v for v in d['vms'] if v['name']=='$1'][0]['worker']['$2']"; }
# Succeeds once VM $1's worker has run one job for over 100 ms; prints the worker's pid.
long_job_pid() {
    status_json | python3 -c "
import json, sys, time
d = json.load(sys.stdin)
v = [v for v in d['vms'] if v['name'] == '$1'][0]
r = [p['running'] for p in d['pools'] if p['name'] == v['pool']][0]
ok = r and r['vm_id'] == v['vm_id'] and time.monotonic_ns() - r['since_ns'] > 100000000
print(v['worker']['pid']) if ok else sys.exit(1)"
}
# wait_pid VM: wait (10 s) for VM's long job; its worker's pid on stdout.
wait_pid() {
    end=$(($(date +%s) + 10))
    while ! long_job_pid "$1"; do [ "$(date +%s)" -gt "$end" ] && return 1; sleep 0.02; done
}

"$VGPUCTL" set-pool-limit A 5 >"$T/o" 2>&1
check "a limit under 10 ms is a usage error" "[ $? -eq 2 ]"
"$VGPUCTL" set-pool-limit A 2000 >"$T/o" 2>&1
check "set-pool-limit stores the limit" "[ $? -eq 0 ] && $VGPUCTL list-pools | grep -q '^A .* 2000\$'"
VGPU_TEST_WORKER_SYSCALL=1 start_vgpud # test hooks: "hang" below
check "pool A runs with the stored limit" \
    "[ \"\$(status_json | jget \"[p for p in d['pools'] if p['name']=='A'][0]['job_limit_ns']\")\" = 2000000000 ]"
# B's dispatch after A's job that ended with STATUS, in ms, if B was queued while A ran.
gap() {
    python3 - "$T/exec.csv" "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
a = [r for r in rows if r["vm_name"] == "a" and r["status"] == sys.argv[2]][-1]
b = [r for r in rows if r["vm_name"] == "b" and int(r["dispatch_ns"]) > int(a["dispatch_ns"])][0]
# B was queued while A ran: else the gap says nothing
if int(b["submit_ns"]) < int(a["complete_ns"]):
    print((int(b["dispatch_ns"]) - int(a["dispatch_ns"])) // 1000000)
PY
}

# A's kernel never ends (8 s, the limit is 2 s); B waits behind it in the same pool. The
# interpreter stops the kernel at the limit: A's context lives on, nothing is killed.
"$LOST" a stopped 8000 >"$T/a.out" 2>&1 &
a=$!
apid=$(wait_pid a)
check "A's kernel runs in A's worker" "[ -n '$apid' ]"
"$LOADGEN" --instance b --kernel busy --busy-us 1000 --jobs 1 >"$T/b.out" 2>&1 &
b=$!
check "the worker is not vgpud and not root" \
    "[ \"\$(ps -o user= -p $apid)\" = nobody ] && [ $apid != $VGPUD_PID ]"
wait $b
check "B's job completes" "[ $? -eq 0 ]"
wait $a
check "A's long kernel was stopped at the limit (TIMEOUT), and its context still works" \
    "[ $? -eq 0 ] && grep -q 'same context works' '$T/a.out'"
ms=$(gap TIMEOUT)
echo "B dispatched $ms ms after A's stopped job"
check "B got the pool within the limit + 100 ms" "[ -n '$ms' ] && [ $ms -ge 1900 ] && [ $ms -le 2100 ]"
check "A's worker was not killed" "[ \"\$(wfield a kills)\" = 0 ] && [ \"\$(wfield a restarts)\" = 0 ]"
check "the stop is logged" "wait_for 5 grep -q 'kernel stopped by the CPU reference executor: time limit reached' '$T/vgpud.log'"

# A worker that does not stop its job (a test hook ignores the deadline) is killed at the limit.
"$LOST" a hang >"$T/a.out" 2>&1 &
a=$!
apid=$(wait_pid a)
check "A's endless job runs in A's worker" "[ -n '$apid' ]"
"$LOADGEN" --instance b --kernel busy --busy-us 1000 --jobs 1 >"$T/b.out" 2>&1 &
b=$!
wait $b
check "B's job completes" "[ $? -eq 0 ]"
wait $a
check "A's endless job answered CONTEXT_LOST, then a fresh context works" \
    "[ $? -eq 0 ] && grep -q 'fresh context works' '$T/a.out'"
ms=$(gap CONTEXT_LOST)
echo "B dispatched $ms ms after A's killed job"
check "B got the pool within the limit + 100 ms" "[ -n '$ms' ] && [ $ms -ge 1900 ] && [ $ms -le 2100 ]"
check "A's worker was killed by the limit once" "[ \"\$(wfield a kills)\" = 1 ]"
check "and restarted" "[ \"\$(wfield a restarts)\" = 1 ]"
check "vgpuctl status shows each VM's worker" "$VGPUCTL status | grep -q 'RESTART *KILLED *CRASHED' &&
    $VGPUCTL status | grep -E -q ' a +medium .* (-|[0-9]+) +(none|idle) +1 +1 +0\$'"
check "vgpuctl status --json too" "$VGPUCTL --json status | grep -q '\"kills\": 1'"
check "the kill is logged" "grep -q 'over its pool.s time limit' '$T/vgpud.log'"

# kill -9 of a worker mid-job: only its VM notices. (A longer limit, applied live, keeps
# the limit out of it.)
"$VGPUCTL" set-pool-limit A 30000 >"$T/o" 2>&1
check "vgpud applies a new limit live" "grep -q 'applied the change live' '$T/o' &&
    [ \"\$(status_json | jget \"[p for p in d['pools'] if p['name']=='A'][0]['job_limit_ns']\")\" = 30000000000 ]"
"$LOADGEN" --instance c --kernel mix --busy-us 2000 --jobs 300 >"$T/c.out" 2>&1 &
c=$!
"$LOST" a busy 8000 >"$T/a.out" 2>&1 &
a=$!
apid=$(wait_pid a)
check "A runs again" "[ -n '$apid' ]"
echo "killing A's worker $apid"
[ "$apid" -gt 1 ] && kill -9 "$apid"
wait $a
check "A's job answered CONTEXT_LOST after kill -9, then a fresh context works" "[ $? -eq 0 ]"
crashes=$(wfield a crashes)
check "one crash counted" "[ '$crashes' = 1 ]"
check "vgpud alive" vgpud_alive
wait $c
check "C (other pool, running throughout) finished correctly" "[ $? -eq 0 ]"

# A channel closes while another channel of the VM runs a long kernel.
$PROBE latency c "$LOST" c twochan 1500
check "the control socket answered within 100 ms throughout" "[ $? -eq 0 ]"

# 200 start/kill cycles: vgpud's resources back to their baseline.
$PROBE cycles "$VGPUD_PID" b 200 "$LOST" b loop
check "200 worker kills leave no fds, threads or memory behind" "[ $? -eq 0 ]"
kill "$VGPUD_PID"
wait "$VGPUD_PID"
VGPUD_PID=""

# A forbidden system call: the worker dies by seccomp, contained the same way.
VGPU_TEST_WORKER_SYSCALL=1 start_vgpud
"$LOST" a seccomp >"$T/a.out" 2>&1
check "the job during which the worker was killed by its filter: CONTEXT_LOST" "[ $? -eq 0 ]"
check "logged as the system-call filter" "grep -q 'system-call filter (SIGSYS)' '$T/vgpud.log'"
check "the worker's own output reached vgpud's log, prefixed with its VM" \
    "wait_for 5 grep -q 'VM 1 worker [0-9]*: test hook: making a forbidden system call' '$T/vgpud.log'"
check "vgpud alive" vgpud_alive

# A GPU fault poisons A's context: the job gets the driver's code, the worker is replaced.
"$LOST" a fault >"$T/a.out" 2>&1
check "the faulting job: CONTEXT_LOST with the driver's code, then a fresh context works" \
    "[ $? -eq 0 ] && grep -q 'with code 700' '$T/a.out'"
check "counted as a fault, not a crash" "[ \"\$(wfield a faults)\" = 1 ] && [ \"\$(wfield a crashes)\" = 1 ]"
check "logged with the executor's code" "grep -q 'GPU fault poisoned its context (executor code 700)' '$T/vgpud.log'"
"$LOADGEN" --instance b --kernel mix --jobs 20 >"$T/b.out" 2>&1
check "B, same pool, untouched" "[ $? -eq 0 ] && [ \"\$(wfield b faults)\" = 0 ]"
check "vgpud alive" vgpud_alive
finish
