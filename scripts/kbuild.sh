#!/bin/sh
# kbuild.sh: build guest-kmod/ out of tree with kbuild, in a copy under the build dir.
# usage: kbuild.sh SRCROOT OUTDIR KDIR [extra make args...]
set -eu
src=$1; out=$2; kdir=$3; shift 3
mkdir -p "$out/src/proto"
cp "$src"/guest-kmod/*.c "$src"/guest-kmod/*.h "$src"/guest-kmod/Kbuild "$out/src/" 2>/dev/null || true
cp "$src"/proto/*.c "$src"/proto/*.h "$out/src/proto/"
rm -f "$out/src/proto/selfcheck.c"
make -s -C "$kdir" M="$out/src" "$@" modules
cp "$out/src/vgpu.ko" "$out/vgpu.ko"
