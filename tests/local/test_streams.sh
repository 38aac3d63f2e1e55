#!/bin/sh
# test_streams.sh: stream ids and event marks (VGPU_FEAT_STREAMS) end to end on the CPU executor.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name streams --pool A --priority high
start_vgpud
"$B/tests/local/stream_client" streams >"$T/o" 2>&1
check "stream_client: $(cat "$T/o")" "[ $? -eq 0 ]"
finish
