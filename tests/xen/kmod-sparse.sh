#!/bin/sh
# kmod-sparse.sh: build vgpu.ko with sparse (C=1) and W=1 into a scratch dir;
# fail on any warning in our files. Exit 77 when sparse is not installed.
# usage: kmod-sparse.sh KDIR
set -eu
kdir=$1
src=${VGPU_SRCDIR:?}
command -v sparse >/dev/null || { echo "SKIP: sparse not installed (apt-get install sparse)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
"$src/scripts/kbuild.sh" "$src" "$out" "$kdir" C=1 W=1 > "$out/log" 2>&1 || rc=$?
cat "$out/log"
if [ $rc -ne 0 ]; then
    echo "FAIL: kbuild exited $rc"
    exit 1
fi
warnings=$(grep -E "^$out/src/.*(warning|error)" "$out/log" || true)
if [ -n "$warnings" ]; then
    echo "$warnings" | sed "s|$out/src/||"
    echo "FAIL: warnings in vgpu.ko sources"
    exit 1
fi
echo "PASS: vgpu.ko is clean with C=1 W=1"
