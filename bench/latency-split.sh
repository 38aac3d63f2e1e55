#!/bin/sh
# latency-split.sh: bench/latency against a vgpud that writes an execution log, then where a job
# spends its time: the median and p90 of submit -> dispatch (the loop or the pool thread takes it)
# and dispatch -> complete (the trip to the worker and back) over the MEMSET+SYNC jobs; with a
# vgpud built with -DVGPUD_JOB_STAMPS (meson setup build-stamps -Dc_args=-DVGPUD_JOB_STAMPS),
# every step from the job's closing to its answer on the guest's ring.
# usage: bench/latency-split.sh [BUILDDIR] [ITERS] [POLL_US]
. "$(dirname "$0")/lib.sh"
iters=${2:-5000}; poll=${3:-50}
bench_setup "${1:-build}" 00000000-0000-4000-8000-0000000000b2 bench
bench_start --poll-us "$poll" --exec-log "$t/exec.csv"
"$b/bench/latency" --instance bench --iters "$iters" | grep -E "NOP, (no )?polling|MEMSET|hop"
bench_stop
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
if rows and "answered_guest_ns" in rows[0]:  # a vgpud built with -DVGPUD_JOB_STAMPS
    steps = [("closed -> submitted (loop)", "closed_ns", "submit_ns"),
             ("submitted -> dispatched (the loop or the pool thread)", "submit_ns", "dispatch_ns"),
             ("dispatched -> pushed to the worker's ring", "dispatch_ns", "pushed_ns"),
             ("pushed -> answers seen (worker wake, run, answer)", "pushed_ns", "answered_ns"),
             ("answers seen -> completed", "answered_ns", "complete_ns"),
             ("completed -> drained by the loop", "complete_ns", "drained_ns"),
             ("drained -> answered on the guest's ring", "drained_ns", "answered_guest_ns"),
             ("closed -> answered on the guest's ring (all)", "closed_ns", "answered_guest_ns")]
    print("%-52s %9s %9s" % ("step (MEMSET+SYNC jobs)", "p50 us", "p90 us"))
    for name, a, b in steps:
        if all(int(r[a]) and int(r[b]) for r in rows):
            v = [int(r[b]) - int(r[a]) for r in rows]
            print("%-52s %9.2f %9.2f" % (name, pct(v, .5), pct(v, .9)))
    v = [int(r["wk_run_ns"]) for r in rows]
    print("%-52s %9.2f %9.2f" % ("  of which the worker's own run (run_ns)", pct(v, .5), pct(v, .9)))
PY
