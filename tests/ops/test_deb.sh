#!/bin/sh
# test_deb.sh: dpkg-buildpackage builds the six packages from a copy of the tree, lintian finds
# no error, each package holds what it should, the binaries run from the unpacked packages and
# DKMS builds vgpu.ko from vgpu-dkms. (Installing into a fresh Debian: scripts/check-packages.)
set -u
: "${VGPU_SRCDIR:?}"
for t in dpkg-buildpackage lintian dh_dkms dkms git; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not installed (scripts/packages.txt)"; exit 77; }
done
git -C "$VGPU_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
    { echo "SKIP: $VGPU_SRCDIR is not a git checkout (the file list comes from git)"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-deb.XXXXXX")
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1 ($2)"; fi; }
V=$(dpkg-parsechangelog -l "$VGPU_SRCDIR/debian/changelog" -SVersion)
A=$(dpkg --print-architecture)

# The tree as committed plus what is not yet (tracked and untracked, not ignored files).
mkdir "$T/vgpu"
(cd "$VGPU_SRCDIR" && git ls-files -z -co --exclude-standard | xargs -0 tar cf - 2>/dev/null) |
    tar xf - -C "$T/vgpu"
(cd "$T/vgpu" && dpkg-buildpackage -us -uc -b -j2 >"$T/build.log" 2>&1)
check "dpkg-buildpackage builds" "[ $? -eq 0 ] || { tail -n 40 '$T/build.log'; false; }"
for p in vgpud vgpuctl libvgpu0 libvgpu-dev vgpu-libcuda; do
    check "${p}_${V}_$A.deb built" "[ -f '$T/${p}_${V}_$A.deb' ]"
done
check "vgpu-dkms_${V}_all.deb built" "[ -f '$T/vgpu-dkms_${V}_all.deb' ]"

lintian --fail-on error "$T/vgpu_${V}_$A.changes" >"$T/lintian.out" 2>&1
check "lintian: no error ($(grep -c '^[EW]:' "$T/lintian.out") warnings/errors listed)" \
    "[ $? -eq 0 ] && ! grep -q '^E:' '$T/lintian.out' || { cat '$T/lintian.out'; false; }"
grep '^[WE]:' "$T/lintian.out"

has() { dpkg-deb -c "$T/$1" >"$T/list" && grep -q " \./$2\$" "$T/list"; }
check "vgpud: daemon, worker, unit, man page, defaults" "has vgpud_${V}_$A.deb usr/sbin/vgpud &&
    has vgpud_${V}_$A.deb usr/libexec/vgpu/vgpud-worker &&
    has vgpud_${V}_$A.deb lib/systemd/system/vgpud.service &&
    has vgpud_${V}_$A.deb usr/share/man/man8/vgpud.8.gz && has vgpud_${V}_$A.deb etc/default/vgpud"
check "vgpuctl: tool, unit, completion, hook, man page" "has vgpuctl_${V}_$A.deb usr/bin/vgpuctl &&
    has vgpuctl_${V}_$A.deb lib/systemd/system/vgpu-provision.service &&
    has vgpuctl_${V}_$A.deb usr/share/bash-completion/completions/vgpuctl &&
    has vgpuctl_${V}_$A.deb usr/share/vgpu/hooks/xapi-vm-pre-start &&
    has vgpuctl_${V}_$A.deb usr/share/man/man8/vgpuctl.8.gz"
check "libvgpu0: the shared library with its SONAME" \
    "dpkg-deb -c '$T/libvgpu0_${V}_$A.deb' >'$T/list' && grep -q 'libvgpu.so.0 -> ' '$T/list'"
check "libvgpu-dev: header, .so, pkg-config, man page" "has libvgpu-dev_${V}_$A.deb usr/include/vgpu/vgpu.h &&
    has libvgpu-dev_${V}_$A.deb 'usr/lib/.*/pkgconfig/vgpu.pc' &&
    has libvgpu-dev_${V}_$A.deb usr/share/man/man3/libvgpu.3.gz"
check "vgpu-libcuda: libcuda.so.1 and libcudart.so.13 in a private directory, vgpu-run" \
    "has vgpu-libcuda_${V}_$A.deb 'usr/lib/.*/vgpu/libcuda.so.1' &&
    has vgpu-libcuda_${V}_$A.deb 'usr/lib/.*/vgpu/libcudart.so.13' && has vgpu-libcuda_${V}_$A.deb usr/bin/vgpu-run"
check "vgpu-dkms: module source, dkms.conf, the udev rule for /dev/vgpu" \
    "has vgpu-dkms_${V}_all.deb usr/src/vgpu-$V/dkms.conf &&
    has vgpu-dkms_${V}_all.deb usr/src/vgpu-$V/proto/vgpu_validate.c &&
    has vgpu-dkms_${V}_all.deb lib/udev/rules.d/60-vgpu.rules"
mkdir "$T/dctl"
dpkg-deb -e "$T/vgpu-dkms_${V}_all.deb" "$T/dctl"
check "vgpu-dkms creates the group vgpu" "grep -q 'addgroup --system --quiet vgpu' '$T/dctl/postinst'"

mkdir "$T/ctl"
dpkg-deb -e "$T/vgpud_${V}_$A.deb" "$T/ctl"
check "vgpud creates the system users vgpu and vgpu-worker" \
    "grep -q 'getent passwd vgpu >' '$T/ctl/postinst' && grep -q 'getent passwd vgpu-worker' '$T/ctl/postinst'"
check "vgpud enables its unit (deb-systemd-helper), starts nothing" \
    "grep -q 'deb-systemd-helper' '$T/ctl/postinst' && ! grep -q 'deb-systemd-invoke start' '$T/ctl/postinst'"
check "/etc/default/vgpud is a conffile" "grep -qx /etc/default/vgpud '$T/ctl/conffiles'"
check "vgpud does not pull in dkms" "! dpkg-deb -f '$T/vgpud_${V}_$A.deb' Depends | grep -q dkms"

# The unpacked binaries run (libvgpu from the package, not the build tree).
mkdir "$T/root"
for d in "$T"/*.deb; do dpkg-deb -x "$d" "$T/root"; done
"$T/root/usr/sbin/vgpud" --help >"$T/help" 2>&1
check "vgpud --help runs" "[ $? -eq 0 ] && grep -q -- '--metrics' '$T/help'"
"$T/root/usr/bin/vgpuctl" --db "$T/v.db" init >"$T/init" 2>&1
check "vgpuctl init runs" "[ $? -eq 0 ] && [ -s '$T/v.db' ]"
LD_LIBRARY_PATH="$T/root/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)" \
    ldd "$T/root/usr/bin/vgpu-loadgen" >"$T/ldd" 2>&1
check "vgpu-loadgen links libvgpu.so.0" "grep -q 'libvgpu.so.0 => $T/root' '$T/ldd'"

# DKMS builds the module from the package's source tree (private trees, nothing in /var/lib/dkms).
kver=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' 2>/dev/null | sort -V | tail -n 1 | sed 's|.*/linux-headers-||')
if [ -n "$kver" ]; then
    mkdir "$T/dkms"
    # sign_file from the environment (framework.conf sets none): no signing, no MOK key made.
    sign_file=/nonexistent dkms build -m vgpu -v "$V" -k "$kver" --sourcetree "$T/root/usr/src" --dkmstree "$T/dkms" \
        --kernelsourcedir "/usr/src/linux-headers-$kver" >"$T/dkms.log" 2>&1
    check "dkms builds vgpu.ko for $kver" "[ -f '$T/dkms/vgpu/$V/build/vgpu.ko' ] ||
        [ -f '$T/dkms/vgpu/$V/$kver/$(uname -m)/module/vgpu.ko' ] || { cat '$T/dkms.log'; false; }"
else
    echo "skip dkms build: no /usr/src/linux-headers-*-amd64"
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
