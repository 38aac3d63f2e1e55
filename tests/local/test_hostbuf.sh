#!/bin/sh
# test_hostbuf.sh: host buffers of their own (issue 19): copies at several sizes and offsets, the
# per-VM pinned limit (set live), clients killed holding buffers, hostile buffers refused.
. "$(dirname "$0")/lib.sh"
HB=$B/tests/local/hostbuf_client
HOSTILE=$B/tests/local/hostbuf_hostile
vm "$(uuid 1)" --name hb --pool A
vm "$(uuid 2)" --name lim --pool A
vm "$(uuid 3)" --name holder --pool B
vm "$(uuid 4)" --name bad --pool B
vm "$(uuid 5)" --name stg --pool A
vm "$(uuid 6)" --name stglim --pool B
"$VGPUCTL" set-pinned-limit lim 8M >/dev/null
"$VGPUCTL" set-pinned-limit stglim 12M >/dev/null
check "set-pinned-limit is stored and shown" "$VGPUCTL show-vm lim | grep -q 'pinned: *8M'"
start_vgpud

vm_field() { status_json | jget "[v for v in d['vms'] if v['name']=='$1'][0]$2"; }
wpid() { vm_field "$1" "['worker']['pid']"; }
# count PATTERN FILE...: lines matching (0 when the file is gone)
count() { p=$1; shift; cat "$@" 2>/dev/null | grep -c "$p"; }
vgpud_fds() { find "/proc/$VGPUD_PID/fd" -mindepth 1 -lname "*$1*" 2>/dev/null | wc -l; }
fds_total() { find "/proc/$VGPUD_PID/fd" -mindepth 1 | wc -l; }
base_fds=$(fds_total)

"$HB" copies hb >"$T/copies" 2>&1
check "copies correct at 4 KiB, 2, 9 and 40 MiB, several offsets" "[ $? -eq 0 ]"
cat "$T/copies"

"$HB" limit lim 8388608 2097152 >"$T/limit" 2>&1
check "the 8M limit: four 2M buffers, then PINNED_LIMIT, one fits after a free" "[ $? -eq 0 ]"
cat "$T/limit"
check "status shows the VM's pinned memory and limit" \
    "$VGPUCTL status | grep -E -q ' lim .* 0/8M '"
"$VGPUCTL" set-pinned-limit lim 4M >/dev/null
"$HB" limit lim 4194304 2097152 >"$T/limit2" 2>&1
check "a limit set live applies to the next buffers" "[ $? -eq 0 ]"
cat "$T/limit2"

# Large copies from and into ordinary memory: through libvgpu's staging buffer (8 MiB of the VM's
# pinned memory while the channel lives), or through the data area only.
"$HB" staged-hold stg >"$T/stg" 2>&1 &
stg_pid=$!
check "large staged copies correct through the staging buffer" \
    "wait_for 60 grep -q holding '$T/stg'"
cat "$T/stg"
check "the staging buffer is the VM's pinned memory (8M)" \
    "[ \"\$(vm_field stg \"['pinned_used']\")\" = 8388608 ]"
kill -9 $stg_pid
wait $stg_pid 2>/dev/null
stg_gone() { [ "$(vm_field stg "['pinned_used']")" = 0 ]; }
check "and is let go with the client" "wait_for 10 stg_gone"
VGPU_STAGING_BUFFER=0 "$HB" staged-hold stg >"$T/stg0" 2>&1 &
stg_pid=$!
check "and through the data area only (VGPU_STAGING_BUFFER=0)" \
    "wait_for 60 grep -q holding '$T/stg0'"
check "which pins nothing" "[ \"\$(vm_field stg \"['pinned_used']\")\" = 0 ]"
kill -9 $stg_pid
wait $stg_pid 2>/dev/null
# The VM's worker killed between large copies: the context is lost, the staging buffer is not.
mkfifo "$T/stg.in"
"$HB" staged-again stg <"$T/stg.in" >"$T/stg2" 2>&1 &
stg_pid=$!
exec 7>"$T/stg.in"
check "large copies before the worker's loss" "wait_for 60 grep -q ready '$T/stg2'"
w=$(wpid stg)
check "the worker maps the staging buffer" "[ \$(count memfd:vgpu-hostbuf /proc/$w/maps) -eq 1 ]"
kill -9 "$w"
echo go >&7
check "a fresh context, then large copies through the same buffer" \
    "wait_for 60 grep -q 'large copies after' '$T/stg2'"
cat "$T/stg2"
check "the loss was the kill's" "grep -q 'worker $w died of signal 9' '$T/vgpud.log'"
w2=$(wpid stg)
check "the new worker maps the one staging buffer; 8M pinned still" \
    "[ \$(count memfd:vgpu-hostbuf /proc/$w2/maps) -eq 1 ] &&
     [ \"\$(vm_field stg \"['pinned_used']\")\" = 8388608 ]"
echo end >&7
exec 7>&-
wait $stg_pid
check "the client ends well" "[ $? -eq 0 ]"

mkfifo "$T/stglim.in"
"$HB" staged-limit stglim 12582912 <"$T/stglim.in" >"$T/stglim" 2>&1 &
lim_pid=$!
exec 7>"$T/stglim.in"
check "a host buffer past the limit anyway is refused" "wait_for 60 grep -q probe '$T/stglim'"
check "and the staging buffer it freed for nothing is back (8M pinned)" \
    "[ \"\$(vm_field stglim \"['pinned_used']\")\" = 8388608 ]"
echo go >&7
exec 7>&-
wait $lim_pid
check "under a 12M limit the staging buffer gives way to a host buffer" "[ $? -eq 0 ]"
cat "$T/stglim"

# Two clients of one VM hold buffers; one is killed: its buffers go, the other's stay.
"$HB" hold holder 3 4194304 >"$T/h1" 2>&1 &
h1=$!
"$HB" hold holder 1 4194304 >"$T/h2" 2>&1 &
h2=$!
holding() { grep -q holding "$T/h1" && grep -q holding "$T/h2"; }
check "two clients hold 4 buffers of 4M" "wait_for 20 holding"
w=$(wpid holder)
check "the worker maps them" "[ \$(count memfd:vgpu-hostbuf /proc/$w/maps) -eq 4 ]"
check "vgpud holds their memfds" "[ \$(vgpud_fds memfd:vgpu-hostbuf) -eq 4 ]"
check "status counts 16M" "[ \"\$(vm_field holder \"['pinned_used']\")\" = 16777216 ]"
kill -9 $h1
wait $h1 2>/dev/null
one_left() { [ "$(count memfd:vgpu-hostbuf "/proc/$w/maps")" -eq 1 ] &&
             [ "$(vgpud_fds memfd:vgpu-hostbuf)" -eq 1 ] &&
             [ "$(vm_field holder "['pinned_used']")" = 4194304 ]; }
check "the killed client's buffers are unmapped in the worker and closed in vgpud" \
    "wait_for 10 one_left"
kill -9 $h2
wait $h2 2>/dev/null
none_left() { [ "$(vgpud_fds memfd:vgpu-hostbuf)" -eq 0 ] &&
              [ "$(count memfd:vgpu-hostbuf "/proc/$w/maps")" -eq 0 ] &&
              [ "$(vm_field holder "['pinned_used']")" = 0 ]; }
check "and the last one's too" "wait_for 10 none_left"

# Hostile buffers: each refused with its status, nothing of them mapped anywhere.
"$HOSTILE" "$VGPU_SOCKET" bad refusals-hold >"$T/bad" 2>&1 &
bad_pid=$!
check "bad buffers refused, 64 good ones mapped" "wait_for 20 grep -q holding '$T/bad'"
cat "$T/bad"
w=$(wpid bad)
refused='memfd:hb-\(unsealed\|growable\|wrongsize\|extra\|dup\)'
check "the worker maps the 64 good ones only" \
    "[ \$(count memfd:hb-good /proc/$w/maps) -eq 64 ] && [ \$(count '$refused' /proc/$w/maps) -eq 0 ]"
check "vgpud keeps no refused descriptor" \
    "[ \$(vgpud_fds memfd:hb-good) -eq 64 ] && [ \$(vgpud_fds '$refused') -eq 0 ]"
check "status counts the good ones" "[ \"\$(vm_field bad \"['pinned_used']\")\" = 262144 ]"
kill -9 $bad_pid
wait $bad_pid 2>/dev/null
"$HOSTILE" "$VGPU_SOCKET" bad pending-flood >"$T/flood" 2>&1
check "descriptors nobody claims close the channel" "[ $? -eq 0 ]"
cat "$T/flood"
back() { [ "$(vgpud_fds memfd:)" -eq 0 ] && [ "$(fds_total)" -eq "$base_fds" ]; }
check "vgpud's descriptors back to their baseline ($base_fds)" "wait_for 10 back"
check "vgpud alive" vgpud_alive
finish
