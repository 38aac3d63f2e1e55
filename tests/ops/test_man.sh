#!/bin/sh
# test_man.sh: the man pages render without warnings and cover what the programs and header offer.
set -u
: "${VGPU_BUILDDIR:?}" "${VGPU_SRCDIR:?}"
B=$VGPU_BUILDDIR
M=$B/docs/man
PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1 ($2)"; fi; }
command -v man >/dev/null || { echo "SKIP: man (man-db) not installed"; exit 77; }

for p in vgpud.8 vgpuctl.8 libvgpu.3; do
    check "$p built" "[ -s '$M/$p' ]"
    w=$(MANWIDTH=80 man --warnings -l "$M/$p" 2>&1 >/dev/null)
    check "$p renders without warnings${w:+: $w}" "[ -z \"\$w\" ]"
done
text() { MANWIDTH=200 man -l "$M/$1" 2>/dev/null | sed 's/‐/-/g'; }

# Every long option of vgpud --help is documented.
opts=$("$B/dom0/vgpud" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
check "vgpud --help lists options" "[ $(echo "$opts" | wc -l) -gt 10 ]"
missing=""
for o in $opts; do
    text vgpud.8 | grep -q -- "$o" || missing="$missing $o"
done
check "vgpud(8) documents every option of --help${missing:+ (missing:$missing)}" "[ -z '$missing' ]"

# Every vgpuctl command is documented.
cmds=$("$B/admin/vgpuctl" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
check "vgpuctl --help lists commands" "[ $(echo "$cmds" | wc -l) -gt 10 ]"
missing=""
for c in $cmds; do
    text vgpuctl.8 | grep -q -- "$c" || missing="$missing $c"
done
check "vgpuctl(8) documents every command${missing:+ (missing:$missing)}" "[ -z '$missing' ]"

# Every function of vgpu.h (and the status helpers) is in libvgpu(3).
funcs=$(sed -n 's/^[a-z].*[ *]\(vgpu_[a-z_]*\)(.*/\1/p' "$VGPU_SRCDIR/guest-lib/vgpu.h")
check "vgpu.h declares functions" "[ $(echo "$funcs" | wc -l) -gt 10 ]"
missing=""
for f in $funcs vgpu_strerror vgpu_status_name; do
    text libvgpu.3 | grep -q -- "$f" || missing="$missing $f"
done
check "libvgpu(3) names every function of vgpu.h${missing:+ (missing:$missing)}" "[ -z '$missing' ]"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
