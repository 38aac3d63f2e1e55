#!/bin/bash
# run.sh: boot Xen + PV dom0 (+ the domUs dom0's /init creates) in QEMU TCG.
# Env: CACHE WORK LOG; TIMEOUT (s), MEM, DOM0_MEM, CPU, BACKEND (dom0 program name),
#      MODE (e2e: the checks, demo: three domUs loading pools A and B),
#      VGPUD_OPTS (extra vgpud options, ":" between words: --poll-us:0).
# Timestamps every serial line; kills QEMU on a Xen/dom0 crash or panic.
# Exit 0 only if the console shows XENTEST-PASS.
set -uo pipefail
CPU=${CPU:-qemu64,+rdrand}   # SMAP models crash PV dom0 under TCG; rdrand: no getrandom stall
XEN_CMDLINE="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all \
dom0_mem=${DOM0_MEM:-512M},max:${DOM0_MEM:-512M} dom0_max_vcpus=1 noreboot"
DOM0_CMDLINE="console=hvc0 earlyprintk=xen loglevel=4 vgpu.backend=${BACKEND:-vgpu_test_back} vgpu.mode=${MODE:-e2e} ${VGPUD_OPTS:+vgpu.vgpud_opts=$VGPUD_OPTS}"
FIFO=$(mktemp -u "$WORK/serial.XXXXXX"); mkfifo "$FIFO"
T0=$EPOCHREALTIME
timeout -k 5 "${TIMEOUT:-240}" qemu-system-x86_64 \
  -machine pc -accel tcg -cpu "$CPU" -smp 2 -m "${MEM:-1024}" \
  -display none -monitor none -serial stdio -no-reboot \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -kernel "$CACHE/xen" -append "$XEN_CMDLINE" \
  -initrd "$CACHE/vmlinux $DOM0_CMDLINE,$WORK/dom0.img" \
  < /dev/null > "$FIFO" 2>&1 &
QPID=$!
while IFS= read -r line; do
  printf '[%7.2f] %s\n' "$(echo "$EPOCHREALTIME - $T0" | bc)" "${line%$'\r'}"
  case "$line" in
    *"Dom0 crashed"*|*"Panic on CPU"*|*"Manual reset required"*|*"Kernel panic"*) sleep 2; kill $QPID 2>/dev/null ;;
  esac
done < "$FIFO" > "$LOG"
wait $QPID; QRC=$?
rm -f "$FIFO"
[ $QRC = 124 ] && echo "run.sh: TIMEOUT after ${TIMEOUT:-240} s" >> "$LOG"
echo "qemu exit status $QRC (1 = PASS via isa-debug-exit, 3 = FAIL, 124 = timeout), wall $(echo "$EPOCHREALTIME - $T0" | bc) s"
grep -q 'XENTEST-PASS' "$LOG"
