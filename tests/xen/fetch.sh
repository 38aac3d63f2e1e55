#!/bin/bash
# fetch.sh: download Debian's Xen 4.17 + kernel + busybox packages (apt-get
# download, no installation) into $CACHE and unpack them into $CACHE/root.
# Exit 77 when they cannot be fetched. Idempotent: a complete cache is reused.
set -euo pipefail
CACHE=${CACHE:?}
mkdir -p "$CACHE/debs"
chmod 777 "$CACHE/debs"   # let _apt write there (no "unsandboxed" warning)
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$KPKG" ] || { echo "SKIP: apt-cache does not know linux-image-amd64 (run apt-get update)"; exit 77; }
PKGS="xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
      libxenmisc4.17 libxencall1 libxendevicemodel1 libxenevtchn1
      libxenforeignmemory1 libxengnttab1 libxenstore4 libxentoolcore1
      libxentoollog1 libxenhypfs1 libyajl2 $KPKG busybox-static"
# shellcheck disable=SC2086,SC2116 # split on purpose: the names on one line, single-spaced
want=$(echo $PKGS)
if [ -e "$CACHE/.unpacked" ] && [ "$(cat "$CACHE/.unpacked")" = "$want" ] && [ -s "$CACHE/vmlinux" ]; then
    exit 0
fi
cd "$CACHE/debs"
if [ ! -e .done ] || [ "$(cat .done)" != "$want" ]; then
    rm -f ./*.deb
    # shellcheck disable=SC2086
    apt-get download $PKGS >/dev/null 2>apt-download.err || {
        echo "SKIP: apt-get download failed: $(tail -1 apt-download.err)"; exit 77; }
    echo "$want" > .done
fi
rm -rf "$CACHE/root"; mkdir -p "$CACHE/root"
for d in ./*.deb; do dpkg -x "$d" "$CACHE/root"; done
KVER=${KPKG#linux-image-}
depmod -b "$CACHE/root" "$KVER"
zcat "$CACHE/root/boot/xen-4.17-amd64.gz" > "$CACHE/xen"   # QEMU's multiboot wants the ELF32
cp "$CACHE/root/boot/vmlinuz-$KVER" "$CACHE/vmlinuz"
# The uncompressed ELF vmlinux: un-xz'ing under TCG costs ~4-5 s per boot.
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$CACHE/vmlinuz" | head -1 | cut -d: -f1)
tail -c +$((off+1)) "$CACHE/vmlinuz" | xz -dc > "$CACHE/vmlinux" 2>/dev/null || true
[ "$(head -c 4 "$CACHE/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || {
    echo "vmlinux extraction failed" >&2; exit 1; }
echo "$KVER" > "$CACHE/kver"
echo "$want" > "$CACHE/.unpacked"
