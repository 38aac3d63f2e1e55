#!/bin/sh
# layout32.sh: check the wire layout on 32-bit targets (i386, arm) with clang, freestanding.
src=${VGPU_SRCDIR:?}
if ! command -v clang >/dev/null 2>&1; then
    echo "SKIP: clang not installed; cannot cross-check 32-bit layouts"
    exit 77
fi
rc=0
for target in i386-linux-gnu armv7-linux-gnueabihf x86_64-linux-gnu aarch64-linux-gnu; do
    if clang --target=$target -ffreestanding -fsyntax-only -Wall -Werror \
        -I "$src/proto" "$src/tests/proto/layout32.c"; then
        echo "layout ok on $target"
    else
        echo "layout FAILED on $target"
        rc=1
    fi
done
exit $rc
