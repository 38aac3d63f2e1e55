#!/bin/bash
# build-initramfs.sh: dom0 and domU initramfs images for the Xen run.
# Env: CACHE (unpacked packages, from fetch.sh), WORK (output), HERE (tests/xen),
#      KO (vgpu.ko), BIN_DOM0 (dom0 programs), BIN_DOMU (domU programs, static),
#      BIN_DOMU_DYN (domU programs with their shared libraries, e.g. libvgpu examples),
#      DOMU_MEM (MiB), DOMU_MEM_A (MiB of vgpu-a, which maps a 64 MiB host buffer;
#      default DOMU_MEM + 96).
set -euo pipefail
ROOT=$CACHE/root
KVER=$(cat "$CACHE/kver")
MODDIR=$ROOT/lib/modules/$KVER
XBIN=$ROOT/usr/lib/xen-4.17/bin
export LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu

copy_bin() {  # dest src name: an ELF binary and the shared libraries ldd resolves
  local dest=$1 src=$2 name=$3 lib real
  install -D -m 755 "$src" "$dest/usr/bin/$name"
  ldd "$src" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/lib64\//{print $1}' | while read -r lib; do
    real=$(readlink -f "$lib")
    case "$lib" in
      /lib64/*) install -D -m 755 "$real" "$dest$lib" ;;
      *) install -D -m 644 "$real" "$dest/usr/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
    esac
  done
}
copy_mods() {  # dest module...
  local dest=$1 m f; shift
  mkdir -p "$dest/lib/modules"
  for m in "$@"; do
    f=$(find "$MODDIR" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
    [ -n "$f" ] || { echo "module $m not found" >&2; exit 1; }
    case "$f" in *.xz) xz -dc "$f" > "$dest/lib/modules/$m.ko" ;; *) cp "$f" "$dest/lib/modules/$m.ko" ;; esac
  done
}
skeleton() {
  local d=$1
  rm -rf "$d"; mkdir -p "$d"/{bin,sbin,dev,proc,sys,run,tmp,etc,var,lib,usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu}
  cp "$ROOT/bin/busybox" "$d/bin/busybox"
  # glibc dlopen()s libgcc_s for pthread_cancel (xl aborts without it)
  install -D -m 644 "$(readlink -f /lib/x86_64-linux-gnu/libgcc_s.so.1)" "$d/usr/lib/x86_64-linux-gnu/libgcc_s.so.1"
  ln -s busybox "$d/bin/sh"
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    > "$d/etc/passwd"          # nobody: vgpud's workers run as it
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$d/etc/group"
}
# Uncompressed images: QEMU loads them at host speed, inflating costs guest time under TCG.
mkcpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$2"; }
xs_tools() {
  copy_bin "$1" "$ROOT/usr/bin/xenstore" xenstore
  for t in read write ls list exists rm chmod watch; do ln -sf xenstore "$1/usr/bin/xenstore-$t"; done
}

D=$WORK/initrd-domU
skeleton "$D"
copy_mods "$D" xen-evtchn xen-gntalloc xen-gntdev
xs_tools "$D"
cp "$KO" "$D/lib/modules/vgpu.ko"
for b in $BIN_DOMU; do install -m 755 "$b" "$D/usr/bin/"; done
for b in ${BIN_DOMU_DYN:-}; do copy_bin "$D" "$b" "$(basename "$b")"; done
install -m 755 "$HERE/domU-init.sh" "$D/init"
mkcpio "$D" "$WORK/domU.img"

D=$WORK/initrd-dom0
skeleton "$D"
copy_mods "$D" xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc
xs_tools "$D"
for b in xl xenstored xenconsoled xen-init-dom0; do copy_bin "$D" "$XBIN/$b" "$b"; done
for b in $BIN_DOM0; do copy_bin "$D" "$b" "$(basename "$b")"; done
mkdir -p "$D/etc/xen" "$D/boot"
cp "$ROOT/etc/xen/xl.conf" "$D/etc/xen/xl.conf"
# Fixed UUIDs: dom0-init.sh registers the VMs under them before they exist.
for r in a b c; do
  R=$(echo "$r" | tr '[:lower:]' '[:upper:]')
  M=$DOMU_MEM; [ "$r" = a ] && M=${DOMU_MEM_A:-$((DOMU_MEM + 96))}
  sed "s/@NAME@/vgpu-$r/; s/@ROLE@/$R/; s/@DOMU_MEM@/$M/; s/@UUID@/6b1e0a4c-5f3d-4c2a-9e71-00000000000$r/" \
    "$HERE/domU.cfg.in" > "$D/etc/xen/vgpu-$r.cfg"
done
cp "$CACHE/vmlinux" "$D/boot/vmlinuz"   # raw ELF: libxc would spend ~4.7 s un-xz'ing a bzImage
cp "$WORK/domU.img" "$D/boot/domU.img"
install -m 755 "$HERE/dom0-init.sh" "$D/init"
mkcpio "$D" "$WORK/dom0.img"
