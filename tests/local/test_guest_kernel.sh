#!/bin/sh
# test_guest_kernel.sh: the CPU reference executor runs a kernel the guest brought (tests/ptx's
# suite, not the examples): shuffles and atomics give the right sum; a stray store fails cleanly.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name guest --pool A --priority medium
start_vgpud
"$B/tests/local/guest_kernel" guest "$VGPU_SRCDIR/tests/ptx/kernels_sm75.ptx" >"$T/o" 2>&1
check "guest_kernel: $(cat "$T/o")" "[ $? -eq 0 ]"
check "the fault is logged with its PTX line" "grep -q 'illegal address at 0x.*PTX line' '$T/vgpud.log'"
finish
