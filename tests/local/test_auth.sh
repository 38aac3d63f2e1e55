#!/bin/sh
# test_auth.sh: an unregistered instance and a uid not allowed for an instance are refused clearly.
. "$(dirname "$0")/lib.sh"
vm "$(uuid 1)" --name rootonly --pool A --priority medium
vm "$(uuid 2)" --name nobodys --pool B --priority low --uid 65534
start_vgpud
"$LOADGEN" --instance ghost --kernel vector_add --jobs 1 >"$T/o" 2>&1
rc=$?
check "unregistered instance refused" "[ $rc -ne 0 ]"
check "message says not registered" "grep -qi 'not registered' '$T/o'"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    # uid 65534 may not be able to reach the build tree (a clone under /root):
    # it runs copies of the client and libvgpu from the test's own folder.
    mkdir -p "$T/nobody"
    cp "$LOADGEN" "$T/nobody/"
    find "$B/guest-lib" -maxdepth 1 -name 'libvgpu.so*' ! -type d -exec cp -P {} "$T/nobody/" \;
    # So does a sanitizer file the options name (the ThreadSanitizer pass's suppressions).
    case "${TSAN_OPTIONS:-}" in *suppressions=*)
        supp=${TSAN_OPTIONS#*suppressions=}
        cp "${supp%%:*}" "$T/nobody/tsan.supp"
        TSAN_OPTIONS=$(printf '%s' "$TSAN_OPTIONS" | sed "s|suppressions=[^:]*|suppressions=$T/nobody/tsan.supp|")
        export TSAN_OPTIONS ;;
    esac
    chmod -R a+rX "$T/nobody"
    LOADGEN=$T/nobody/vgpu-loadgen
    export LD_LIBRARY_PATH="$T/nobody${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$LOADGEN" --instance rootonly \
        --kernel vector_add --jobs 1 >"$T/o" 2>&1
    rc=$?
    check "uid 65534 refused for rootonly" "[ $rc -ne 0 ] && grep -qi 'may not act' '$T/o'"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$LOADGEN" --instance nobodys \
        --kernel vector_add --jobs 2 >"$T/o" 2>&1
    rc=$?
    check "uid 65534 accepted for its own instance" "[ $rc -eq 0 ]"
    [ $rc -eq 0 ] || cat "$T/o"
else
    echo "SKIP (part): not root or no setpriv: uid checks not exercised"
fi
"$LOADGEN" --instance rootonly --kernel vector_add --jobs 2 >"$T/o" 2>&1
check "registered instance accepted" "[ $? -eq 0 ]"
finish
