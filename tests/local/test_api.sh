#!/bin/sh
# test_api.sh: libvgpu calls beyond the examples (memset, dtod, flush, module unload) end to end.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name api --pool B --priority low
start_vgpud
"$B/tests/local/api_client" api >"$T/o" 2>&1
check "api_client: $(cat "$T/o")" "[ $? -eq 0 ]"
finish
