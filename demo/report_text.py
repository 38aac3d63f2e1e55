"""report_text.py: the console report: per-VM table, per-pool figures, queue depth over time, throughput."""


def vm_table(m):
    head = ("%-4s %-4s %-6s %6s %6s %6s %5s | %-22s | %-22s | %7s" % (
        "VM", "pool", "prio", "reqs", "jobs", "done", "fail", "wait ms p50/p95/p99",
        "latency ms p50/p95/p99", "busy s"))
    lines = [head, "-" * len(head)]
    for v in m["per_vm"]:
        w, l = v["wait_ms"], v["latency_ms"]
        lines.append("%-4s %-4s %-6s %6d %6d %6d %5d | %6.2f %6.2f %7.2f | %6.2f %6.2f %7.2f | %7.2f"
                     % (v["vm"], v["pool"], v["priority"], v["requests"], v["jobs"],
                        v["completed"], v["failed"], w["p50"], w["p95"], w["p99"],
                        l["p50"], l["p95"], l["p99"], v["busy_s"]))
    return "\n".join(lines)


def depth_over_time(p, span_s, buckets=10):
    """The pool's mean and max queue depth in equal time slices of the run."""
    pts = p["queue_depth"]
    cells = []
    for b in range(buckets):
        lo, hi = span_s * b / buckets, span_s * (b + 1) / buckets
        area, peak, prev_t, prev_d = 0.0, 0, lo, 0
        for t, d in pts:
            if t <= lo:
                prev_d = d
                continue
            if t >= hi:
                break
            area += prev_d * (t - prev_t)
            peak = max(peak, d)
            prev_t, prev_d = t, d
        area += prev_d * (hi - prev_t)
        peak = max(peak, prev_d)
        cells.append("%4.1f/%-2d" % (area / (hi - lo), peak))
    return " ".join(cells)


def pool_lines(m):
    lines = ["queue depth per pool, mean/max in %d slices of %.1f s:" % (10, m["span_s"] / 10)]
    for p in m["per_pool"]:
        lines.append("  pool %s: %s" % (p["pool"], depth_over_time(p, m["span_s"])))
    lines.append("throughput over %.1f s: %.0f jobs/s, %.0f requests/s (%d vgpud jobs, "
                 "%d client jobs)" % (m["span_s"], m["jobs_per_s"], m["requests_per_s"],
                                      m["jobs"], m["client_jobs"]))
    for p in m["per_pool"]:
        lines.append("  pool %s: %d jobs, %.0f jobs/s, busy %.1f s (%.0f%%), max queued %d, "
                     "wait p99 %.1f ms" % (p["pool"], p["jobs"], p["jobs_per_s"], p["busy_s"],
                                           100 * p["utilisation"], p["max_queued"],
                                           p["wait_ms"]["p99"]))
    return "\n".join(lines)
