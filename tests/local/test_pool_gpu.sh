#!/bin/sh
# test_pool_gpu.sh: pools on GPUs: map-pool's GPU or MIG instance reaches each VM's worker, at
# start and live; unmapped pools use --device. Runs on the CPU executor (it ignores the device).
. "$(dirname "$0")/lib.sh"
G=GPU-3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e51
M=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52
"$VGPUCTL" add-pool A >/dev/null
"$VGPUCTL" add-pool B >/dev/null
"$VGPUCTL" add-pool C >/dev/null
vm "$(uuid 1)" --name a --pool A --priority medium
vm "$(uuid 2)" --name b --pool B --priority medium
vm "$(uuid 3)" --name c --pool C --priority medium
"$VGPUCTL" map-pool A 1 >"$T/o" 2>&1
check "map-pool with vgpud stopped: stored for its start" "[ $? -eq 0 ] && grep -q 'applies when vgpud starts' '$T/o'"
"$VGPUCTL" map-pool B "$G" --mig "MIG-$M" >/dev/null 2>&1
check "map-pool with a MIG instance" "[ $? -eq 0 ]"
wdev() { status_json | jget "[v for v in d['vms'] if v['name']=='$1'][0]['worker']['device']"; }
# job VM: one small job on VM's worker (it starts one if there is none).
job() { "$LOADGEN" --instance "$1" --kernel mix --jobs 2 >"$T/$1.out" 2>&1; }

start_vgpud --device 0
job a; check "a job on pool A's VM" "[ $? -eq 0 ]"
job b; check "a job on pool B's VM" "[ $? -eq 0 ]"
job c; check "a job on unmapped pool C's VM" "[ $? -eq 0 ]"
check "pool A's VM got its worker on GPU 1" "[ \"\$(wdev a)\" = 1 ]"
check "pool B's VM got its worker on the MIG instance" "[ \"\$(wdev b)\" = MIG-$M ]"
check "unmapped pool C's VM got --device" "[ \"\$(wdev c)\" = 0 ]"

# Live: vgpud takes the new mapping; VMs move at their worker's next start.
"$VGPUCTL" map-pool C "$G" >"$T/o" 2>&1
check "map-pool is applied live" "[ $? -eq 0 ] && grep -q 'applied the change live' '$T/o'"
check "vgpud logs the pool's new device" "grep -q 'pool C: now runs on $G' '$T/vgpud.log'"
# Each loadgen run opens and closes its channels: the VM's worker retires, the next is new.
end=$(($(date +%s) + 10))
while [ "$(wdev c)" != "$G" ] && [ "$(date +%s)" -le "$end" ]; do job c; done
check "C's VM moved to the new GPU at its worker's next start" "[ \"\$(wdev c)\" = $G ]"
"$VGPUCTL" map-pool A none >/dev/null 2>&1
end=$(($(date +%s) + 10))
while [ "$(wdev a)" != 0 ] && [ "$(date +%s)" -le "$end" ]; do job a; done
check "unmapping A takes its VM back to --device" "[ \"\$(wdev a)\" = 0 ]"
check "vgpud alive" vgpud_alive
finish
