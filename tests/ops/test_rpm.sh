#!/bin/sh
# test_rpm.sh: the XCP-ng RPM spec: rpmbuild -bs, rpmlint without errors, and a binary build here
# (--nodeps: Debian's rpm has no RPM database of the build dependencies) whose packages hold what
# XCP-ng needs. Not a build in XCP-ng's own build environment.
set -u
: "${VGPU_SRCDIR:?}"
for t in rpmbuild rpmlint rpm git; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not installed (scripts/packages.txt)"; exit 77; }
done
git -C "$VGPU_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
    { echo "SKIP: $VGPU_SRCDIR is not a git checkout (the file list comes from git)"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-rpm.XXXXXX")
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1 ($2)"; fi; }
SPEC=$VGPU_SRCDIR/rpm/vgpu.spec
V=$(sed -n 's/^Version: *//p' "$SPEC")
check "the spec's version is the project's ($V)" \
    "grep -q \"version : '$V'\" '$VGPU_SRCDIR/meson.build'"

# Source0: the tree as it is (tracked and untracked, not ignored files).
mkdir -p "$T/SOURCES" "$T/vgpu-$V"
(cd "$VGPU_SRCDIR" && git ls-files -z -co --exclude-standard | xargs -0 tar cf - 2>/dev/null) |
    tar xf - -C "$T/vgpu-$V"
tar czf "$T/SOURCES/vgpu-$V.tar.gz" -C "$T" "vgpu-$V"
rpmbuild -bs --define "_topdir $T" "$SPEC" >"$T/bs.log" 2>&1
check "rpmbuild -bs" "[ $? -eq 0 ] && ls '$T'/SRPMS/vgpu-$V-*.src.rpm >/dev/null || { cat '$T/bs.log'; false; }"
rpmlint -r "$VGPU_SRCDIR/rpm/vgpu.rpmlintrc" "$SPEC" "$T"/SRPMS/*.src.rpm >"$T/lint.out" 2>&1
check "rpmlint: no errors ($(sed -n 's/.* \([0-9]*\) errors, \([0-9]*\) warnings.*/\1 errors, \2 warnings/p' "$T/lint.out"))" \
    "[ $? -eq 0 ] && grep -q ' 0 errors' '$T/lint.out' || { cat '$T/lint.out'; false; }"

rpmbuild -bb --nodeps --define "_topdir $T" "$SPEC" >"$T/bb.log" 2>&1
check "rpmbuild -bb --nodeps" "[ $? -eq 0 ] || { tail -n 30 '$T/bb.log'; false; }"
R=$T/RPMS
has() { rpm -qlp "$1" 2>/dev/null | grep -qx "$2"; }
check "vgpud: daemon, worker, unit, man page" "has $R/*/vgpud-$V-*.rpm /usr/sbin/vgpud &&
    has $R/*/vgpud-$V-*.rpm '/usr/libexec/vgpu/vgpud-worker' &&
    has $R/*/vgpud-$V-*.rpm /usr/lib/systemd/system/vgpud.service &&
    has $R/*/vgpud-$V-*.rpm '/usr/share/man/man8/vgpud.8.*'"
check "vgpud creates the system users vgpu and vgpu-worker" \
    "rpm -qp --scripts $R/*/vgpud-$V-*.rpm 2>/dev/null | grep -q 'useradd -r -g vgpu -d' &&
    rpm -qp --scripts $R/*/vgpud-$V-*.rpm 2>/dev/null | grep -q 'useradd -r -g vgpu-worker'"
check "vgpuctl: XAPI hook in /etc/xapi.d, the QEMU wrapper, unit, completion" \
    "has $R/*/vgpuctl-$V-*.rpm /etc/xapi.d/vm-pre-start/50-vgpu &&
    has $R/*/vgpuctl-$V-*.rpm /usr/share/vgpu/hooks/vgpu-qemu-wrapper &&
    has $R/*/vgpuctl-$V-*.rpm /usr/lib/systemd/system/vgpu-provision.service &&
    has $R/*/vgpuctl-$V-*.rpm /usr/share/bash-completion/completions/vgpuctl"
mkdir "$T/root"
(cd "$T/root" && for r in "$R"/*/*.rpm; do rpm2cpio "$r" | cpio -idm --quiet; done)
check "the hook link resolves to the hook" \
    "[ \"\$(readlink -f '$T/root/etc/xapi.d/vm-pre-start/50-vgpu')\" = '$T/root/usr/share/vgpu/hooks/xapi-vm-pre-start' ]"
check "libvgpu and libvgpu-devel: SONAME library, header, pkg-config" \
    "[ -L '$T/root/usr/lib64/libvgpu.so.0' ] && [ -f '$T/root/usr/include/vgpu/vgpu.h' ] &&
    [ -f '$T/root/usr/lib64/pkgconfig/vgpu.pc' ]"
check "vgpu-libcuda: private libcuda.so.1 and libcudart.so.13 that provide nothing, vgpu-run" \
    "[ -e '$T/root/usr/lib64/vgpu/libcuda.so.1' ] && [ -e '$T/root/usr/lib64/vgpu/libcudart.so.13' ] &&
    [ -x '$T/root/usr/bin/vgpu-run' ] &&
    ! rpm -qp --provides $R/*/vgpu-libcuda-$V-*.rpm 2>/dev/null | grep -q 'libcuda\\(rt\\)\\?[.]so' &&
    ! rpm -qp --requires $R/*/vgpu-libcuda-$V-*.rpm 2>/dev/null | grep -q 'libcuda[.]so'"
check "vgpu-dkms: dkms.conf with the version filled in" \
    "grep -qx 'PACKAGE_VERSION=\"$V\"' '$T/root/usr/src/vgpu-$V/dkms.conf'"
check "vgpu-dkms: the udev rule for /dev/vgpu and the group vgpu" \
    "[ -f '$T/root/usr/lib/udev/rules.d/60-vgpu.rules' ] &&
    rpm -qp --scripts $R/noarch/vgpu-dkms-$V-*.rpm 2>/dev/null | grep -q 'groupadd -r vgpu'"
check "vgpu-dkms runs dkms add/build/install and remove" \
    "rpm -qp --scripts $R/noarch/vgpu-dkms-$V-*.rpm 2>/dev/null | grep -q 'dkms add -m vgpu' &&
    rpm -qp --scripts $R/noarch/vgpu-dkms-$V-*.rpm 2>/dev/null | grep -q 'dkms remove -m vgpu'"
"$T/root/usr/bin/vgpuctl" --db "$T/v.db" init >/dev/null 2>&1
check "the packaged vgpuctl runs (init)" "[ $? -eq 0 ] && [ -s '$T/v.db' ]"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
