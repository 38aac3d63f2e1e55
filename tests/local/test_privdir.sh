#!/bin/sh
# test_privdir.sh: vgpud run by root from a directory only root can enter (a
# build tree under /root) still starts its workers, which drop to their own
# unprivileged uid before they exec.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
    echo "not root: the workers keep vgpud's uid, nothing to check here"
    ok "skipped part: needs root"
    finish
    exit $?
fi
vm "$(uuid 1)" --name one --pool A --priority medium
mkdir -m 0700 "$T/private"
cp "$VGPUD" "$B/dom0/vgpud-worker" "$T/private/"
VGPUD=$T/private/vgpud
start_vgpud
check "the worker probe ran from a directory its uid cannot enter" \
    "grep -q 'executor: CPU reference executor' '$T/vgpud.log'"
VGPU_INSTANCE=one "$B/examples/vector_add" >"$T/o" 2>&1
check "a job runs in a worker started from there: $(tail -1 "$T/o")" "[ $? -eq 0 ]"
finish
