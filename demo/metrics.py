"""metrics.py: per-VM and per-pool figures, queue depth over time and throughput from an execution log and a run."""
import csv
import json

import execlog


def percentile(values, q):
    """Nearest-rank percentile of values (q in 0..100); 0 for no values."""
    if not values:
        return 0
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(-(-q * len(v) // 100)) - 1))
    return v[k]


def dist_ms(values_ns):
    return {"p50": percentile(values_ns, 50) / 1e6, "p95": percentile(values_ns, 95) / 1e6,
            "p99": percentile(values_ns, 99) / 1e6, "max": max(values_ns, default=0) / 1e6}


def queue_depth(jobs, pool, t0_ns):
    """Exact queue depth of pool over time from the log: [(t_s, depth)] at each change."""
    ev = []
    for j in jobs:
        if j["pool"] == pool and j["dispatch_ns"]:
            ev.append((j["submit_ns"], 1))
            ev.append((j["dispatch_ns"], -1))
    ev.sort()
    out, depth = [], 0
    for t, d in ev:
        depth += d
        x = (t - t0_ns) / 1e9
        if out and out[-1][0] == x:
            out[-1] = (x, depth)
        else:
            out.append((x, depth))
    return out


def compute(jobs, run, t0_ns=None):
    """All figures as one JSON-able dict (times in ms or s as the key says)."""
    done = [j for j in jobs if j["dispatch_ns"]]
    if t0_ns is None:
        t0_ns = min((j["submit_ns"] for j in jobs), default=0)
    t_end = max((j["complete_ns"] for j in done), default=t0_ns)
    span_s = max(1e-9, (t_end - t0_ns) / 1e9)
    pools = sorted({j["pool"] for j in jobs})
    vms = {}
    for j in jobs:
        vms.setdefault(j["vm_name"], {"vm": j["vm_name"], "vm_id": j["vm_id"], "pool": j["pool"],
                                      "priority": execlog.PRIORITY_NAMES.get(j["priority"]),
                                      "jobs": []})["jobs"].append(j)
    per_vm = []
    for name in sorted(vms, key=lambda n: vms[n]["vm_id"]):
        v = vms.pop(name)
        js = v.pop("jobs")
        ok = [j for j in js if j["status"] == "OK" and j["dispatch_ns"]]
        v.update({"requests": sum(j["nreq"] for j in js), "jobs": len(js), "completed": len(ok),
                  "failed": len(js) - len(ok),
                  "wait_ms": dist_ms([j["dispatch_ns"] - j["submit_ns"] for j in ok]),
                  "latency_ms": dist_ms([j["complete_ns"] - j["submit_ns"] for j in ok]),
                  "busy_s": sum(j["complete_ns"] - j["dispatch_ns"] for j in ok) / 1e9})
        recs = [r for c in (run or {}).get("clients", []) if c["vm"] == name for r in c["records"]]
        v["client_jobs"] = len(recs)
        v["client_latency_ms"] = dist_ms([r["done_ns"] - r["submit_ns"] for r in recs])
        per_vm.append(v)
    per_pool = []
    for p in pools:
        js = [j for j in done if j["pool"] == p]
        busy = sum(j["complete_ns"] - j["dispatch_ns"] for j in js) / 1e9
        depth = queue_depth(jobs, p, t0_ns)
        per_pool.append({"pool": p, "jobs": len(js), "requests": sum(j["nreq"] for j in js),
                         "busy_s": busy, "utilisation": busy / span_s,
                         "jobs_per_s": len(js) / span_s,
                         "max_queued": max((d for _, d in depth), default=0),
                         "wait_ms": dist_ms([j["dispatch_ns"] - j["submit_ns"] for j in js]),
                         "queue_depth": depth})
    return {"t0_ns": t0_ns, "span_s": span_s, "jobs": len(jobs),
            "requests": sum(j["nreq"] for j in jobs),
            "jobs_per_s": len(done) / span_s,
            "requests_per_s": sum(j["nreq"] for j in done) / span_s,
            "client_jobs": sum(len(c["records"]) for c in (run or {}).get("clients", [])),
            "per_vm": per_vm, "per_pool": per_pool}


def write(outdir, m, run, verdicts, info):
    """metrics.json (everything), per-vm.csv, queue-depth.csv (exact and sampled)."""
    doc = {"info": info, "verdicts": verdicts, "metrics": m,
           "samples": (run or {}).get("samples", []),
           "clients": [{k: v for k, v in c.items() if k != "records"}
                       for c in (run or {}).get("clients", [])]}
    with open(outdir + "/metrics.json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(outdir + "/per-vm.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["vm", "pool", "priority", "requests", "jobs", "completed", "failed",
                    "wait_p50_ms", "wait_p95_ms", "wait_p99_ms", "latency_p50_ms",
                    "latency_p95_ms", "latency_p99_ms", "busy_s", "client_jobs",
                    "client_latency_p50_ms", "client_latency_p99_ms"])
        for v in m["per_vm"]:
            w.writerow([v["vm"], v["pool"], v["priority"], v["requests"], v["jobs"],
                        v["completed"], v["failed"]] +
                       ["%.3f" % v[k][q] for k in ("wait_ms", "latency_ms") for q in ("p50", "p95", "p99")] +
                       ["%.3f" % v["busy_s"], v["client_jobs"],
                        "%.3f" % v["client_latency_ms"]["p50"], "%.3f" % v["client_latency_ms"]["p99"]])
    with open(outdir + "/queue-depth.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source", "t_s", "pool", "queued", "running_vm_id"])
        for p in m["per_pool"]:
            for t, d in p["queue_depth"]:
                w.writerow(["log", "%.6f" % t, p["pool"], d, ""])
        for s in (run or {}).get("samples", []):
            for name, p in sorted(s["pools"].items()):
                w.writerow(["status", "%.6f" % (s["t_ns"] / 1e9), name, p["queued"],
                            p["running"] or ""])
