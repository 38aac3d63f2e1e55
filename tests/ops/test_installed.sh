#!/bin/sh
# test_installed.sh: libvgpu as a distribution ships it: installed to a DESTDIR, a program built
# with only the installed headers and `pkg-config vgpu`, and only the public API exported.
set -u
: "${VGPU_BUILDDIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-installed.XXXXXX")
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }

D=$T/root
if ! meson install -C "$VGPU_BUILDDIR" --no-rebuild --destdir "$D" --tags devel,runtime \
    >"$T/install.log" 2>&1; then
    bad "meson install --destdir: $(tail -5 "$T/install.log")"
    echo "$PASS passed, $FAIL failed"; exit 1
fi
pc=$(find "$D" -name vgpu.pc | head -1)
lib=$(find "$D" -name 'libvgpu.so.0' | head -1)
{ [ -n "$pc" ] && [ -n "$lib" ]; } || { bad "installed: vgpu.pc '$pc', libvgpu.so.0 '$lib'"; exit 1; }
# pkg-config sees only the DESTDIR tree: its paths get the DESTDIR in front.
export PKG_CONFIG_LIBDIR="${pc%/*}" PKG_CONFIG_SYSROOT_DIR="$D"
cflags=$(pkg-config --cflags vgpu) && libs=$(pkg-config --libs vgpu)
case "$cflags" in "-I$D/"*) ok "pkg-config vgpu: $cflags $libs" ;;
    *) bad "pkg-config vgpu cflags outside the DESTDIR: '$cflags'" ;; esac

# The documented calls, from a program that sees nothing of the source tree.
cat >"$T/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <vgpu.h>

int main(void)
{
    struct vgpu_open_opts o = {.transport = VGPU_TRANSPORT_LOCAL, .socket_path = "/nonexistent/s"};
    vgpu_channel *ch = NULL;
    int r = vgpu_open(&o, &ch);

    printf("%s %s %s\n", vgpu_status_name(VGPU_S_NO_DEVICE), vgpu_strerror(r) ? "msg" : "null",
           r < 0 && !ch ? "refused" : "opened");
    return strcmp(vgpu_status_name(VGPU_S_BAD_OP), "BAD_OP") != 0;
}
C
# shellcheck disable=SC2086 # pkg-config's flags are words
if ${CC:-cc} -std=c11 -Wall -Werror -o "$T/prog" "$T/prog.c" $cflags $libs 2>"$T/cc.err"; then
    ok "a program builds against the installed vgpu.h and libvgpu"
else
    bad "build against the installed headers: $(cat "$T/cc.err")"
fi
out=$(LD_LIBRARY_PATH="${lib%/*}" "$T/prog" 2>&1)
if [ "$out" = "NO_DEVICE msg refused" ]; then ok "it runs: $out"; else bad "it runs: '$out'"; fi

# Exported symbols = the functions the installed public headers declare (as GCC lists them).
printf '#include <vgpu.h>\n' >"$T/decl.c"
# shellcheck disable=SC2086 # pkg-config's flags are words
${CC:-cc} -std=c11 -fsyntax-only -aux-info "$T/decl.txt" $cflags "$T/decl.c" 2>"$T/aux.err" ||
    bad "gcc -aux-info: $(cat "$T/aux.err")"
grep -E '/(vgpu|vgpu_status)\.h:[0-9]+:' "$T/decl.txt" | grep -v 'static' |
    sed -n 's/.* \**\(vgpu_[a-z0-9_]*\) (.*/\1/p' | sort -u >"$T/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u >"$T/exported"
if [ -s "$T/declared" ] && cmp -s "$T/declared" "$T/exported"; then
    ok "libvgpu exports exactly the $(wc -l <"$T/declared") functions of vgpu.h and vgpu_status.h"
else
    bad "exports differ from the public headers (< declared only, > exported only):"
    diff "$T/declared" "$T/exported" | grep '^[<>]'
fi
nm -D --defined-only "$lib" | awk '$2 != "T" && $3 !~ /^_/ { print }' >"$T/other"
if [ -s "$T/other" ]; then bad "exported non-functions: $(cat "$T/other")"; else ok "no data exported"; fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
