#!/bin/sh
# build.sh: build a minimal QEMU (x86_64, q35, qtest) with the vgpu-stub device.
#
# usage: qemu-vgpu/build.sh [CACHEDIR]
#   CACHEDIR defaults to $VGPU_BUILDDIR/qemu-vgpu, else build/qemu-vgpu.
#   QEMU_SRC=DIR builds into an existing QEMU tree (meson -Dqemu_src=) instead
#   of fetching Debian's source with `apt-get source qemu`.
#   QEMU_JOBS=N parallel compile jobs (default 2).
# Prints the path of qemu-system-x86_64 as its last line.
# Exits 77 (skip) when the QEMU source or its build dependencies are not
# available, 1 when the build fails.
#
# Idempotent: the source is fetched once, the device copied only when it
# changed, configure rerun only when its arguments changed; a second run
# with an unchanged device is a no-op ninja call.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${1:-${VGPU_BUILDDIR:-$top/build}/qemu-vgpu}
jobs=${QEMU_JOBS:-2}

skip() { echo "qemu-vgpu: SKIP: $*" >&2; exit 77; }
log() { echo "qemu-vgpu: $*" >&2; }

# Build dependencies (scripts/packages.txt installs them; see the recipe).
for tool in cc ninja python3 flex bison pkg-config; do
    command -v "$tool" >/dev/null 2>&1 ||
        skip "'$tool' not found (run scripts/setup, which installs scripts/packages.txt)"
done
for pc in glib-2.0 pixman-1 zlib; do
    pkg-config --exists "$pc" ||
        skip "pkg-config '$pc' not found (install libglib2.0-dev libpixman-1-dev zlib1g-dev)"
done
python3 -c 'import venv' 2>/dev/null || skip "python3 venv module missing (install python3-venv)"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# One build at a time: tests running in parallel wait for the first one.
if [ -z "${VGPU_QEMU_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
    VGPU_QEMU_LOCKED=1 exec flock "$cache/.lock" "$0" "$cache"
fi

# Add a deb-src entry next to Debian's deb822 sources, as the recipe does.
ensure_deb_src() {
    if grep -rqs '^[[:space:]]*Types:.*deb-src\|^[[:space:]]*deb-src[[:space:]]' \
            /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return 0
    fi
    [ "$(id -u)" -eq 0 ] ||
        skip "no deb-src entry in /etc/apt and not root to add one (see docs/qemu-vgpu.md)"
    [ -f /etc/apt/sources.list.d/debian.sources ] ||
        skip "no deb-src entry and no /etc/apt/sources.list.d/debian.sources to copy one from"
    log "adding /etc/apt/sources.list.d/vgpu-deb-src.sources"
    sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        > /etc/apt/sources.list.d/vgpu-deb-src.sources
    apt-get update -qq >"$cache/apt-update.log" 2>&1 ||
        skip "apt-get update failed after adding deb-src (see $cache/apt-update.log)"
}

find_src() {
    for d in "$cache"/src/qemu-*/; do
        if [ -f "$d/configure" ] && [ -f "$d/hw/misc/edu.c" ]; then
            echo "${d%/}"
            return 0
        fi
    done
    return 1
}

if [ -n "${QEMU_SRC:-}" ]; then
    [ -f "$QEMU_SRC/hw/misc/edu.c" ] || { echo "qemu-vgpu: QEMU_SRC=$QEMU_SRC is not a QEMU tree" >&2; exit 1; }
    src=$(cd "$QEMU_SRC" && pwd)
elif ! src=$(find_src); then
    command -v dpkg-source >/dev/null 2>&1 || skip "dpkg-source not found (install dpkg-dev)"
    ensure_deb_src
    log "fetching Debian's QEMU source (apt-get source qemu)"
    rm -rf "$cache/src.tmp"
    mkdir -p "$cache/src.tmp"
    if ! (cd "$cache/src.tmp" && apt-get source -qq qemu) >"$cache/apt-source.log" 2>&1; then
        if ! grep -q 'Unable to find a source package\|You must put some' "$cache/apt-source.log"; then
            apt-get update -qq >"$cache/apt-update.log" 2>&1 || true
        fi
        rm -rf "$cache/src.tmp"
        mkdir -p "$cache/src.tmp"
        (cd "$cache/src.tmp" && apt-get source -qq qemu) >"$cache/apt-source.log" 2>&1 ||
            skip "apt-get source qemu failed (network or deb-src?): $(tail -n 1 "$cache/apt-source.log")"
    fi
    rm -rf "$cache/src"
    mv "$cache/src.tmp" "$cache/src"
    src=$(find_src) || { echo "qemu-vgpu: no QEMU tree after apt-get source" >&2; exit 1; }
fi

# Copy only what changed, so that ninja sees an unchanged mtime otherwise.
install_if_changed() {
    cmp -s "$1" "$2" || cp "$1" "$2"
}

install_if_changed "$here/vgpu-stub.c" "$src/hw/misc/vgpu_stub.c"
# The register map is a contract of proto/: the device includes it from its own folder.
install_if_changed "$here/../proto/vgpu_stub_regs.h" "$src/hw/misc/vgpu_stub_regs.h"
install_if_changed "$here/../proto/vgpu_identity.h" "$src/hw/misc/vgpu_identity.h"
install_if_changed "$here/vgpu-min.mak" "$src/configs/devices/x86_64-softmmu/vgpu-min.mak"
grep -q '^config VGPU_STUB' "$src/hw/misc/Kconfig" ||
    printf '\nconfig VGPU_STUB\n    bool\n    default y if PCI_DEVICES\n    depends on PCI\n' \
        >>"$src/hw/misc/Kconfig"
grep -q vgpu_stub.c "$src/hw/misc/meson.build" ||
    echo "softmmu_ss.add(when: 'CONFIG_VGPU_STUB', if_true: files('vgpu_stub.c'))" \
        >>"$src/hw/misc/meson.build"

bld="$cache/build"
conf_args="--target-list=x86_64-softmmu --without-default-features --without-default-devices
--with-devices-x86_64=vgpu-min --enable-kvm --disable-docs --disable-werror"
stamp="$bld/vgpu-configure.args"
want_stamp=$(printf '%s\n%s\n' "$src" "$conf_args")
if [ ! -f "$bld/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want_stamp" ]; then
    log "configuring $src into $bld"
    rm -rf "$bld"
    mkdir -p "$bld"
    # shellcheck disable=SC2086
    if ! (cd "$bld" && "$src/configure" $conf_args) >"$cache/configure.log" 2>&1; then
        tail -n 30 "$cache/configure.log" >&2
        echo "qemu-vgpu: configure failed (full log: $cache/configure.log)" >&2
        exit 1
    fi
    printf '%s\n' "$want_stamp" >"$stamp"
fi

log "building qemu-system-x86_64 (ninja -j$jobs)"
if ! ninja -C "$bld" -j"$jobs" qemu-system-x86_64 >"$cache/ninja.log" 2>&1; then
    grep -B2 -A12 'error\|FAILED' "$cache/ninja.log" | tail -n 60 >&2
    echo "qemu-vgpu: build failed (full log: $cache/ninja.log)" >&2
    exit 1
fi
echo "$bld/qemu-system-x86_64"
