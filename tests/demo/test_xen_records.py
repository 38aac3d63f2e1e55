"""test_xen_records.py: the Xen demo's report from dom0's console (demo/xen_records.py).

A synthetic console as tests/xen/dom0-init.sh prints it in demo mode (timestamps, \\r, other
lines in between): the run record comes out whole, the verdicts pass on it, the report files are
written; a wrong client record, a missing domU and a garbled line are reported."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("VGPU_SRCDIR", "."), "demo"))
import metrics       # noqa: E402
import report_files  # noqa: E402
import verify        # noqa: E402
import xen_records   # noqa: E402

NAMES = ("vgpu-a", "vgpu-b", "vgpu-c")
VMS = {"vgpu-a": (101, "A", 2), "vgpu-b": (102, "B", 0), "vgpu-c": (103, "A", 0)}
T0 = 5_000_000_000
MS = 1_000_000


def jobs():
    """Two jobs a VM, one after another in each pool, in the execution log's shape."""
    out, clock = [], {"A": T0, "B": T0}
    for seq, name in enumerate(("vgpu-a", "vgpu-a", "vgpu-b", "vgpu-b", "vgpu-c", "vgpu-c")):
        vm_id, pool, prio = VMS[name]
        start = clock[pool]
        clock[pool] = start + 4 * MS
        out.append({"seq": seq, "job_id": seq + 1, "pool": pool, "vm_id": vm_id,
                    "vm_name": name, "priority": prio, "aged": 0, "channel": "xen dom1 ch0",
                    "nreq": 3, "submit_ns": T0, "dispatch_ns": start,
                    "complete_ns": start + 4 * MS, "status": "OK"})
    return out


def status_doc(now, queued, final=False):
    def live_vm(name):
        vm_id = VMS[name][0]
        return {"vm_id": vm_id, "name": name, "submitted": 2 if final else 1,
                "completed": 2 if final else 0, "queued": 0, "failed": 0, "cancelled": 0,
                "overruns": 0}
    pools = []
    for p in ("A", "B"):
        pools.append({"name": p, "live": {"name": p, "queued": queued, "completed": 0,
                                          "running": {"vm_id": 101} if p == "A" else None},
                      "vms": [{"name": n, "live": live_vm(n)} for n in NAMES if VMS[n][1] == p]})
    return {"vgpud": {"running": True, "uptime_ns": now - 1_000_000_000, "now_ns": now},
            "pools": pools}


def console(records=None, skip=None, extra=()):
    lines = ["[   1.000] XENTEST-DOM0-UP", "[   2.000] some kernel line"]
    for i in range(3):
        lines.append("[  %d.500] VGPU-SAMPLE %s\r" % (3 + i, json.dumps(status_doc(T0 + i * 500 * MS, 2 - i))))
    lines.append("[  9.000] VGPU-FINAL %s" % json.dumps(status_doc(T0 + 2000 * MS, 0, True)))
    for n in NAMES:
        if n == skip:
            continue
        for ch in range(2):
            r = {"instance": n, "channel": ch, "job": 0, "kernel": "busy", "submit_ns": 7,
                 "done_ns": 7 + 4 * MS, "status": 0, "correct": True}
            r.update((records or {}).get((n, ch), {}))
            lines.append("[  9.%d] VGPU-CLIENTLOG %s %s" % (ch, n, json.dumps(r)))
        lines.append("[  9.9] VGPU-CLIENTLOG %s-END channels=2 jobs=1 result=OK\r" % n)
    lines += ["[  10.0] VGPU-DEMO-DAEMON pid=321 exit=0"] + list(extra)
    return "\n".join(lines) + "\n"


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)
    print("ok: " + what)


class Say:
    def __init__(self):
        self.lines = []

    def __call__(self, t=""):
        self.lines.append(t)

    def text(self):
        return "\n".join(self.lines) + "\n"


def main():
    run = xen_records.read(console(), NAMES)
    check(len(run["samples"]) == 3 and run["samples"][1]["t_ns"] == 500 * MS,
          "three status samples on the execution log's clock")
    check(run["samples"][0]["pools"]["A"] == {"queued": 2, "completed": 0, "running": 101},
          "a sample's pool figures")
    check([c["expected"] for c in run["clients"]] == [2, 2, 2] and
          all(len(c["records"]) == 2 for c in run["clients"]), "every domU's records")
    check(run["daemon"]["pid"] == 321 and run["daemon"]["exit"] == 0, "vgpud's pid and exit")
    verdicts = verify.verify(jobs(), run)
    check(verify.all_ok(verdicts) and not any(v["skipped"] for v in verdicts),
          "every rule checked and held: %s" % verify.format_verdicts(verdicts))

    with tempfile.TemporaryDirectory() as out:
        m = metrics.compute(jobs(), run, run["t0_ns"])
        report_files.write(out, run, jobs(), verdicts, m, {"transport": "xen"}, Say())
        with open(os.path.join(out, "metrics.json")) as f:
            doc = json.load(f)
        check(doc["metrics"]["client_jobs"] == 6, "metrics.json counts the client records")
        check(os.path.getsize(os.path.join(out, "report.html")) > 1000 and
              os.path.exists(os.path.join(out, "clients", "vgpu-b-busy.jsonl")),
              "report.html and the client records written")

    bad = xen_records.read(console({("vgpu-c", 1): {"correct": False}}), NAMES)
    v = {x["rule"]: x for x in verify.verify(jobs(), bad)}
    check(not v["answered"]["ok"], "a wrong result inside a domU fails 'answered'")
    warn = xen_records.read(console(extra=["[ 11.0] VGPU-DEMO-DAEMON-LOG WARN lost"]), NAMES)
    v = {x["rule"]: x for x in verify.verify(jobs(), warn)}
    check(not v["stability"]["ok"], "a vgpud warning fails 'stability'")
    gone = console().replace('VGPU-FINAL {"vgpud": {"running": true',
                             'VGPU-FINAL {"vgpud": {"running": false')
    v = {x["rule"]: x for x in verify.verify(jobs(), xen_records.read(gone, NAMES))}
    check(not v["stability"]["ok"], "vgpud not answering the final status fails 'stability'")
    for text, what in ((console(skip="vgpu-b"), "a domU that printed nothing"),
                       (console().replace('VGPU-FINAL {', 'VGPU-FINAL {{'), "a garbled line")):
        try:
            xen_records.read(text, NAMES)
            check(False, what + " is refused")
        except xen_records.RecordError as e:
            check(True, "%s is refused (%s)" % (what, e))


if __name__ == "__main__":
    main()
