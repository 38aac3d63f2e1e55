#!/bin/sh
# test_quick_run: the demo's quick run against the built binaries: exit 0, every verdict PASS,
# the report files written.
set -u
src=${VGPU_SRCDIR:?} build=${VGPU_BUILDDIR:?}
out=$(mktemp -d /tmp/vgpu-demo-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
python3 "$src/demo/run.py" --quick --builddir "$build" --out "$out/report"
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "FAIL: run.py --quick exited $rc, expected 0"
    exit 1
fi
for f in report.html metrics.json execution-log.csv per-vm.csv queue-depth.csv run.json summary.txt; do
    if [ ! -s "$out/report/$f" ]; then
        echo "FAIL: $out/report/$f missing or empty"
        exit 1
    fi
done
python3 - "$out/report/metrics.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
bad = [v["rule"] for v in doc["verdicts"] if not v["ok"]]
if bad or len(doc["verdicts"]) != 5:
    sys.exit("FAIL: verdicts not all PASS: %s (of %d)" % (bad, len(doc["verdicts"])))
vms = sorted(v["vm"] for v in doc["metrics"]["per_vm"])
if vms != ["VM%d" % i for i in range(1, 8)]:
    sys.exit("FAIL: per-VM table has %s, expected VM1..VM7" % vms)
PY
