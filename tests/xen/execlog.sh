#!/bin/sh
# execlog.sh CONSOLE_LOG: the execution log dom0 printed between VGPU-EXECLOG-BEGIN and
# VGPU-EXECLOG-END, as CSV on stdout (run.sh's timestamps removed). Exit 1 if absent.
awk '/VGPU-EXECLOG-END/ { found = 1; exit }
     on { sub(/^\[ *[0-9.]+\] /, ""); sub(/\r$/, ""); print }
     /VGPU-EXECLOG-BEGIN/ { on = 1 }
     END { exit found ? 0 : 1 }' "$1"
