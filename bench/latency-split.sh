#!/bin/sh
# latency-split.sh: bench/latency against a vgpud that writes an execution log, then where a job
# spends its time: the median and p90 of submit -> dispatch (the pool thread takes it) and
# dispatch -> complete (the trip to the worker and back) over the MEMSET+SYNC jobs.
# usage: bench/latency-split.sh [BUILDDIR] [ITERS] [POLL_US]
set -eu
b=${1:-build}; iters=${2:-5000}; poll=${3:-50}
t=$(mktemp -d); chmod 755 "$t"
export VGPU_DB="$t/db" VGPU_CTL="$t/ctl" VGPU_SOCKET="$t/sock"
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$t"' EXIT
"$b/admin/vgpuctl" init >/dev/null
"$b/admin/vgpuctl" register-vm 00000000-0000-4000-8000-0000000000b2 --name bench >/dev/null
"$b/dom0/vgpud" --executor cpu --poll-us "$poll" --exec-log "$t/exec.csv" >"$t/log" 2>&1 &
pid=$!
i=0; until [ -S "$VGPU_CTL" ] && [ -S "$VGPU_SOCKET" ]; do i=$((i+1)); [ $i -lt 500 ] || exit 1; sleep 0.01; done
"$b/bench/latency" --instance bench --iters "$iters" | grep -E "NOP, (no )?polling|MEMSET|hop"
kill $pid; wait $pid || true; pid=""
python3 - "$t/exec.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["nreq"] == "2"]
rows = rows[len(rows) // 10:]
def pct(v, p):
    v = sorted(v); return v[int(len(v) * p)] / 1000.0
sd = [int(r["dispatch_ns"]) - int(r["submit_ns"]) for r in rows]
dc = [int(r["complete_ns"]) - int(r["dispatch_ns"]) for r in rows]
print("jobs %d  submit->dispatch p50 %.2f us p90 %.2f  dispatch->complete p50 %.2f us p90 %.2f"
      % (len(rows), pct(sd, .5), pct(sd, .9), pct(dc, .5), pct(dc, .9)))
PY
