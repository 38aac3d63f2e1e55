#!/bin/sh
# test_quota.sh: an allocation beyond the VM's memory quota fails with NO_MEMORY.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name q --pool A --priority medium --mem-quota 1M
start_vgpud
"$B/tests/local/quota_client" q 1048576 >"$T/o" 2>&1
check "quota enforced with a clear status" "[ $? -eq 0 ]"
cat "$T/o"
finish
